"""Org-local time at the edges, UTC inside (R1.4).

Everything the catalog stores is an aware UTC datetime; everything it shows is RFC 3339
with the org's offset at that instant. Inputs without an offset are read in the org's
timezone, as a person at the front desk means them.
"""
import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def _known_zones():
    return frozenset(available_timezones())


def is_timezone(name) -> bool:
    """An IANA ``Area/Location`` name (``America/Montreal``) or ``UTC``; not an offset, nor a
    legacy abbreviation such as ``EST`` (a fixed offset that ignores DST, rarely meant)."""
    if not isinstance(name, str) or (name != "UTC" and "/" not in name):
        return False
    if name not in _known_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def parse_hhmm(value: str) -> time:
    match = _HHMM.match(value or "")
    if not match:
        raise ValueError("a local time as HH:MM (00:00 to 23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def local_wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a local day.

    Ambiguous times (the repeated hour when clocks go back) are the first of the two;
    a time that does not exist (the skipped hour when clocks go forward) is read with the
    offset in force before the change, i.e. it lands the same distance after the gap
    (02:30 on the spring-forward night is 03:30 local)."""
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def localize(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware UTC datetime; a naive one is read in ``tz``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(timezone.utc)


def to_local_iso(value, tz: ZoneInfo):
    """RFC 3339 with the org's offset at that instant (``2026-03-09T09:00:00-04:00``)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz).isoformat()


def parse_bound(value, tz: ZoneInfo) -> datetime:
    """A ``from``/``to`` bound: a date (local midnight in the org's timezone) or a date-time
    (with an offset, or read in the org's timezone). Returns an aware UTC datetime.

    Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return localize(value, tz)
    if isinstance(value, date):
        return local_wall_time(value, time(0, 0), tz)
    if not isinstance(value, str):
        raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    text = value.strip()
    if len(text) == 10:
        try:
            return local_wall_time(date.fromisoformat(text), time(0, 0), tz)
        except ValueError:
            raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    if "T" in text and " " in text:  # a "+hh:mm" offset sent unencoded in a query string
        text = text.replace(" ", "+")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("a date (YYYY-MM-DD) or a date-time (RFC 3339)")
    return localize(parsed, tz)


def minutes(n) -> timedelta:
    return timedelta(minutes=n)
