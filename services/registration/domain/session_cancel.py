"""A session registration cancelled by the client (R8.2), as plain Python.

The activity's session policy ``{allowed, deadline_minutes_before, refund}`` (copied onto
the registration when the seat was booked): the client may cancel while ``now`` is before
``deadline_minutes_before`` the start of the session's last scheduled occurrence; the
money goes to the account's credit: ``whole`` (the price), ``prorated`` (the price times the
occurrences not started yet over all scheduled occurrences, rounded down to the minor unit)
or ``none``.
"""
from datetime import timedelta

from ..contract.errors import CancellationDeadlinePassed, CancellationNotAllowed

WHOLE, PRORATED, NONE = "whole", "prorated", "none"


def refund_for(policy, price: int, starts, now) -> int:
    """What goes back to credit, or the refusal (``cancellation_not_allowed``,
    ``cancellation_deadline_passed``). ``starts``: the scheduled occurrences' starts."""
    if not policy or not policy.get("allowed"):
        raise CancellationNotAllowed(
            "this session cannot be cancelled by the client; ask the staff",
            {"kind": "session"})
    starts = sorted(starts)
    if not starts:
        return price if policy.get("refund") in (WHOLE, PRORATED) else 0
    deadline = starts[-1] - timedelta(minutes=int(policy.get("deadline_minutes_before") or 0))
    if now >= deadline:
        raise CancellationDeadlinePassed(
            "the session's cancellation deadline has passed",
            {"deadline": deadline.isoformat(),
             "deadline_minutes_before": policy.get("deadline_minutes_before") or 0})
    rule = policy.get("refund") or NONE
    if rule == WHOLE:
        return price
    if rule == PRORATED:
        left = sum(1 for s in starts if s > now)
        return price * left // len(starts)
    return 0
