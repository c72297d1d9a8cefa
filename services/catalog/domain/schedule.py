"""Schedules and their occurrences (R2.1, R1.4).

A schedule is weekly slots (weekday 0-6 with Monday = 0, a local start time "HH:MM", a
duration) between ``start_date`` and ``end_date`` (both inclusive), minus
``excluded_dates``. Occurrences are generated in the org's local time, so a 09:00 class
stays 09:00 on the wall clock across a DST change while its UTC instant moves; they are
stored in UTC.

When a schedule changes, :func:`plan_regeneration` decides what happens to the occurrences
already materialised. Registrations reference occurrence ids, so an id is never thrown
away: an occurrence whose start is still in the schedule keeps its id; one that left the
schedule is cancelled (not deleted), and comes back with the same id if the schedule
brings its start back. The past is never rewritten.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import List, Optional

from dateutil.rrule import WEEKLY, rrule

from services.common.timeutil import local_wall_time, parse_hhmm

# A schedule that would produce more than this is almost certainly a typo in a date.
MAX_OCCURRENCES = 2000

SCHEDULED = "scheduled"
CANCELLED = "cancelled"

ORIGIN_SCHEDULE = "schedule"   # produced by the activity's schedule
ORIGIN_SINGLE = "single"       # added one by one (R2.1)

CANCELLED_BY_ADMIN = "cancelled"               # cancel_occurrence: stays cancelled
CANCELLED_BY_SCHEDULE = "removed_from_schedule"  # the schedule no longer has it


@dataclass(frozen=True)
class Slot:
    weekday: int          # 0 = Monday … 6 = Sunday
    start_time: str       # local "HH:MM"
    duration_minutes: int


@dataclass(frozen=True)
class Planned:
    starts_at: datetime   # aware, UTC
    ends_at: datetime     # aware, UTC


def slots_of(schedule) -> List[Slot]:
    return [Slot(s["weekday"], s["start_time"], s["duration_minutes"])
            for s in schedule.get("slots") or []]


def generate(schedule, tz) -> List[Planned]:
    """Every occurrence a schedule produces, ordered by start (UTC instants).

    ``schedule`` is ``{start_date, end_date, slots, excluded_dates}`` with ``date`` values;
    ``tz`` the org's ``ZoneInfo``. Two slots that start at the same instant give one
    occurrence (the longest)."""
    if not schedule:
        return []
    start, end = schedule["start_date"], schedule["end_date"]
    excluded = set(schedule.get("excluded_dates") or [])
    by_start = {}
    for slot in slots_of(schedule):
        at = parse_hhmm(slot.start_time)
        # rrule walks local calendar days; wall-clock times are attached per day below,
        # so the UTC instant follows the offset in force on that day.
        days = rrule(WEEKLY, byweekday=slot.weekday, dtstart=datetime.combine(start, at.min),
                     until=datetime.combine(end, at.min))
        for day in days:
            local_day = day.date()
            if local_day in excluded:
                continue
            starts_at = local_wall_time(local_day, at, tz)
            ends_at = starts_at + timedelta(minutes=slot.duration_minutes)
            if starts_at not in by_start or by_start[starts_at].ends_at < ends_at:
                by_start[starts_at] = Planned(starts_at, ends_at)
    return [by_start[k] for k in sorted(by_start)]


def count_upper_bound(schedule) -> int:
    """How many occurrences at most, without generating them (to refuse absurd ranges)."""
    if not schedule:
        return 0
    days = (schedule["end_date"] - schedule["start_date"]).days + 1
    return max(days, 0) * len(schedule.get("slots") or []) // 7 + len(schedule.get("slots") or [])


def schedule_errors(schedule) -> dict:
    """Field errors of a complete schedule (after a PATCH merge), or ``{}``."""
    errors = {}
    if schedule is None:
        return errors
    for name in ("start_date", "end_date", "slots"):
        if schedule.get(name) is None:
            errors[name] = ["required in a schedule"]
    if errors:
        return errors
    start, end = schedule["start_date"], schedule["end_date"]
    if end < start:
        errors["end_date"] = ["on or after start_date"]
    slots = schedule["slots"]
    if not slots:
        errors["slots"] = ["at least one weekly slot"]
    seen = set()
    for index, slot in enumerate(slots):
        key = (slot["weekday"], slot["start_time"])
        if key in seen:
            errors.setdefault("slots", {})[index] = ["the same weekday and start_time twice"]
        seen.add(key)
    if not errors and count_upper_bound(schedule) > MAX_OCCURRENCES:
        errors["end_date"] = [f"this schedule would produce more than {MAX_OCCURRENCES} "
                              "occurrences; shorten it"]
    return errors


# -- regeneration -------------------------------------------------------------------------

@dataclass
class Existing:
    """An occurrence already materialised (only what the plan needs)."""
    id: str
    starts_at: datetime
    ends_at: datetime
    status: str
    origin: str
    cancel_reason: Optional[str] = None


@dataclass
class Plan:
    create: List[Planned] = field(default_factory=list)
    reschedule: List[tuple] = field(default_factory=list)   # (id, new ends_at): duration changed
    revive: List[tuple] = field(default_factory=list)       # (id, ends_at): back in the schedule
    cancel: List[str] = field(default_factory=list)         # ids that left the schedule

    @property
    def empty(self):
        return not (self.create or self.reschedule or self.revive or self.cancel)


def plan_regeneration(existing: List[Existing], planned: List[Planned], now: datetime) -> Plan:
    """What to do with the materialised occurrences when the schedule becomes ``planned``.

    Only the future (starts after ``now``) changes:
    - a start still planned keeps its occurrence and id (its end follows a new duration);
    - a scheduled occurrence from the schedule whose start is no longer planned is
      cancelled (reason ``removed_from_schedule``), never deleted;
    - a planned start whose occurrence was cancelled because it had left the schedule is
      revived with its id; one cancelled by an admin stays cancelled;
    - single occurrences (added by hand) are left alone; a planned start that one of them
      already covers is not doubled;
    - a planned start with no occurrence is created.
    """
    future = [o for o in existing if o.starts_at > now]
    active = {o.starts_at: o for o in future if o.status == SCHEDULED}
    cancelled = {}
    for o in future:
        if o.status == CANCELLED:
            # If several were cancelled at the same start, prefer reviving a schedule one.
            if o.starts_at not in cancelled or o.cancel_reason == CANCELLED_BY_SCHEDULE:
                cancelled[o.starts_at] = o
    plan = Plan()
    wanted = set()
    for p in planned:
        if p.starts_at <= now:
            continue
        wanted.add(p.starts_at)
        current = active.get(p.starts_at)
        if current is not None:
            if current.origin == ORIGIN_SCHEDULE and current.ends_at != p.ends_at:
                plan.reschedule.append((current.id, p.ends_at))
            continue
        gone = cancelled.get(p.starts_at)
        if gone is not None:
            if gone.origin == ORIGIN_SCHEDULE and gone.cancel_reason == CANCELLED_BY_SCHEDULE:
                plan.revive.append((gone.id, p.ends_at))
            continue
        plan.create.append(p)
    for o in active.values():
        if o.origin == ORIGIN_SCHEDULE and o.starts_at not in wanted:
            plan.cancel.append(o.id)
    return plan
