"""Notifications' use cases (``fn(ctx, ...)``): ``intake`` (an event's notices claimed,
watches kept and released), ``sending`` (a notice leased, rendered and sent),
``preferences`` (a client's preferences, the sent log)."""
