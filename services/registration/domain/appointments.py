"""Salon appointments (R5.1, R5.2) and the bundle applied to them (R4.6, R4.7): plain rules.

An appointment: a client member, a service (its duration and price copied from the catalog
when it is booked), an optional staff member and a start. Its ``status`` moves
``booked -> completed | cancelled | no_show`` and never back.

The bundle on an appointment is a cross-service step (the use is booked in the passes
service), so the appointment records its intent *before* every call to passes and settles
it after; ``bundle_state`` says where it is:

    none      no bundle (full price)
    applying  bundle_id chosen, ``passes.book_bundle`` asked (price still full)
    applied   booked on the bundle: price 0 (R4.6)
    removing  ``passes.unbook_bundle`` asked (price full again; removal or cancellation)
    returned  the appointment was cancelled / a no-show and its booked use came back (R4.7)
    using     checkout asked ``passes.use_bundle``
    used      completed and paid with the bundle (booked -> used, R4.7)

``applying``, ``removing`` and ``using`` are the in-flight states; every move between states
is a compare-and-set in the database, so two requests (or instances) never both win.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from services.common.timeutil import to_local_iso

BOOKED, COMPLETED, CANCELLED, NO_SHOW = "booked", "completed", "cancelled", "no_show"
STATUSES = (BOOKED, COMPLETED, CANCELLED, NO_SHOW)
# The statuses that keep a staff member's time taken (R5.2).
OCCUPYING = (BOOKED, COMPLETED)

NONE, APPLYING, APPLIED, REMOVING, RETURNED, USING, USED = (
    "none", "applying", "applied", "removing", "returned", "using", "used")
BUNDLE_STATES = (NONE, APPLYING, APPLIED, REMOVING, RETURNED, USING, USED)
IN_FLIGHT = (APPLYING, REMOVING, USING)

BY_CLIENT, BY_STAFF, BY_BUNDLE_REFUSAL = "client", "staff", "bundle_refused"


def zone(name) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def window(starts_at: datetime, duration_minutes: int):
    """(start, end) in UTC: the time the appointment takes (R5.1)."""
    start = as_utc(starts_at)
    return start, start + timedelta(minutes=int(duration_minutes))


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Half-open intervals: an appointment ending at 10:00 and one starting at 10:00 do not
    overlap."""
    return a_start < b_end and b_start < a_end


def day_range(day: date, tz_name) -> tuple:
    """The UTC instants [start, end) of the org-local ``day`` (DST-safe)."""
    tz = zone(tz_name)
    start = datetime.combine(day, time(0, 0)).replace(tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0, 0)).replace(tzinfo=tz) \
        .astimezone(timezone.utc)
    return start, end


def local_iso(value: Optional[datetime], tz_name) -> Optional[str]:
    if value is None:
        return None
    return to_local_iso(as_utc(value), zone(tz_name))  # RFC 3339 (whole-minute offset)


# -- choosing a bundle (R4.6) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """The outcome of picking a bundle among the client's candidates."""
    bundle_id: Optional[str]
    problem: Optional[str] = None      # None | "none" | "several"
    candidates: tuple = ()             # ({id, name, division}, ...) when several


def candidate_view(bundle: dict) -> dict:
    return {"id": bundle["id"], "name": bundle.get("name"), "division": bundle.get("division")}


def choose_bundle(candidates) -> Choice:
    """``candidates``: passes' ``bundle_candidates`` items. One: that one; none: a refusal;
    several: the request must say which (``bundle_choice_required``, listing them)."""
    items = list(candidates or [])
    if not items:
        return Choice(None, "none")
    if len(items) > 1:
        return Choice(None, "several", tuple(candidate_view(b) for b in items))
    return Choice(items[0]["id"])


def bundle_belongs_to(bundle: dict, member_id: str) -> bool:
    """A bundle is sold to a named client (R4.4) and pays only for that client's
    appointments."""
    return bundle.get("member_id") == member_id


# -- the day's agenda -------------------------------------------------------------------------------
def agenda(day: date, tz_name, appointments, staff_id=None) -> dict:
    """``appointments``: Appointment dicts of the day, sorted by start. One group per staff
    member (by name; appointments without staff last, ``staff_id`` null)."""
    groups = {}
    for a in appointments:
        groups.setdefault(a["staff_id"], {"staff_id": a["staff_id"],
                                          "staff_name": a.get("staff_name"),
                                          "appointments": []})["appointments"].append(a)
    if staff_id is not None and staff_id not in groups:
        groups[staff_id] = {"staff_id": staff_id, "staff_name": None, "appointments": []}
    ordered = sorted(groups.values(),
                     key=lambda g: (g["staff_id"] is None, (g["staff_name"] or "").casefold(),
                                    g["staff_id"] or ""))
    return {"date": day.isoformat(), "timezone": tz_name or "UTC", "staff": ordered}
