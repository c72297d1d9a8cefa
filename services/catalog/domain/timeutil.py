"""Org-local time at the edges, UTC inside (R1.4).

Everything the catalog stores is an aware UTC datetime; everything it shows is RFC 3339
with the org's offset at that instant. Inputs without an offset are read in the org's
timezone, as a person at the front desk means them.
"""
import re
from datetime import time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The conversions every service shares (re-exported for the catalog's modules).
from services.common.timeutil import (local_wall_time, localize, parse_bound,  # noqa: F401
                                      to_local_iso)

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


def minutes(n) -> timedelta:
    return timedelta(minutes=n)
