"""Programs and activities (R2.1, R2.2, R2.3, R2.7): the offers, restrictions and schedule
of an activity, and the occurrences its schedule produces (R1.4: in the org's local time)."""
from services.common.timeutil import localize

from ..adapters.models import Activity, MembershipType, Program
from ..adapters.presenters import activity_view, occurrence_event, program_view, tz_of
from ..adapters.repositories import CatalogRepository, activity_spec, write_activity
from ..contract import events
from ..contract.errors import ALaCarteInUse
from ..domain import activities
from ..domain import schedule as scheduling
from . import common
from .common import deep_update, raise_if, unknown


# -- programs (R2.1) ------------------------------------------------------------------------------

def create_program(ctx, org_id, data):
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        repo.org(org_id)
        program = repo.new(Program, org_id=org_id, name=data["name"], created_at=now)
        uow.flush()
        view = program_view(program)
        uow.emit(events.PROGRAM_CREATED, view, occurred_at=now)
        uow.commit()
    return view


def get_program(ctx, org_id, program_id):
    return common.get(ctx, org_id, Program, program_id, program_view)


def list_programs(ctx, org_id, limit, cursor):
    return common.list_page(ctx, org_id, Program, program_view, limit, cursor)


# -- activities -----------------------------------------------------------------------------------

def _localize_offers(data, tz):
    """Session window times sent without an offset are the org's local time (R1.4)."""
    session = data.get("session")
    if session:
        for name in ("opens_at", "closes_at"):
            if session.get(name) is not None:
                session[name] = localize(session[name], tz)
    return data


def _check(repo, org_id, spec):
    errors = activities.spec_errors(spec)
    program_id, membership_type_ids = activities.referenced_ids(spec)
    if program_id and repo.unknown_ids(Program, org_id, [program_id]):
        errors["program_id"] = unknown("program", [program_id])
    missing = repo.unknown_ids(MembershipType, org_id, membership_type_ids)
    if missing:
        deep_update(errors, {"restrictions": {
            "membership_type_ids": unknown("membership type", missing)}})
    errors.update(common.tax_code_errors(repo, org_id, spec.get("tax_codes")))
    raise_if(errors)


def _emit_occurrences(uow, repo, event_type, ids, activity, tz, now):
    if not ids:
        return
    stats = repo.activity_stats([activity.id])
    for occurrence in repo.occurrences_by_id(ids):
        uow.emit(event_type, occurrence_event(occurrence, activity, tz, stats), occurred_at=now)


def create_activity(ctx, org_id, data):
    """The activity and the occurrences of its schedule: ``activity_created``, then an
    ``occurrence_added`` per occurrence."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        spec = activities.new_spec(_localize_offers(data, tz))
        _check(repo, org_id, spec)
        activity = repo.new(Activity, org_id=org_id, created_at=now, updated_at=now,
                            revision=1)
        write_activity(activity, spec)
        uow.flush()
        added = [repo.add_occurrence(activity, planned.starts_at, planned.ends_at,
                                     scheduling.ORIGIN_SCHEDULE, now).id
                 for planned in scheduling.generate(spec["schedule"], tz)]
        uow.flush()
        view = activity_view(activity, tz, repo.activity_stats([activity.id]))
        uow.emit(events.ACTIVITY_CREATED, view, occurred_at=now)
        _emit_occurrences(uow, repo, events.OCCURRENCE_ADDED, added, activity, tz, now)
        uow.commit()
    common.tell_copies(ctx, org_id, view["id"])
    return view


def _check_a_la_carte_unused(ctx, org_id, activity_id):
    """R2.5: switching à la carte off needs no active (held or confirmed) à la carte
    registration; registration is asked before the write transaction opens. (A hold
    placed between this answer and the commit is not seen: the offer is off for the
    next one.)"""
    with ctx.db.uow(readonly=True) as uow:
        CatalogRepository(uow.session).get(Activity, org_id, activity_id)
    answer = ctx.peers.a_la_carte_in_use(org_id, activity_id)
    if answer.get("in_use"):
        raise ALaCarteInUse(
            "à la carte cannot be switched off while à la carte registrations are active",
            {"active_registrations": answer.get("count")})


def update_activity(ctx, org_id, activity_id, patch):
    """PATCH: nested offers and restrictions merge; a schedule change regenerates the
    future occurrences (keeping the ids of those whose start does not move)."""
    if (patch.get("a_la_carte") or {}).get("enabled") is False:
        _check_a_la_carte_unused(ctx, org_id, activity_id)
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        activity = repo.get(Activity, org_id, activity_id, lock=True)
        before = activity_spec(activity)
        spec = activities.apply_patch(before, _localize_offers(patch, tz))
        _check(repo, org_id, spec)
        write_activity(activity, spec)
        activity.updated_at = now
        repo.bump_revision(activity)
        if spec["a_la_carte"]["capacity"] != before["a_la_carte"]["capacity"]:
            repo.set_future_capacity(activity.id, spec["a_la_carte"]["capacity"] or 0, now)
        added, cancelled = [], []
        if spec["schedule"] != before["schedule"]:
            plan = scheduling.plan_regeneration(
                repo.existing_occurrences(activity.id),
                scheduling.generate(spec["schedule"], tz), now)
            created, revived = repo.apply_plan(activity, plan, now)
            added = [o.id for o in created] + revived
            cancelled = plan.cancel
        uow.session.expire_all()
        activity = repo.get(Activity, org_id, activity_id)
        view = activity_view(activity, tz, repo.activity_stats([activity.id]))
        uow.emit(events.ACTIVITY_UPDATED, view, occurred_at=now)
        _emit_occurrences(uow, repo, events.OCCURRENCE_ADDED, added, activity, tz, now)
        _emit_occurrences(uow, repo, events.OCCURRENCE_CANCELLED, cancelled, activity, tz, now)
        uow.commit()
    common.tell_copies(ctx, org_id, activity_id)
    return view


def get_activity(ctx, org_id, activity_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        activity = repo.get(Activity, org_id, activity_id)
        return activity_view(activity, tz, repo.activity_stats([activity.id]))


def list_activities(ctx, org_id, program_id, limit, cursor):
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        rows, next_cursor = repo.activities_page(org_id, program_id, limit, cursor)
        stats = repo.activity_stats([a.id for a in rows])
        return {"items": [activity_view(a, tz, stats) for a in rows],
                "next_cursor": next_cursor}
