"""Shared machinery of every Carnet service: config, database, unit of work, outbox,
idempotent consumers, the gateway's idempotency store, clock, money and typed errors.

Keep it small: anything here is a contract between services."""
