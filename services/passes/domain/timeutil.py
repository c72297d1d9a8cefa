"""Org-local days at the edges, UTC instants inside (R1.4).

A pass is valid up to an instant, ``expires_at``: the org-local midnight that ends its last
valid day. Dates a person types (``expires_on``, a new expiry given as a date) mean "valid
through that day" in the org's timezone.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.clock import ensure_utc as as_utc
from services.common.timeutil import local_midnight as start_of_day
from services.common.timeutil import localize, to_local_iso  # noqa: F401 (re-exported)
from services.common.timeutil import check_in_range
from services.common.timeutil import end_of_day, parse_instant_or_day  # noqa: F401


def zone(name) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return as_utc(instant).astimezone(tz).date()


def last_valid_day(expires_at: datetime, tz: ZoneInfo):
    """The last local day on which something expiring at ``expires_at`` is valid."""
    if expires_at is None:
        return None
    return local_date(as_utc(expires_at) - timedelta(microseconds=1), tz)

