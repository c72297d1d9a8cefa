"""Memberships (R2.12): sold for a member, active from ``starts_on`` for the membership
type's ``duration_days``; activities may require one (R2.7, checked by registration with
``active_memberships``).

``ends_on = starts_on + duration_days`` is the first day the membership is no longer active
(exclusive end): a 365-day membership starting 2026-01-01 is active through 2026-12-31 and
ends on 2027-01-01. ``last_day`` (ends_on - 1) is what a receipt shows.
Without ``starts_on`` a membership starts on the org-local day of the sale.
"""
from datetime import date, datetime, timedelta

from ..contract.errors import InvalidPassesInput
from .validity import local_date

ACTIVE, UPCOMING, EXPIRED, REVOKED = "active", "upcoming", "expired", "revoked"


def period(starts_on: date, duration_days: int):
    """(starts_on, ends_on) with ends_on exclusive."""
    if duration_days is None or int(duration_days) < 1:
        raise InvalidPassesInput("the membership type has no valid duration",
                                 {"duration_days": ["at least one day"]})
    return starts_on, starts_on + timedelta(days=int(duration_days))


def default_start(sold_at: datetime, tz) -> date:
    return local_date(sold_at, tz)


def active_on(starts_on: date, ends_on: date, revoked: bool, on: date) -> bool:
    return not revoked and starts_on <= on < ends_on


def status(starts_on: date, ends_on: date, revoked: bool, today: date) -> str:
    if revoked:
        return REVOKED
    if today < starts_on:
        return UPCOMING
    if today >= ends_on:
        return EXPIRED
    return ACTIVE


def last_day(ends_on: date) -> date:
    return ends_on - timedelta(days=1)
