"""Registration service entrypoints: seats, holds and registrations (R2.4, R3.1–R3.8).

Each entrypoint loads its input with a schema, asks the other services what it needs by RPC
(outside any database transaction), opens a unit of work, applies the domain's rules
(``domain/rules.py``) and the database's capacity guard (``adapters/repositories.py``), and
emits its events in the same transaction.

Capacities come from the catalog: each hold asks for the activity (and occurrence) anyway,
for the window, restrictions and price, so the pool's capacity is refreshed from that answer
on every hold; catalog edits and seat conversions (R2.6) apply from the next hold on.
"""
import logging
from dataclasses import replace
from pathlib import Path

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

# Registered so that their errors arrive here as themselves, not as RemoteError.
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.common.service import Clock
from services.common.errors import InvalidInput, NotFound
from services.common.schemas import load
from services.common.service import ServiceBase
from services.passes.contract import errors as _passes_errors  # noqa: F401

from . import metrics as _metrics  # noqa: F401 - registers the scrape-time gauges
from . import settings
from .adapters import offerings, peers
from .adapters.models import metadata
from .adapters.repositories import Registrations, Seats, new_hold, registration_dict
from .appointments import AppointmentEntrypoints
from .domain import participants, rules, session_cancel
from .contract.errors import (AlreadyRegistered, HoldExpired, OfferingNotFound,
                         RegistrationNotFound, RegistrationNotHeld, SoldOut)
from .pass_booking import PassBookingEntrypoints
from .contract.schemas import ActivityQuery, CancelIn, ConfirmIn, HoldIn, ListQuery
from .seat_rules import SeatRulesEntrypoints, cancelled_event, event_data
from .subscription_seats import SubscriptionSeatsEntrypoints
from .waitlist import WaitlistEntrypoints
from .policies import (WALK_IN, PolicyEntrypoints, check_walk_in, late_cancel_fee,
                       walk_in_person)
from .adapters.waitlist import OfferingDatabase

log = logging.getLogger(__name__)


class RegistrationService(AppointmentEntrypoints, PassBookingEntrypoints,
                          SeatRulesEntrypoints, SubscriptionSeatsEntrypoints,
                          WaitlistEntrypoints, PolicyEntrypoints, ServiceBase):
    name = "registration"
    # its units of work offer the seats they free to the waiting list (R3.9)
    db = OfferingDatabase("registration", metadata, Path(__file__).parent / "migrations")
    clock = Clock()
    catalog = RpcProxy("catalog")
    accounts = RpcProxy("accounts")
    passes = RpcProxy("passes")

    # -- asking the others ------------------------------------------------------------------------
    def _ask(self, reply, what):
        try:
            return peers.wait_for(reply, what)
        except NotFound as exc:
            raise OfferingNotFound(exc.message, exc.details)

    def _gather(self, org_id, data):
        """(offering, reply to come with the member) for a hold, from catalog and accounts;
        the member is asked for in parallel with the catalog."""
        member_reply = self._ask_member(org_id, data)
        if data["kind"] == rules.SESSION:
            activity = self._ask(peers.start(self.catalog, "get_activity", org_id,
                                             data["activity_id"]), "catalog.get_activity")
            offering = offerings.session_offering(org_id, activity)
            if offering.eligibility_date is None:  # no occurrence yet: judged on today
                offering = replace(offering, eligibility_date=self.clock.now().date())
        else:
            occurrence = self._ask(peers.start(self.catalog, "get_occurrence", org_id,
                                               data["occurrence_id"]), "catalog.get_occurrence")
            activity = self._ask(peers.start(self.catalog, "get_activity", org_id,
                                             occurrence["activity_id"]), "catalog.get_activity")
            offering = offerings.a_la_carte_offering(org_id, activity, occurrence)
        return offering, member_reply

    def _ask_member(self, org_id, data):
        if data.get("walk_in_name"):
            return WALK_IN  # R8.3: nobody to ask for
        if settings.unsafe_capacity_check():
            return None  # the naive path asks later, between its count and its insert
        return peers.start(self.accounts, "get_member", org_id, data["member_id"])

    def _person(self, org_id, data, member_reply):
        if data.get("walk_in_name"):
            return walk_in_person(data)
        if member_reply is None:
            member_reply = peers.start(self.accounts, "get_member", org_id, data["member_id"])
        member = self._ask(member_reply, "accounts.get_member")
        if member.get("account_id") != data["account_id"]:
            raise OfferingNotFound("this member is not in this account",
                                   {"member_id": data["member_id"]})
        return offerings.person_of(member)

    def _memberships(self, org_id, offering, person):
        if not (offering.offered and offering.restrictions.needs_membership):
            return []
        answer = peers.call(self.passes, "active_memberships", org_id, person.member_id,
                            offering.eligibility_date.isoformat())
        return offerings.active_membership_type_ids(answer)

    # -- holds (R3.1–R3.3) ------------------------------------------------------------------------
    @rpc
    def hold(self, org_id, data):
        data = load(HoldIn(), data)
        offering, member_reply = self._gather(org_id, data)
        if settings.unsafe_capacity_check():
            return self._hold_naively(org_id, data, offering, member_reply)
        person = self._person(org_id, data, member_reply)
        memberships = self._memberships(org_id, offering, person)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            retried = Registrations(uow.session).active_for_cart_item(org_id,
                                                                      data["cart_item_id"])
            if retried is not None and retried.member_id == person.member_id \
                    and retried.pool_id == offering.pool_key:
                retried = registration_dict(retried)  # the same request again: the same hold
            else:
                retried = None
        if retried is not None:  # paid with a pass: its debit again (a replay if it was made)
            return self._debit_hold(org_id, retried) if retried["paid_with"]["type"] == \
                rules.PASS else retried
        self._check(offering, person, data, memberships, now)
        result, first_use = self._place_hold(offering, person, data, now)
        if first_use:
            self._learn_occurrences(org_id, offering)
        if result["paid_with"]["type"] == rules.PASS:  # R3.4: the seat and the use together
            return self._debit_hold(org_id, result)
        return result

    def _place_hold(self, offering, person, data, now):
        """The hold, once the caller's checks passed, in one transaction with the pool's
        conditional update (R3.1): the registration as a dict, and whether it was the
        pool's first use."""
        with self.db.uow() as uow:
            registration, expired, first_use = Seats(uow.session).place_hold(
                offering, person, data, now, settings.hold_ttl_seconds())
            for lapsed in expired:
                uow.emit("registration_expired", event_data(lapsed))
            result = registration_dict(registration)
            uow.emit("registration_held", result)
            uow.commit()
        return result, first_use

    @staticmethod
    def _check(offering, person, data, memberships, now):
        if data.get("walk_in_name"):
            check_walk_in(offering, data)
        rules.check_open(offering, now)
        rules.check_payment(offering, data.get("pay_with"))
        rules.check_eligible(offering, person, memberships)

    def _hold_naively(self, org_id, data, offering, member_reply):
        """TEST ONLY (CARNET_UNSAFE_CAPACITY_CHECK=1): count the seats in one transaction,
        then look the member up (an RPC: other requests run meanwhile), then insert in
        another transaction — what the conditional update exists to prevent. Two requests
        can both see a free seat and both take it."""
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            taken = Registrations(uow.session).live_count(offering.pool_key, now)
        if taken >= offering.capacity:
            raise SoldOut("no seat is left", {"kind": offering.kind,
                                              "capacity": offering.capacity})
        person = self._person(org_id, data, member_reply)
        memberships = self._memberships(org_id, offering, person)
        self._check(offering, person, data, memberships, now)
        with self.db.uow() as uow:
            seats = Seats(uow.session)
            seats.ensure_pool(offering, now)
            seats.take_seat_unconditionally(offering.pool_key, now)
            registration = new_hold(offering, person, data, now, settings.hold_ttl_seconds())
            try:
                seats.add_hold(registration)
            except IntegrityError:
                raise AlreadyRegistered("this member is already registered",
                                        {"member_id": person.member_id})
            result = registration_dict(registration)
            uow.emit("registration_held", result)
            uow.commit()
        return result

    def _learn_occurrences(self, org_id, offering):
        """After a session pool's first hold: remember the activity's occurrences, so that
        ``seat_counts`` can give each of them the session seats. Best effort: if it fails,
        the next session hold tries again."""
        try:
            answer = peers.call(self.catalog, "list_occurrences", org_id, offering.activity_id)
        except Exception:
            log.warning("could not list the occurrences of %s now; the next session hold "
                        "will try again", offering.activity_id, exc_info=True)
            return
        with self.db.uow() as uow:
            seats = Seats(uow.session)
            seats.remember_occurrences(org_id, offering.activity_id,
                                       [o["id"] for o in answer.get("items", [])])
            seats.mark_occurrences_known(offering.pool_key)
            uow.commit()

    @event_handler("catalog", "occurrence_added")
    def on_occurrence_added(self, payload):
        occurrence = payload.get("data") or {}
        if not occurrence.get("id") or not occurrence.get("activity_id"):
            return
        with self.db.uow() as uow:
            if not uow.claim_event(payload):
                return
            Seats(uow.session).remember_occurrences(
                occurrence.get("org_id"), occurrence["activity_id"], [occurrence["id"]])
            uow.commit()

    @timer(interval=settings.sweep_interval())
    def expire_lapsed_holds(self):
        """Lapsed holds free their seats by themselves (R3.1), one pool per transaction.
        Several instances sweep at once: a pool locked by another transaction is skipped."""
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            pools = Seats(uow.session).pools_with_lapsed_holds(now)
        for pool_id in pools:
            with self.db.uow() as uow:
                seats = Seats(uow.session)
                if seats.lock_pool(pool_id, skip_locked=True) is None:
                    continue
                for lapsed in seats.expire_lapsed(pool_id, now):
                    uow.emit("registration_expired", event_data(lapsed))
                uow.commit()

    # -- the checkout saga --------------------------------------------------------------------------
    @rpc
    def release(self, org_id, registration_id):
        """Free a hold's seat (cart item removed, checkout abandoned). Idempotent: a hold
        already released, expired or cancelled is returned as it is."""
        now = self.clock.now()
        with self.db.uow() as uow:
            registration = self._locked(uow.session, org_id, registration_id)
            if registration.status == rules.CONFIRMED:
                raise RegistrationNotHeld("a confirmed registration is cancelled, not released",
                                          {"status": registration.status})
            if registration.status == rules.HELD:
                Seats(uow.session).finish(registration, rules.RELEASED, now)
                uow.emit("registration_released", event_data(registration))
            result = registration_dict(registration)
            uow.commit()
        if result["paid_with"]["type"] == rules.PASS and result["status"] == rules.RELEASED:
            self._give_pass_use_back("registration_released", result)
        return result

    @rpc
    def confirm(self, org_id, registration_ids, invoice_id):
        """Confirm holds paid by ``invoice_id``: all of them or none. A hold that lapsed
        and was expired takes its seat again if one is free, else ``hold_expired``.
        Confirming again with the same invoice changes nothing."""
        data = load(ConfirmIn(), {"registration_ids": registration_ids,
                                  "invoice_id": invoice_id})
        ids = list(dict.fromkeys(data["registration_ids"]))
        now = self.clock.now()
        with self.db.uow() as uow:
            seats, reads = Seats(uow.session), Registrations(uow.session)
            found = reads.get_many(org_id, ids)
            missing = sorted(set(ids) - {r.id for r in found})
            if missing:
                raise RegistrationNotFound("no such registration", {"registration_ids": missing})
            for pool_id in sorted({r.pool_id for r in found}):
                seats.lock_pool(pool_id)
            confirmed, events = [], []
            for registration_id in ids:
                registration = seats.reload(registration_id)
                if registration.status == rules.CONFIRMED:
                    if registration.invoice_id != data["invoice_id"]:
                        raise RegistrationNotHeld(
                            "this registration was confirmed by another invoice",
                            {"registration_id": registration.id})
                elif registration.status in (rules.HELD, rules.EXPIRED):
                    if registration.status == rules.EXPIRED and \
                            registration.paid_with_type == rules.PASS:
                        # its pass use was given back when it expired (R3.4)
                        raise HoldExpired("the hold expired and its pass use was given back",
                                          {"registration_id": registration.id})
                    if registration.status == rules.EXPIRED:
                        events += [("registration_expired", r)
                                   for r in seats.retake(registration, now)]
                    seats.confirm(registration, data["invoice_id"], now)
                    events.append(("registration_confirmed", registration))
                else:
                    raise RegistrationNotHeld(
                        f"this registration is {registration.status}, not held",
                        {"registration_id": registration.id, "status": registration.status})
                confirmed.append(registration)
            for event_type, registration in events:
                uow.emit(event_type, event_data(registration))
            result = {"items": [registration_dict(r) for r in confirmed]}
            uow.commit()
        return result

    # -- cancellation (R3.5–R3.7) -------------------------------------------------------------------
    @rpc
    def cancel(self, org_id, registration_id, data=None):
        """A client (``by_staff`` false) may cancel an à la carte registration where the
        activity allowed it, before the deadline (R3.5); staff may cancel any confirmed
        registration (R3.6). The seat is free at once; money paid is credited to the
        account by billing (``refund_to_credit`` in ``registration_cancelled``).
        Cancelling a cancelled registration returns it unchanged."""
        data = load(CancelIn(), data)
        session_starts = None if data["by_staff"] else \
            self._session_starts(org_id, registration_id)  # R8.2, asked before the write
        now = self.clock.now()
        with self.db.uow() as uow:
            registration = self._locked(uow.session, org_id, registration_id)
            if registration.status == rules.CANCELLED:
                return registration_dict(registration)
            by = rules.BY_STAFF if data["by_staff"] else rules.BY_CLIENT
            session_refund = None
            if by == rules.BY_CLIENT and registration.kind == rules.SESSION and \
                    registration.status == rules.CONFIRMED:
                session_refund = session_cancel.refund_for(
                    (registration.fee_policy or {}).get("session_cancellation"),
                    registration.price, session_starts or [], now)
            else:
                rules.check_cancellable(
                    kind=registration.kind, status=registration.status,
                    by_staff=data["by_staff"], now=now, starts_at=registration.starts_at,
                    policy=rules.CancellationPolicy(
                        registration.cancellation_allowed,
                        registration.cancellation_deadline_minutes))
            registration.cancelled_by = by
            registration.refund_to_credit = rules.refund_to_credit(
                registration.price, registration.paid_with_type, by) or None
            if session_refund is not None and registration.paid_with_type == rules.MONEY:
                registration.refund_to_credit = session_refund or None
            if registration.paid_with_type == rules.PASS:
                restore = data.get("restore_pass_use")
                registration.restore_pass_use = True if restore is None else restore
            fee = late_cancel_fee(registration, by, now)  # R8.1
            Seats(uow.session).finish(registration, rules.CANCELLED, now)
            result = registration_dict(registration)
            event = cancelled_event(registration)
            uow.emit("registration_cancelled", event)
            if fee:
                uow.emit("fee_incurred", fee)
            uow.commit()
        self._give_pass_use_back("registration_cancelled", event)  # R3.5, R3.6
        return result

    @rpc
    def cancel_for_invoice(self, org_id, invoice_id):
        """Voiding an invoice cancels every registration it paid for (R3.7); billing
        reverses the money itself (no ``refund_to_credit``). Idempotent."""
        now = self.clock.now()
        with self.db.uow() as uow:
            seats, reads = Seats(uow.session), Registrations(uow.session)
            found = reads.for_invoice(org_id, invoice_id)
            for pool_id in sorted({r.pool_id for r in found}):
                seats.lock_pool(pool_id)
            items = []
            for registration in found:
                registration = seats.reload(registration.id)
                if registration.status == rules.CONFIRMED:
                    registration.cancelled_by = rules.BY_INVOICE_VOID
                    seats.finish(registration, rules.CANCELLED, now)
                    uow.emit("registration_cancelled", event_data(registration))
                items.append(registration_dict(registration))
            uow.commit()
        return {"items": items}

    def _session_starts(self, org_id, registration_id):
        """The scheduled occurrences' starts of a confirmed session registration's activity
        (R8.2), or None for anything else."""
        with self.db.uow(readonly=True) as uow:
            found = Registrations(uow.session).get(org_id, registration_id)
            if found is None or found.kind != rules.SESSION or found.status != rules.CONFIRMED:
                return None
            activity_id = found.activity_id
        listed = peers.call(self.catalog, "list_occurrences", org_id, activity_id)
        return [offerings.parse_time(o["starts_at"]) for o in listed.get("items", [])
                if o.get("status", "scheduled") == "scheduled"]

    @staticmethod
    def _locked(session, org_id, registration_id):
        """The registration, re-read under its pool's lock (see repositories.py)."""
        registration = Registrations(session).get(org_id, registration_id)
        if registration is None:
            raise RegistrationNotFound("no such registration",
                                       {"registration_id": registration_id})
        Seats(session).lock_pool(registration.pool_id)
        return Seats(session).reload(registration.id)

    # -- reads --------------------------------------------------------------------------------------
    @rpc
    def get_registration(self, org_id, registration_id):
        with self.db.uow(readonly=True) as uow:
            registration = Registrations(uow.session).get(org_id, registration_id)
            if registration is None:
                raise RegistrationNotFound("no such registration",
                                           {"registration_id": registration_id})
            return registration_dict(registration)

    @rpc
    def list_registrations(self, org_id, account_id=None, activity_id=None, occurrence_id=None,
                           kind=None, limit=None, cursor=None, status=None):
        query = load(ListQuery(), {"account_id": account_id, "activity_id": activity_id,
                                   "occurrence_id": occurrence_id, "kind": kind,
                                   "status": status, "limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            items, next_cursor = Registrations(uow.session).search(org_id, **query)
            return {"items": [registration_dict(r) for r in items], "next_cursor": next_cursor}

    @rpc
    def activity_registrations(self, org_id, activity_id, kind=None, occurrence_id=None):
        """R3.8: confirmed registrations of an activity, session and à la carte counted
        apart, per occurrence (a session registration counts in every occurrence)."""
        query = load(ActivityQuery(), {"kind": kind, "occurrence_id": occurrence_id})
        try:
            listed = peers.call(self.catalog, "list_occurrences", org_id, activity_id)
        except NotFound as exc:
            raise OfferingNotFound(exc.message, exc.details)
        occurrences = listed.get("items", [])
        if query["occurrence_id"] and query["occurrence_id"] not in {o["id"] for o in
                                                                     occurrences}:
            raise OfferingNotFound("no such occurrence in this activity",
                                   {"occurrence_id": query["occurrence_id"]})
        with self.db.uow(readonly=True) as uow:
            registrations = [registration_dict(r) for r in Registrations(uow.session)
                             .confirmed_of_activity(org_id, activity_id)]
        return participants.activity_report(activity_id, occurrences, registrations,
                                            query["kind"], query["occurrence_id"])

    @rpc
    def seat_counts(self, org_id, occurrence_ids):
        """``{occurrence_id: {a_la_carte_taken, session_taken}}``: confirmed plus live holds.
        ``occurrence_ids`` is a list, or ``{occurrence_id: activity_id}`` (a caller that
        knows the activities saves a lookup; with a list, the activity of an occurrence is
        what this service learnt from holds and the catalog's ``occurrence_added``)."""
        if isinstance(occurrence_ids, dict):
            activities = {str(k): str(v) for k, v in occurrence_ids.items() if v}
            ids = list(occurrence_ids)
        elif isinstance(occurrence_ids, (list, tuple)):
            ids, activities = [str(i) for i in occurrence_ids], None
        else:
            raise InvalidInput("occurrence_ids must be a list",
                               {"occurrence_ids": ["a list of ids"]})
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            reads = Registrations(uow.session)
            if activities is None:
                activities = reads.activities_of(org_id, ids)
            pools = [f"a_la_carte:{i}" for i in ids] + \
                [f"session:{a}" for a in set(activities.values())]
            counts = reads.live_counts_by_pool(pools, now, org_id)
        return {i: {"a_la_carte_taken": counts.get(f"a_la_carte:{i}", 0),
                    "session_taken": counts.get(f"session:{activities[i]}", 0)
                    if i in activities else 0} for i in ids}
