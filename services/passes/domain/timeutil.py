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


def zone(name) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return as_utc(instant).astimezone(tz).date()


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The instant a thing valid "through ``day``" stops being valid: the next local
    midnight."""
    return start_of_day(day + timedelta(days=1), tz)


def last_valid_day(expires_at: datetime, tz: ZoneInfo):
    """The last local day on which something expiring at ``expires_at`` is valid."""
    if expires_at is None:
        return None
    return local_date(as_utc(expires_at) - timedelta(microseconds=1), tz)


def parse_instant_or_day(value, tz: ZoneInfo) -> datetime:
    """An expiry as sent by staff: a date ``YYYY-MM-DD`` (valid through that local day), or
    an RFC 3339 date-time (without an offset: read in the org's timezone). Returns an aware
    UTC datetime; raises ValueError otherwise."""
    if isinstance(value, datetime):
        return localize(check_in_range(value), tz)
    if isinstance(value, date):
        return end_of_day(check_in_range(value), tz)
    if not isinstance(value, str):
        raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    if len(text) == 10:
        return end_of_day(check_in_range(day), tz)
    return localize(check_in_range(parsed), tz)
