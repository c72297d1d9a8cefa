"""Org-local days of validity (R1.4): a pass is valid up to an instant, ``expires_at``, the
org-local midnight that ends its last valid day; a membership's days are org-local dates.
The conversions every service shares are ``services.common.timeutil``'s (imported from
there, not re-exported here)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.clock import ensure_utc


def zone(name) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return ensure_utc(instant).astimezone(tz).date()


def last_valid_day(expires_at: datetime, tz: ZoneInfo):
    """The last local day on which something expiring at ``expires_at`` is valid."""
    if expires_at is None:
        return None
    return local_date(ensure_utc(expires_at) - timedelta(microseconds=1), tz)
