"""The waiting list's rules (R3.9), as plain Python.

- A member joins the list of a *full* pool only (``seats_available`` otherwise): with a free
  seat, they should simply book it. A list that already has people waiting can be joined
  whatever the count says (the free seat, if any, is theirs first).
- When seats are free and people wait, seats are offered in the order of the list; a
  household's other members waiting in the same pool are offered seats right after their
  first member (together, ahead of the people behind them), as long as seats remain; those
  left waiting are named in the offer so that the notice tells the household.
- An offer is a hold (R3.1) that lasts the offer time, cut at the registration's close.
"""
from datetime import timedelta

from ..contract.errors import SeatsAvailable

WAITING = "waiting"
OFFERED = "offered"
CLAIMED = "claimed"      # the offered hold was confirmed (checked out)
LAPSED = "lapsed"        # the offered hold ended unclaimed (expired, released)
LEFT = "left"            # the member left the list
CLOSED = "closed"        # registration closed (or the member registered otherwise) first
STATUSES = (WAITING, OFFERED, CLAIMED, LAPSED, LEFT, CLOSED)
LIVE = (WAITING, OFFERED)

BY_WAITLIST = "waitlist"
BY_STAFF = "staff"


def check_can_join(capacity: int, taken: int, waiting: int):
    """``seats_available`` when a seat is free and nobody waits for it."""
    free = capacity - taken
    if free > 0 and waiting == 0:
        raise SeatsAvailable("a seat is free: book it instead of waiting",
                             {"available": free, "capacity": capacity})


def offer_order(waiting, first_id=None):
    """The entries in the order seats go to them: the list's order (``first_id``, a staff
    choice, goes first), each household's members pulled up behind its first member.
    ``waiting`` items need ``id`` and ``account_id`` and come in the list's order."""
    waiting = list(waiting)
    if first_id is not None:
        waiting.sort(key=lambda e: e.id != first_id)
    ordered, seen = [], set()
    for entry in waiting:
        if entry.id in seen:
            continue
        for same in [entry] + [e for e in waiting if e.account_id == entry.account_id
                               and e.id != entry.id]:
            if same.id not in seen:
                seen.add(same.id)
                ordered.append(same)
    return ordered


def offer_expires_at(now, ttl_seconds, closes_at=None):
    """The offer lasts ``ttl_seconds``, but never past the registration's close."""
    until = now + timedelta(seconds=ttl_seconds)
    if closes_at is not None and closes_at < until:
        return closes_at
    return until


def is_closed(now, closes_at) -> bool:
    return closes_at is not None and now >= closes_at
