"""Billing rules: plain Python, no broker, no database."""
