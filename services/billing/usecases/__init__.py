"""Billing's use cases: one module per topic, each use case one function taking a Context."""
