"""Org-local time at the edges, UTC inside (R1.4).

Everything the catalog stores is an aware UTC datetime; everything it shows is RFC 3339
with the org's offset at that instant. Inputs without an offset are read in the org's
timezone, as a person at the front desk means them.
"""
from datetime import timedelta
from zoneinfo import ZoneInfo

# The conversions every service shares (re-exported for the catalog's modules).
from services.common.timeutil import (local_wall_time, localize, parse_bound,  # noqa: F401
                                      to_local_iso)
from services.common.timeutil import is_timezone, parse_hhmm  # noqa: F401 (the contract reads with these)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def minutes(n) -> timedelta:
    return timedelta(minutes=n)
