"""Reading and writing the catalog's rows; every query is scoped to one org (R1.1)."""
from datetime import date

from sqlalchemy import func, select, update

from services.common.clock import ensure_utc
from services.common.pagination import page, paginate
from services.common.types import new_id

from ..contract import errors as exc
from ..domain.activities import DEFAULT_CANCELLATION
from ..domain.schedule import (CANCELLED, CANCELLED_BY_ADMIN, CANCELLED_BY_SCHEDULE,
                               ORIGIN_SCHEDULE, SCHEDULED, Existing)
from .models import (Activity, BundleType, MembershipType, Occurrence, Org, PassType,
                     PassTypeTerms, Program, Service, SubscriptionPlan)

NOT_FOUND = {
    Org: exc.OrgNotFound, Program: exc.ProgramNotFound, Activity: exc.ActivityNotFound,
    Occurrence: exc.OccurrenceNotFound, Service: exc.ServiceNotFound,
    PassType: exc.PassTypeNotFound, BundleType: exc.BundleTypeNotFound,
    MembershipType: exc.MembershipTypeNotFound, SubscriptionPlan: exc.SubscriptionPlanNotFound,
}

ID_PREFIX = {
    Org: "org", Program: "prg", Activity: "act", Occurrence: "occ", Service: "svc",
    PassType: "pst", BundleType: "bdt", MembershipType: "mbt", SubscriptionPlan: "sbp",
}


# -- activity spec <-> row ----------------------------------------------------------------------

def schedule_to_json(schedule):
    if schedule is None:
        return None
    return {"start_date": schedule["start_date"].isoformat(),
            "end_date": schedule["end_date"].isoformat(),
            "slots": [{"weekday": s["weekday"], "start_time": s["start_time"],
                       "duration_minutes": s["duration_minutes"]} for s in schedule["slots"]],
            "excluded_dates": sorted({d.isoformat() for d in schedule.get("excluded_dates")
                                      or []})}


def schedule_from_json(data):
    if data is None:
        return None
    return {"start_date": date.fromisoformat(data["start_date"]),
            "end_date": date.fromisoformat(data["end_date"]),
            "slots": [dict(s) for s in data["slots"]],
            "excluded_dates": [date.fromisoformat(d) for d in data.get("excluded_dates", [])]}


def activity_spec(row: Activity) -> dict:
    return {
        "program_id": row.program_id, "name": row.name, "accounting_code": row.accounting_code,
        "restrictions": dict(row.restrictions),
        "schedule": schedule_from_json(row.schedule),
        "session": {"enabled": row.session_enabled, "price": row.session_price,
                    "capacity": row.session_capacity, "opens_at": row.session_opens_at,
                    "closes_at": row.session_closes_at,
                    "cancellation": row.session_cancellation},
        "a_la_carte": {
            "enabled": row.alc_enabled, "price": row.alc_price, "capacity": row.alc_capacity,
            "pass_only": row.alc_pass_only,
            "opens_minutes_before": row.alc_opens_minutes_before,
            "closes_minutes_before": row.alc_closes_minutes_before,
            "cancellation": {
                "allowed": row.alc_cancellation_allowed,
                "deadline_minutes_before": row.alc_cancellation_deadline_minutes},
            "fees": row.alc_fees},
        "tax_codes": row.tax_codes,
    }


def write_activity(row: Activity, spec: dict):
    row.program_id = spec["program_id"]
    row.name = spec["name"]
    row.accounting_code = spec.get("accounting_code")
    r = spec["restrictions"]
    row.restrictions = {"min_age": r.get("min_age"), "max_age": r.get("max_age"),
                        "genders": list(r.get("genders") or []),
                        "membership_type_ids": list(r.get("membership_type_ids") or []),
                        "skills": list(r.get("skills") or [])}
    row.schedule = schedule_to_json(spec.get("schedule"))
    s = spec["session"]
    row.session_enabled = bool(s.get("enabled"))
    row.session_price = s.get("price")
    row.session_capacity = s.get("capacity")
    row.session_opens_at = s.get("opens_at")
    row.session_closes_at = s.get("closes_at")
    row.session_cancellation = s.get("cancellation")
    a = spec["a_la_carte"]
    cancellation = a.get("cancellation") or DEFAULT_CANCELLATION
    row.alc_enabled = bool(a.get("enabled"))
    row.alc_price = a.get("price")
    row.alc_capacity = a.get("capacity")
    row.alc_pass_only = bool(a.get("pass_only"))
    row.alc_opens_minutes_before = a.get("opens_minutes_before")
    row.alc_closes_minutes_before = a.get("closes_minutes_before") or 0
    row.alc_cancellation_allowed = bool(cancellation.get("allowed"))
    row.alc_cancellation_deadline_minutes = cancellation.get("deadline_minutes_before") or 0
    row.tax_codes = spec.get("tax_codes")
    row.alc_fees = a.get("fees")


def pass_terms(row: PassTypeTerms) -> dict:
    return {"name": row.name, "price": row.price, "uses": row.uses,
            "valid_days": row.valid_days, "expires_on": row.expires_on, "family": row.family,
            "eligible_activity_ids": list(row.eligible_activity_ids),
            "credit_on_cancel": row.credit_on_cancel, "accounting_code": row.accounting_code,
            "tax_codes": row.tax_codes}


class CatalogRepository:
    def __init__(self, session):
        self.session = session

    # -- generic ------------------------------------------------------------------------------
    def new(self, model, **values):
        row = model(id=new_id(ID_PREFIX[model]), **values)
        self.session.add(row)
        return row

    def org(self, org_id, lock=False) -> Org:
        row = None
        if isinstance(org_id, str):
            row = self.session.get(Org, org_id, with_for_update=True) if lock \
                else self.session.get(Org, org_id)
        if row is None:
            raise exc.OrgNotFound.of(org_id)
        return row

    def tax_codes(self, model, org_id, ids):
        """``[(id, tax_codes)]`` of the things of ``model`` among ``ids`` in this org (R7.1);
        a pass type's codes are those of its current terms."""
        ids = [i for i in ids if isinstance(i, str)]
        if not ids:
            return []
        if model is PassType:
            query = (select(PassType.id, PassTypeTerms.tax_codes)
                     .join(PassTypeTerms, (PassTypeTerms.pass_type_id == PassType.id)
                           & (PassTypeTerms.version == PassType.current_version))
                     .where(PassType.org_id == org_id, PassType.id.in_(ids)))
        else:
            query = select(model.id, model.tax_codes).where(model.org_id == org_id,
                                                            model.id.in_(ids))
        return [(object_id, codes) for object_id, codes in self.session.execute(query)]

    def get(self, model, org_id, object_id, lock=False):
        """The row of ``model`` with this id in this org, or that model's not_found."""
        query = select(model).where(model.id == object_id, model.org_id == org_id)
        if lock:
            query = query.with_for_update()
        row = self.session.execute(query).scalar_one_or_none() \
            if isinstance(object_id, str) else None
        if row is None:
            raise NOT_FOUND[model].of(object_id)
        return row

    def unknown_ids(self, model, org_id, ids):
        """The ids among ``ids`` that are not a ``model`` of this org (order kept)."""
        ids = list(dict.fromkeys(ids or []))
        if not ids:
            return []
        found = set(self.session.execute(select(model.id).where(
            model.org_id == org_id, model.id.in_(ids))).scalars())
        return [i for i in ids if i not in found]

    def page(self, model, org_id, limit=None, cursor=None, *criteria):
        query = (select(model).where(model.org_id == org_id, *criteria)
                 .order_by(model.created_at, model.id))
        query, limit, offset = paginate(query, limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)

    # -- activities and occurrences ------------------------------------------------------------
    def activities_page(self, org_id, program_id=None, limit=None, cursor=None):
        criteria = [Activity.program_id == program_id] if program_id is not None else []
        return self.page(Activity, org_id, limit, cursor, *criteria)

    def activity_stats(self, activity_ids):
        """activity_id -> (occurrence_count, first_starts_at, last_ends_at), scheduled only."""
        if not activity_ids:
            return {}
        rows = self.session.execute(
            select(Occurrence.activity_id, func.count(Occurrence.id),
                   func.min(Occurrence.starts_at), func.max(Occurrence.ends_at))
            .where(Occurrence.activity_id.in_(list(activity_ids)),
                   Occurrence.status == SCHEDULED)
            .group_by(Occurrence.activity_id))
        return {a: (n, ensure_utc(first), ensure_utc(last)) for a, n, first, last in rows}

    def activity_of(self, org_id, occurrence_id):
        """The id of the occurrence's activity (which never changes), or not_found."""
        activity_id = self.session.execute(select(Occurrence.activity_id).where(
            Occurrence.id == occurrence_id, Occurrence.org_id == org_id)).scalar() \
            if isinstance(occurrence_id, str) else None
        if activity_id is None:
            raise NOT_FOUND[Occurrence].of(occurrence_id)
        return activity_id

    def bump_revision(self, activity: Activity):
        """One more revision of ``activity`` (issue 14), in the caller's transaction, for a
        change to it or to one of its occurrences: ``revision = revision + 1`` in SQL (so two
        transactions never give the same number), read back at once."""
        activity.revision = Activity.revision + 1
        self.session.flush()
        return activity.revision

    def existing_occurrences(self, activity_id):
        rows = self.session.execute(select(Occurrence).where(
            Occurrence.activity_id == activity_id)).scalars()
        return [Existing(o.id, o.starts_at, o.ends_at, o.status, o.origin, o.cancel_reason)
                for o in rows]

    def add_occurrence(self, activity: Activity, starts_at, ends_at, origin, now):
        return self.new(Occurrence, org_id=activity.org_id, activity_id=activity.id,
                        starts_at=starts_at, ends_at=ends_at, status=SCHEDULED, origin=origin,
                        cancel_reason=None, cancelled_at=None,
                        alc_capacity=activity.alc_capacity or 0, created_at=now)

    def occurrences_by_id(self, ids):
        ids = list(ids)
        if not ids:
            return []
        return list(self.session.execute(select(Occurrence).where(
            Occurrence.id.in_(ids)).order_by(Occurrence.starts_at, Occurrence.id)).scalars())

    def scheduled_at(self, activity_id, starts_at):
        return self.session.execute(select(Occurrence).where(
            Occurrence.activity_id == activity_id, Occurrence.starts_at == starts_at,
            Occurrence.status == SCHEDULED)).scalars().first()

    def cancel_occurrences(self, ids, now, reason=CANCELLED_BY_ADMIN):
        if ids:
            self.session.execute(update(Occurrence).where(
                Occurrence.id.in_(list(ids)), Occurrence.status == SCHEDULED).values(
                status=CANCELLED, cancel_reason=reason, cancelled_at=now))

    def set_future_capacity(self, activity_id, capacity, now):
        """À la carte seats per occurrence follow the offer for occurrences still to come;
        the past keeps what it had."""
        self.session.execute(update(Occurrence).where(
            Occurrence.activity_id == activity_id, Occurrence.starts_at > now).values(
            alc_capacity=capacity))

    def convert_session_seats(self, activity_id, seats, now) -> bool:
        """R2.6 in the catalog: the session capacity drops by ``seats`` (never below 0: a
        conditional update), the activity's à la carte capacity and that of every future
        occurrence rise by ``seats``, and the activity's revision by one. False if the session
        has fewer seats than that."""
        moved = self.session.execute(update(Activity).where(
            Activity.id == activity_id, Activity.session_capacity >= seats).values(
            session_capacity=Activity.session_capacity - seats,
            session_converted=Activity.session_converted + seats,
            alc_capacity=func.coalesce(Activity.alc_capacity, 0) + seats, updated_at=now,
            revision=Activity.revision + 1)
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            return False
        self.session.execute(update(Occurrence).where(
            Occurrence.activity_id == activity_id, Occurrence.starts_at > now).values(
            alc_capacity=Occurrence.alc_capacity + seats)
            .execution_options(synchronize_session=False))
        return True

    def apply_plan(self, activity: Activity, plan, now):
        """Carry out a :func:`~..domain.schedule.plan_regeneration` plan; returns the created
        and revived occurrences, and the ids cancelled."""
        for occurrence_id, ends_at in plan.reschedule:
            self.session.execute(update(Occurrence).where(Occurrence.id == occurrence_id)
                                 .values(ends_at=ends_at))
        revived = []
        for occurrence_id, ends_at in plan.revive:
            self.session.execute(update(Occurrence).where(
                Occurrence.id == occurrence_id, Occurrence.status == CANCELLED,
                Occurrence.cancel_reason == CANCELLED_BY_SCHEDULE).values(
                status=SCHEDULED, cancel_reason=None, cancelled_at=None, ends_at=ends_at,
                alc_capacity=activity.alc_capacity or 0))
            revived.append(occurrence_id)
        self.cancel_occurrences(plan.cancel, now, CANCELLED_BY_SCHEDULE)
        created = [self.add_occurrence(activity, p.starts_at, p.ends_at, ORIGIN_SCHEDULE, now)
                   for p in plan.create]
        self.session.flush()
        return created, revived

    def occurrences_query(self, org_id, start=None, end=None, activity_id=None,
                          program_id=None, calendar=False, ids=None):
        """(Occurrence, Activity) rows of the org by start: in [start, end), of one activity
        or program, those of the shop's calendar (scheduled, à la carte enabled), or among
        ``ids``."""
        query = (select(Occurrence, Activity).join(Activity, Activity.id == Occurrence.activity_id)
                 .where(Occurrence.org_id == org_id))
        if ids is not None:
            query = query.where(Occurrence.id.in_(list(set(ids))))
        if activity_id is not None:
            query = query.where(Occurrence.activity_id == activity_id)
        if program_id is not None:
            query = query.where(Activity.program_id == program_id)
        if start is not None:
            query = query.where(Occurrence.starts_at >= start)
        if end is not None:
            query = query.where(Occurrence.starts_at < end)
        if calendar:
            query = query.where(Occurrence.status == SCHEDULED, Activity.alc_enabled.is_(True))
        return query.order_by(Occurrence.starts_at, Occurrence.id)

    def occurrences(self, query, limit=None, cursor=None):
        """(rows of (Occurrence, Activity), next_cursor): every row without a limit or a
        cursor, else one page."""
        if limit is None and cursor is None:
            return [tuple(r) for r in self.session.execute(query)], None
        query, limit, offset = paginate(query, limit, cursor)
        return page([tuple(r) for r in self.session.execute(query)], limit, offset)

    # -- pass types -----------------------------------------------------------------------------
    def terms(self, pass_type_id, version):
        return self.session.get(PassTypeTerms, (pass_type_id, version))

    def pass_types_page(self, org_id, limit=None, cursor=None):
        """A page of (PassType, its current PassTypeTerms)."""
        query = (select(PassType, PassTypeTerms)
                 .join(PassTypeTerms, (PassTypeTerms.pass_type_id == PassType.id)
                       & (PassTypeTerms.version == PassType.current_version))
                 .where(PassType.org_id == org_id)
                 .order_by(PassType.created_at, PassType.id))
        query, limit, offset = paginate(query, limit, cursor)
        return page([tuple(r) for r in self.session.execute(query)], limit, offset)

    def service_prices(self, org_id, ids):
        rows = self.session.execute(select(Service.id, Service.price).where(
            Service.org_id == org_id, Service.id.in_(list(ids)))).all()
        return {i: p for i, p in rows}
