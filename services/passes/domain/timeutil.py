"""Org-local days at the edges, UTC instants inside (R1.4).

A pass is valid up to an instant, ``expires_at``: the org-local midnight that ends its last
valid day. Dates a person types (``expires_on``, a new expiry given as a date) mean "valid
through that day" in the org's timezone.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def zone(name) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def as_utc(value: datetime) -> datetime:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return as_utc(instant).astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant of local midnight starting ``day`` (DST-safe: midnight exists or, in
    the rare zones that skip it, the first instant after the gap)."""
    return datetime.combine(day, time(0, 0)).replace(tzinfo=tz).astimezone(timezone.utc)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The instant a thing valid "through ``day``" stops being valid: the next local
    midnight."""
    return start_of_day(day + timedelta(days=1), tz)


def to_local_iso(value: datetime, tz: ZoneInfo):
    if value is None:
        return None
    return as_utc(value).astimezone(tz).isoformat()


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
        return as_utc(value if value.tzinfo else value.replace(tzinfo=tz))
    if isinstance(value, date):
        return end_of_day(value, tz)
    if not isinstance(value, str):
        raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    text = value.strip()
    try:
        if len(text) == 10:
            return end_of_day(date.fromisoformat(text), tz)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    return as_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz))
