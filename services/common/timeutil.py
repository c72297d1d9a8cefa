"""Org-local time at the edges, aware UTC inside (R1.4): the conversions every service
needs. Inputs without an offset are read in the org's timezone, as a person at the front
desk means them; what is shown is RFC 3339 with the org's offset at that instant."""
import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .clock import ensure_utc

_BOUND = "a date (YYYY-MM-DD) or a date-time (RFC 3339)"
# The dates any input may name (services/common/schemas.py, docs/limits.md).
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2200, 12, 31)


def check_in_range(value):
    """``value`` (a date or datetime) if it is within MIN_DATE .. MAX_DATE, else ValueError
    (year 1 or 9999 would overflow as soon as an offset is applied)."""
    day = value.date() if isinstance(value, datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}")
    return value


def local_wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a local day.

    Ambiguous times (the repeated hour when clocks go back) are the first of the two;
    a time that does not exist (the skipped hour when clocks go forward) is read with the
    offset in force before the change, i.e. it lands the same distance after the gap
    (02:30 on the spring-forward night is 03:30 local)."""
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local day begins."""
    return local_wall_time(day, time(0, 0), tz)


def localize(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware UTC datetime; a naive one is read in ``tz``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}")


def to_local_iso(value, tz: ZoneInfo):
    """RFC 3339 with the org's offset at that instant (``2026-03-09T09:00:00-04:00``); a
    naive value is UTC (Carnet's convention inside). Where the offset is not a whole
    number of minutes (local mean time, before the zones were standardised: Amsterdam's
    +00:19:32 until 1937), RFC 3339 cannot say it: the instant is shown in UTC."""
    if value is None:
        return None
    local = ensure_utc(value).astimezone(tz)
    if local.utcoffset().total_seconds() % 60:
        return ensure_utc(value).isoformat()
    return local.isoformat()


def parse_instant(value):
    """An RFC 3339 instant from another service (with an offset; UTC if it has none) as an
    aware UTC datetime; None for nothing."""
    if not value:
        return None
    if isinstance(value, datetime):
        return ensure_utc(value)
    return ensure_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def parse_bound(value, tz: ZoneInfo) -> datetime:
    """A ``from``/``to`` bound: a date (local midnight in the org's timezone) or a date-time
    (with an offset, or read in the org's timezone). Returns an aware UTC datetime (None
    for None). Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return localize(check_in_range(value), tz)
    if isinstance(value, date):
        return local_midnight(check_in_range(value), tz)
    if not isinstance(value, str):
        raise ValueError(_BOUND)
    text = value.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(_BOUND)
        return local_midnight(check_in_range(day), tz)
    if "T" in text and " " in text:  # a "+hh:mm" offset sent unencoded in a query string
        text = text.replace(" ", "+")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(_BOUND)
    return localize(check_in_range(parsed), tz)


# -- read at the edges (contracts validate with these) ---------------------------------------
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


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



def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The instant a thing valid "through ``day``" stops being valid: the next local
    midnight."""
    return local_midnight(day + timedelta(days=1), tz)



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
