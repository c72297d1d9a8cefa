"""Occurrences (R2.1): read in ranges (an activity's, the shop's calendar), added one by one
outside the schedule, cancelled one by one. Reads say whether each can be booked à la carte
now as far as the catalog knows (``bookable``/``reason``; seats are registration's)."""
from datetime import timedelta

from services.common.timeutil import localize, parse_bound

from ..adapters.models import Activity, Occurrence
from ..adapters.presenters import occurrence_event, occurrence_view, tz_of
from ..adapters.repositories import CatalogRepository
from ..contract import events
from ..contract.errors import OccurrenceExists
from ..domain import schedule as scheduling
from .common import raise_if, tell_copies

MAX_CALENDAR_DAYS = 366
MAX_OCCURRENCE_IDS = 1000


def _bounds(tz, from_, to, required=False):
    """[from, to) read in the org's timezone (a date or an RFC 3339 date-time each)."""
    errors, parsed = {}, {}
    for key, value in (("from", from_), ("to", to)):
        if value is None:
            if required:
                errors[key] = ["required: a date (YYYY-MM-DD) or an RFC 3339 date-time"]
            parsed[key] = None
            continue
        try:
            parsed[key] = parse_bound(value, tz)
        except ValueError as error:
            errors[key] = [str(error)]
    if not errors and parsed["from"] and parsed["to"] and parsed["to"] <= parsed["from"]:
        errors["to"] = ["after from"]
    raise_if(errors)
    return parsed["from"], parsed["to"]


def _page(repo, query, tz, now, limit, cursor):
    rows, next_cursor = repo.occurrences(query, limit, cursor)
    return {"items": [occurrence_view(o, a, tz, now) for o, a in rows],
            "next_cursor": next_cursor}


def list_occurrences(ctx, org_id, activity_id, from_, to, limit, cursor):
    """Every occurrence of an activity starting in [from, to) (all without a limit),
    cancelled ones included."""
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        start, end = _bounds(tz, from_, to)
        repo.get(Activity, org_id, activity_id)
        query = repo.occurrences_query(org_id, start, end, activity_id=activity_id)
        return _page(repo, query, tz, now, limit, cursor)


def calendar(ctx, org_id, from_, to, program_id, limit, cursor):
    """Occurrences in [from, to) that are scheduled with à la carte enabled, across
    activities (the shop's calendar)."""
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        start, end = _bounds(tz, from_, to, required=True)
        if end - start > timedelta(days=MAX_CALENDAR_DAYS):
            raise_if({"to": [f"at most {MAX_CALENDAR_DAYS} days after from"]})
        query = repo.occurrences_query(org_id, start, end, program_id=program_id,
                                       calendar=True)
        return _page(repo, query, tz, now, limit, cursor)


def get_occurrence(ctx, org_id, occurrence_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        occurrence = repo.get(Occurrence, org_id, occurrence_id)
        activity = repo.get(Activity, org_id, occurrence.activity_id)
        return occurrence_view(occurrence, activity, tz, ctx.clock.now())


def get_occurrences(ctx, org_id, occurrence_ids):
    """The occurrences among ``occurrence_ids`` that exist in this org (unknown ids are
    left out), ordered by start."""
    if not isinstance(occurrence_ids, list) or not all(
            isinstance(i, str) for i in occurrence_ids):
        raise_if({"occurrence_ids": ["a list of occurrence ids"]})
    if len(occurrence_ids) > MAX_OCCURRENCE_IDS:
        raise_if({"occurrence_ids": [f"at most {MAX_OCCURRENCE_IDS} ids"]})
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        rows, _ = repo.occurrences(repo.occurrences_query(org_id, ids=occurrence_ids))
        return {"items": [occurrence_view(o, a, tz, now) for o, a in rows]}


def add_occurrence(ctx, org_id, activity_id, data):
    """A single occurrence outside the schedule (R2.1); ``occurrence_exists`` where one
    starts already."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        activity = repo.get(Activity, org_id, activity_id, lock=True)
        starts_at = localize(data["starts_at"], tz)
        existing = repo.scheduled_at(activity.id, starts_at)
        if existing is not None:
            raise OccurrenceExists(
                "this activity already has an occurrence starting at that time",
                {"occurrence_id": existing.id})
        occurrence = repo.add_occurrence(
            activity, starts_at, starts_at + timedelta(minutes=data["duration_minutes"]),
            scheduling.ORIGIN_SINGLE, now)
        repo.bump_revision(activity)
        uow.emit(events.OCCURRENCE_ADDED, occurrence_event(
            occurrence, activity, tz, repo.activity_stats([activity.id])), occurred_at=now)
        uow.commit()
        view = occurrence_view(occurrence, activity, tz, now)
    tell_copies(ctx, org_id, activity_id)
    return view


def cancel_occurrence(ctx, org_id, occurrence_id):
    """Cancel one occurrence (R2.1). Cancelling a cancelled occurrence changes nothing."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        # the activity's row first, then the occurrence's: the order update_activity takes
        # them in (the activity's revision changes with the occurrence, issue 14)
        activity = repo.get(Activity, org_id, repo.activity_of(org_id, occurrence_id),
                            lock=True)
        occurrence = repo.get(Occurrence, org_id, occurrence_id, lock=True)
        changed = occurrence.status != scheduling.CANCELLED
        if changed:
            occurrence.status = scheduling.CANCELLED
            occurrence.cancel_reason = scheduling.CANCELLED_BY_ADMIN
            occurrence.cancelled_at = now
            repo.bump_revision(activity)
            uow.emit(events.OCCURRENCE_CANCELLED, occurrence_event(
                occurrence, activity, tz, repo.activity_stats([activity.id])),
                occurred_at=now)
        uow.commit()
        view = occurrence_view(occurrence, activity, tz, now)
    if changed:
        tell_copies(ctx, org_id, view["activity_id"])
    return view
