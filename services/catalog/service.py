"""Catalog service entrypoints (docs/contracts.md, "catalog").

Each entrypoint loads its input with a contract schema, opens a unit of work, applies the
domain's rules (``domain/``) to rows read through the repository (``adapters/``), records
the event of the change in the same transaction, and returns the contract's JSON.
"""
import logging
from datetime import timedelta
from pathlib import Path

from nameko.rpc import RpcProxy, rpc

from services.common.errors import ServiceUnavailable
from services.common.peers import refusals_in_own_words
from services.common.schemas import load
from services.common.service import Clock, ServiceBase
from services.common.types import new_id
from services.common.uow import Database
# Registered so that registration's errors arrive here as themselves (and are translated).
from services.registration.contract import errors as _registration_errors  # noqa: F401

from .contract import errors, schemas
from .edits import CatalogEditEntrypoints
from .adapters import peers
from .adapters.models import (Activity, BundleType, MembershipType, Occurrence, Org, PassType,
                              PassTypeTerms, Program, Service, SubscriptionPlan, metadata)
from .adapters.presenters import (activity_view, bundle_type_view, membership_type_view,
                                  occurrence_view, org_view, pass_type_view, program_view,
                                  service_view, subscription_plan_view, tz_of)
from .adapters.repository import CatalogRepository, activity_spec, pass_terms, write_activity
from .domain import activities, products
from .domain import taxes as tax_rules
from .domain import schedule as scheduling
from .domain.timeutil import localize, parse_bound
from .contract.errors import NotEnoughUnsoldSeats
from .contract.errors import (ALaCarteInUse, InvalidCatalogInput, OccurrenceExists,
                         PassTypeTermsNotFound)

log = logging.getLogger(__name__)

MAX_CALENDAR_DAYS = 366
MAX_OCCURRENCE_IDS = 1000


def _deep_update(target, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value
    return target


def _raise_if(errors):
    if errors:
        raise InvalidCatalogInput("the request is not valid", errors)


def _unknown(what, ids):
    return [f"no {what} {', '.join(ids)} in this organisation"]


def _localize_offers(data, tz):
    """Session window times sent without an offset are the org's local time (R1.4)."""
    session = data.get("session")
    if session:
        for name in ("opens_at", "closes_at"):
            if session.get(name) is not None:
                session[name] = localize(session[name], tz)
    return data


def _bounds(tz, from_, to, required=False):
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
    _raise_if(errors)
    return parsed["from"], parsed["to"]


_TAXED = {"activity": Activity, "service": Service, "pass_type": PassType,
          "bundle_type": BundleType, "membership_type": MembershipType,
          "subscription_plan": SubscriptionPlan}


def _tax_code_errors(repo, org_id, tax_codes):
    """R7.1: a thing's tax codes must be taxes of its org (None: all of them)."""
    return tax_rules.tax_code_errors(tax_codes, repo.org(org_id).taxes)


def _page_args(limit, cursor):
    args = load(schemas.PageQuery(), {k: v for k, v in (("limit", limit), ("cursor", cursor))
                                      if v is not None})
    return args.get("limit"), args.get("cursor")


class CatalogService(CatalogEditEntrypoints, ServiceBase):
    name = "catalog"
    db = Database("catalog", metadata, Path(__file__).parent / "migrations")
    clock = Clock()
    registration = RpcProxy("registration")

    # -- orgs (R1.1) ------------------------------------------------------------------------------
    @rpc
    def create_org(self, data):
        data = load(schemas.OrgIn(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            org = repo.new(Org, name=data["name"], timezone=data["timezone"],
                           currency=data["currency"], locale=data.get("locale", "fr"),
                           created_at=now)
            uow.flush()
            view = org_view(org)
            uow.emit("org_created", view)
            uow.commit()
        return view

    @rpc
    def get_org(self, org_id):
        with self.db.uow(readonly=True) as uow:
            return org_view(CatalogRepository(uow.session).org(org_id))

    @rpc
    def update_org(self, org_id, patch):
        """``PATCH /orgs/{org}`` (R7.1): name, locale, address, ``prices_include_tax`` and
        ``taxes`` (the list replaces the org's). The timezone and currency never change.
        Things whose ``tax_codes`` name a tax the org drops simply stop paying it."""
        patch = load(schemas.OrgPatch(), patch)
        errors = {}
        if "taxes" in patch:
            patch["taxes"], errors = tax_rules.normalise_taxes(patch["taxes"])
        _raise_if(errors)
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            org = repo.org(org_id, lock=True)
            for name in ("name", "locale", "address", "prices_include_tax", "taxes"):
                if name in patch:
                    setattr(org, name, patch[name])
            uow.flush()
            view = org_view(org)
            uow.emit("org_updated", view)
            uow.commit()
        return view

    @rpc
    def tax_rules(self, org_id, refs):
        """What billing needs to tax a sale, in one answer (docs/taxes.md): the org's
        ``prices_include_tax`` and ``taxes``, and for each ``{type, id}`` of ``refs``
        (type: activity, service, pass_type, bundle_type, membership_type,
        subscription_plan) the codes that apply to it now, keyed ``"type:id"`` (unknown
        ids are left out)."""
        data = load(schemas.TaxRulesIn(), {"refs": refs})
        wanted = {}
        for ref in data["refs"]:
            model = _TAXED.get(ref.get("type"))
            if model is None or not isinstance(ref.get("id"), str):
                _raise_if({"refs": ["each {type, id} with type one of "
                                    + ", ".join(sorted(_TAXED))]})
            wanted.setdefault(ref["type"], set()).add(ref["id"])
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            org = repo.org(org_id)
            taxes = [dict(t) for t in org.taxes or []]
            include = bool(org.prices_include_tax)
            codes = {}
            for kind, ids in wanted.items():
                for object_id, tax_codes in repo.tax_codes(_TAXED[kind], org_id, ids):
                    codes[f"{kind}:{object_id}"] = tax_rules.effective_codes(tax_codes, taxes)
        return {"org_id": org_id, "prices_include_tax": include, "taxes": taxes,
                "codes": codes}

    # -- programs (R2.1) --------------------------------------------------------------------------
    @rpc
    def create_program(self, org_id, data):
        data = load(schemas.ProgramIn(), data)
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            program = repo.new(Program, org_id=org_id, name=data["name"],
                               created_at=self.clock.now())
            uow.flush()
            view = program_view(program)
            uow.emit("program_created", view)
            uow.commit()
        return view

    @rpc
    def get_program(self, org_id, program_id):
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            return program_view(repo.get(Program, org_id, program_id))

    @rpc
    def list_programs(self, org_id, limit=None, cursor=None):
        return self._list(org_id, Program, program_view, limit, cursor)

    # -- activities (R2.1, R2.2, R2.3, R2.7) -------------------------------------------------------
    def _check_activity(self, repo, org_id, spec):
        errors = activities.spec_errors(spec)
        program_id, membership_type_ids = activities.referenced_ids(spec)
        if program_id and repo.unknown_ids(Program, org_id, [program_id]):
            errors["program_id"] = _unknown("program", [program_id])
        missing = repo.unknown_ids(MembershipType, org_id, membership_type_ids)
        if missing:
            _deep_update(errors, {"restrictions": {
                "membership_type_ids": _unknown("membership type", missing)}})
        errors.update(_tax_code_errors(repo, org_id, spec.get("tax_codes")))
        _raise_if(errors)

    @rpc
    def create_activity(self, org_id, data):
        data = load(schemas.ActivityIn(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            spec = activities.new_spec(_localize_offers(data, tz))
            self._check_activity(repo, org_id, spec)
            activity = repo.new(Activity, org_id=org_id, created_at=now, updated_at=now)
            write_activity(activity, spec)
            uow.flush()
            for planned in scheduling.generate(spec["schedule"], tz):
                repo.add_occurrence(activity, planned.starts_at, planned.ends_at,
                                    scheduling.ORIGIN_SCHEDULE, now)
            uow.flush()
            view = activity_view(activity, tz, repo.activity_stats([activity.id]))
            uow.emit("activity_created", view)
            uow.commit()
        return view

    @rpc
    def update_activity(self, org_id, activity_id, patch):
        """PATCH: nested offers and restrictions merge; a schedule change regenerates the
        future occurrences (keeping the ids of those whose start does not move)."""
        patch = load(schemas.ActivityPatch(), patch)
        if (patch.get("a_la_carte") or {}).get("enabled") is False:
            self._check_a_la_carte_unused(org_id, activity_id)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            activity = repo.get(Activity, org_id, activity_id, lock=True)
            before = activity_spec(activity)
            spec = activities.apply_patch(before, _localize_offers(patch, tz))
            self._check_activity(repo, org_id, spec)
            write_activity(activity, spec)
            activity.updated_at = now
            uow.flush()
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
            uow.emit("activity_updated", view)
            for occurrence in repo.occurrences_by_id(added):
                uow.emit("occurrence_added", occurrence_view(occurrence, activity, tz))
            for occurrence in repo.occurrences_by_id(cancelled):
                uow.emit("occurrence_cancelled", occurrence_view(occurrence, activity, tz))
            uow.commit()
        return view

    def _check_a_la_carte_unused(self, org_id, activity_id):
        """R2.5: switching à la carte off needs no active (held or confirmed) à la carte
        registration; registration is asked before the write transaction opens. (A hold
        placed between this answer and the commit is not seen: the offer is off for the
        next one.)"""
        with self.db.uow(readonly=True) as uow:
            CatalogRepository(uow.session).get(Activity, org_id, activity_id)
        answer = peers.call(self.registration, "a_la_carte_in_use", org_id, activity_id)
        if answer.get("in_use"):
            raise ALaCarteInUse(
                "à la carte cannot be switched off while à la carte registrations are active",
                {"active_registrations": answer.get("count")})

    # -- seat conversions (R2.6) -------------------------------------------------------------------
    @rpc
    def convert_seats(self, org_id, activity_id, data):
        """K unsold session seats become à la carte seats: the session capacity drops by K,
        the activity's and every future occurrence's à la carte capacity rise by K.

        Registration takes the K seats in the session pool first (a conditional update, so
        concurrent holds cannot take them meanwhile; ``not_enough_unsold_seats`` if fewer are
        unsold), then the catalog records the new capacities; if that fails, or registration
        does not answer, the conversion is given up by its id: its seats go back to the pool
        once, and a take arriving after that is refused. The pool's capacity never changes:
        it is the session capacity plus the seats converted so far, which is also what holds
        refresh it to."""
        data = load(schemas.SeatConversionIn(), data)
        seats = data["seats"]
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            activity = repo.get(Activity, org_id, activity_id)
            capacity = activity.session_capacity or 0
            pool_capacity = capacity + (activity.session_converted or 0)
        if seats > capacity:
            raise NotEnoughUnsoldSeats(
                "the session does not have that many seats",
                {"seats": seats, "session_capacity": capacity})
        conversion = {"conversion_id": new_id("cnv"), "seats": seats}
        try:
            with refusals_in_own_words(errors):
                peers.call(self.registration, "reserve_converted_seats", org_id, activity_id,
                           dict(conversion, pool_capacity=pool_capacity))
        except ServiceUnavailable:
            # no answer: the seats may have been taken; give the conversion up (once: a
            # late reserve is refused)
            self._give_back_converted(org_id, activity_id, conversion)
            raise
        try:
            now = self.clock.now()
            with self.db.uow() as uow:
                repo = CatalogRepository(uow.session)
                tz = tz_of(repo.org(org_id))
                if not repo.convert_session_seats(activity_id, seats, now):
                    raise NotEnoughUnsoldSeats(
                        "the session capacity changed meanwhile; try again",
                        {"seats": seats})
                uow.session.expire_all()
                activity = repo.get(Activity, org_id, activity_id)
                view = activity_view(activity, tz, repo.activity_stats([activity.id]))
                uow.emit("activity_updated", view)
                uow.emit("seats_converted", {"org_id": org_id, "activity_id": activity_id,
                                             "seats": seats})
                uow.commit()
        except Exception:
            self._give_back_converted(org_id, activity_id, conversion)
            raise
        return {"activity_id": activity_id, "seats": seats,
                "session_capacity": view["session"]["capacity"],
                "a_la_carte_capacity": view["a_la_carte"]["capacity"]}

    def _give_back_converted(self, org_id, activity_id, conversion):
        try:
            peers.call(self.registration, "return_converted_seats", org_id, activity_id,
                       conversion)
        except Exception:
            log.error("seat conversion %s of %s: %s seats taken in registration's session "
                      "pool could not be given back (retry return_converted_seats with it: "
                      "it gives them back once)", conversion["conversion_id"], activity_id,
                      conversion["seats"], exc_info=True)

    @rpc
    def get_activity(self, org_id, activity_id):
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            activity = repo.get(Activity, org_id, activity_id)
            return activity_view(activity, tz, repo.activity_stats([activity.id]))

    @rpc
    def list_activities(self, org_id, program_id=None, limit=None, cursor=None):
        limit, cursor = _page_args(limit, cursor)
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            criteria = [Activity.program_id == program_id] if program_id is not None else []
            rows, next_cursor = repo.page(Activity, org_id, limit, cursor, *criteria)
            stats = repo.activity_stats([a.id for a in rows])
            return {"items": [activity_view(a, tz, stats) for a in rows],
                    "next_cursor": next_cursor}

    # -- occurrences (R2.1) ------------------------------------------------------------------------
    @rpc
    def list_occurrences(self, org_id, activity_id, from_=None, to=None, limit=None,
                         cursor=None):
        """Every occurrence of an activity starting in [from, to) (all without a limit),
        cancelled ones included, each with ``a_la_carte.bookable``/``reason`` now."""
        limit, cursor = (None, None) if limit is None and cursor is None \
            else _page_args(limit, cursor)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            start, end = _bounds(tz, from_, to)
            repo.get(Activity, org_id, activity_id)
            rows, next_cursor = repo.occurrences(
                repo.occurrences_query(org_id, start, end, activity_id=activity_id),
                limit, cursor)
            return {"items": [occurrence_view(o, a, tz, now) for o, a in rows],
                    "next_cursor": next_cursor}

    @rpc
    def get_occurrence(self, org_id, occurrence_id):
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            occurrence = repo.get(Occurrence, org_id, occurrence_id)
            activity = repo.get(Activity, org_id, occurrence.activity_id)
            return occurrence_view(occurrence, activity, tz, self.clock.now())

    @rpc
    def get_occurrences(self, org_id, occurrence_ids):
        """The occurrences among ``occurrence_ids`` that exist in this org (unknown ids are
        left out), ordered by start."""
        if not isinstance(occurrence_ids, list) or not all(
                isinstance(i, str) for i in occurrence_ids):
            _raise_if({"occurrence_ids": ["a list of occurrence ids"]})
        if len(occurrence_ids) > MAX_OCCURRENCE_IDS:
            _raise_if({"occurrence_ids": [f"at most {MAX_OCCURRENCE_IDS} ids"]})
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            rows, _ = repo.occurrences(repo.occurrences_query(org_id).where(
                Occurrence.id.in_(list(set(occurrence_ids)))))
            return {"items": [occurrence_view(o, a, tz, now) for o, a in rows]}

    @rpc
    def add_occurrence(self, org_id, activity_id, data):
        """A single occurrence outside the schedule (R2.1)."""
        data = load(schemas.OccurrenceIn(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
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
            uow.flush()
            uow.emit("occurrence_added", occurrence_view(occurrence, activity, tz))
            uow.commit()
            return occurrence_view(occurrence, activity, tz, now)

    @rpc
    def cancel_occurrence(self, org_id, occurrence_id):
        """Cancel one occurrence (R2.1). Cancelling a cancelled occurrence changes nothing."""
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            occurrence = repo.get(Occurrence, org_id, occurrence_id, lock=True)
            activity = repo.get(Activity, org_id, occurrence.activity_id)
            if occurrence.status != scheduling.CANCELLED:
                occurrence.status = scheduling.CANCELLED
                occurrence.cancel_reason = scheduling.CANCELLED_BY_ADMIN
                occurrence.cancelled_at = now
                uow.flush()
                uow.emit("occurrence_cancelled", occurrence_view(occurrence, activity, tz))
            uow.commit()
            return occurrence_view(occurrence, activity, tz, now)

    @rpc
    def calendar(self, org_id, from_=None, to=None, program_id=None, limit=None, cursor=None):
        """Occurrences in [from, to) that are scheduled with à la carte enabled, across
        activities (the shop's calendar), each with ``bookable``/``reason`` now."""
        limit, cursor = (None, None) if limit is None and cursor is None \
            else _page_args(limit, cursor)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            start, end = _bounds(tz, from_, to, required=True)
            if end - start > timedelta(days=MAX_CALENDAR_DAYS):
                _raise_if({"to": [f"at most {MAX_CALENDAR_DAYS} days after from"]})
            rows, next_cursor = repo.occurrences(
                repo.occurrences_query(org_id, start, end, program_id=program_id,
                                       calendar=True), limit, cursor)
            return {"items": [occurrence_view(o, a, tz, now) for o, a in rows],
                    "next_cursor": next_cursor}

    # -- services (R2.10) --------------------------------------------------------------------------
    @rpc
    def create_service(self, org_id, data):
        data = load(schemas.ServiceIn(), data)
        return self._create(org_id, Service, data, service_view, "service_created")

    @rpc
    def get_service(self, org_id, service_id):
        return self._get(org_id, Service, service_id, service_view)

    @rpc
    def list_services(self, org_id, limit=None, cursor=None):
        return self._list(org_id, Service, service_view, limit, cursor)

    # -- pass types (R2.8, R2.9) -------------------------------------------------------------------
    def _check_pass_terms(self, repo, org_id, terms):
        errors = products.pass_terms_errors(terms)
        missing = repo.unknown_ids(Activity, org_id, terms["eligible_activity_ids"])
        if missing:
            errors["eligible_activity_ids"] = _unknown("activity", missing)
        errors.update(_tax_code_errors(repo, org_id, terms.get("tax_codes")))
        _raise_if(errors)

    def _add_terms(self, repo, pass_type, version, terms, now):
        row = PassTypeTerms(pass_type_id=pass_type.id, version=version, created_at=now,
                            **{k: terms[k] for k in products.PASS_TERMS})
        repo.session.add(row)
        return row

    @rpc
    def create_pass_type(self, org_id, data):
        data = load(schemas.PassTypeIn(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            terms = products.new_pass_terms(data)
            self._check_pass_terms(repo, org_id, terms)
            pass_type = repo.new(PassType, org_id=org_id, current_version=1, created_at=now,
                                 updated_at=now)
            uow.flush()
            row = self._add_terms(repo, pass_type, 1, terms, now)
            uow.flush()
            view = pass_type_view(pass_type, row, tz)
            uow.emit("pass_type_created", view)
            uow.commit()
        return view

    @rpc
    def update_pass_type(self, org_id, pass_type_id, patch):
        """Every edit is a new terms version; sales keep the version they were sold under
        (R2.9), retrievable with :meth:`get_pass_type_terms`."""
        patch = load(schemas.PassTypePatch(), patch)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            pass_type = repo.get(PassType, org_id, pass_type_id, lock=True)
            current = pass_terms(repo.terms(pass_type.id, pass_type.current_version))
            terms = products.patch_pass_terms(current, patch)
            self._check_pass_terms(repo, org_id, terms)
            version = pass_type.current_version + 1
            row = self._add_terms(repo, pass_type, version, terms, now)
            pass_type.current_version = version
            pass_type.updated_at = now
            uow.flush()
            view = pass_type_view(pass_type, row, tz)
            uow.emit("pass_type_updated", view)
            uow.commit()
        return view

    @rpc
    def get_pass_type(self, org_id, pass_type_id):
        return self.get_pass_type_terms(org_id, pass_type_id)

    @rpc
    def get_pass_type_terms(self, org_id, pass_type_id, terms_version=None):
        """The pass type with the terms of ``terms_version`` (default: the current ones)."""
        if terms_version is not None and (not isinstance(terms_version, int)
                                          or isinstance(terms_version, bool)):
            _raise_if({"terms_version": ["a version number"]})
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            pass_type = repo.get(PassType, org_id, pass_type_id)
            version = pass_type.current_version if terms_version is None else terms_version
            terms = repo.terms(pass_type.id, version)
            if terms is None:
                raise PassTypeTermsNotFound(
                    f"pass type {pass_type_id} has no terms version {version}",
                    {"id": pass_type_id, "terms_version": version})
            return pass_type_view(pass_type, terms, tz)

    @rpc
    def list_pass_types(self, org_id, limit=None, cursor=None):
        limit, cursor = _page_args(limit, cursor)
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            tz = tz_of(repo.org(org_id))
            rows, next_cursor = repo.pass_types_page(org_id, limit, cursor)
            return {"items": [pass_type_view(p, t, tz) for p, t in rows],
                    "next_cursor": next_cursor}

    # -- bundle types (R2.11) ----------------------------------------------------------------------
    @rpc
    def create_bundle_type(self, org_id, data):
        data = load(schemas.BundleTypeIn(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            divisions = data["divisions"]
            errors = products.divisions_errors(divisions)
            prices = repo.service_prices(org_id, products.bundle_service_ids(divisions))
            for d, division in enumerate(divisions):
                for i, item in enumerate(division["items"]):
                    if item["service_id"] not in prices:
                        _deep_update(errors, {"divisions": {d: {"items": {i: {
                            "service_id": _unknown("service", [item["service_id"]])}}}}})
            errors.update(_tax_code_errors(repo, org_id, data.get("tax_codes")))
            _raise_if(errors)
            bundle_type = repo.new(BundleType, org_id=org_id, name=data["name"],
                                   accounting_code=data.get("accounting_code"),
                                   tax_codes=data.get("tax_codes"),
                                   divisions=products.priced_divisions(divisions, prices),
                                   created_at=now)
            uow.flush()
            view = bundle_type_view(bundle_type)
            uow.emit("bundle_type_created", view)
            uow.commit()
        return view

    @rpc
    def get_bundle_type(self, org_id, bundle_type_id):
        return self._get(org_id, BundleType, bundle_type_id, bundle_type_view)

    @rpc
    def list_bundle_types(self, org_id, limit=None, cursor=None):
        return self._list(org_id, BundleType, bundle_type_view, limit, cursor)

    # -- membership types (R2.12) ------------------------------------------------------------------
    @rpc
    def create_membership_type(self, org_id, data):
        data = load(schemas.MembershipTypeIn(), data)
        return self._create(org_id, MembershipType, data, membership_type_view,
                            "membership_type_created")

    @rpc
    def get_membership_type(self, org_id, membership_type_id):
        return self._get(org_id, MembershipType, membership_type_id, membership_type_view)

    @rpc
    def list_membership_types(self, org_id, limit=None, cursor=None):
        return self._list(org_id, MembershipType, membership_type_view, limit, cursor)

    # -- subscription plans (R2.13) ----------------------------------------------------------------
    @rpc
    def create_subscription_plan(self, org_id, data):
        data = load(schemas.SubscriptionPlanIn(), data)
        data["activity_ids"] = list(dict.fromkeys(data["activity_ids"]))

        def check(repo):
            missing = repo.unknown_ids(Activity, org_id, data["activity_ids"])
            _raise_if({"activity_ids": _unknown("activity", missing)} if missing else {})

        return self._create(org_id, SubscriptionPlan, data, subscription_plan_view,
                            "subscription_plan_created", check)

    @rpc
    def get_subscription_plan(self, org_id, plan_id):
        return self._get(org_id, SubscriptionPlan, plan_id, subscription_plan_view)

    @rpc
    def list_subscription_plans(self, org_id, limit=None, cursor=None):
        return self._list(org_id, SubscriptionPlan, subscription_plan_view, limit, cursor)

    # -- the plain create / get / list of simple catalog objects ----------------------------------
    def _create(self, org_id, model, data, view_of, event_type, check=None):
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            if check is not None:
                check(repo)
            _raise_if(_tax_code_errors(repo, org_id, data.get("tax_codes")))
            row = repo.new(model, org_id=org_id, created_at=self.clock.now(), **data)
            uow.flush()
            view = view_of(row)
            uow.emit(event_type, view)
            uow.commit()
        return view

    def _get(self, org_id, model, object_id, view_of):
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            return view_of(repo.get(model, org_id, object_id))

    def _list(self, org_id, model, view_of, limit, cursor):
        limit, cursor = _page_args(limit, cursor)
        with self.db.uow(readonly=True) as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            rows, next_cursor = repo.page(model, org_id, limit, cursor)
            return {"items": [view_of(r) for r in rows], "next_cursor": next_cursor}
