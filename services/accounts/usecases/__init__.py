"""Accounts' use cases: one function per thing the service does (``fn(ctx, ...) -> dict``),
called by one entrypoint of ``service.py``; each opens its units of work, applies the
domain's rules and emits the events (``contract/events.py``)."""
