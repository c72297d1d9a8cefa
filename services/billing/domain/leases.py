"""Leases: who may work on a record (a checkout being driven, a subscription being charged)
while several instances of billing run. A record is leased to one owner until an instant;
every write of the work is conditional on the owner still holding it, and a lease that
lapsed (its holder died or was too slow) may be taken over. One mechanism for both
(``adapters/leases.py`` writes it)."""


class LeaseLost(Exception):
    """Another process took the record over (or finished the work) meanwhile: stop."""


def worth_renewing(seconds_since_written: float, lease_seconds: float) -> bool:
    """A lease written less than a third of its length ago still outlasts any step."""
    return seconds_since_written >= lease_seconds / 3
