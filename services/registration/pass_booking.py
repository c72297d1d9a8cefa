"""Paying à la carte with a pass (R3.4–R3.6), mixed into RegistrationService.

The seat and the use are taken together, never one without the other for long:

1. the seat: a hold paid with the pass (price 0, ``paid_with: {type: pass, id}``), in
   registration's own transaction (the conditional update of the pool, R3.1);
2. the use: ``passes.debit_pass`` (outside any transaction), idempotent on the registration
   id — the pass service judges eligibility, expiry and uses left (``pass_not_eligible``,
   ``pass_expired``, ``pass_exhausted``, ``not_found``);
3. a refusal releases the hold (the seat is free again) and is the caller's answer; a
   booking without a cart (``book_with_pass``) is then confirmed at once, a cart's hold
   (``hold`` with ``pay_with``) stays held until checkout confirms it.

Every pass-paid registration that ends gives its use back through ``passes.credit_pass``
(``domain.rules.pass_credit`` decides: released and expired holds always, ``force``; a
client's cancellation where the terms allow it; staff as they chose, R3.6). The call is made
at once where a request ends it (cancel, release) and, in any case, by this service's own
consumers of ``registration_released`` / ``registration_expired`` /
``registration_cancelled``: those events are written in the transaction of the change
(the outbox), so the credit happens even if the process dies right after the commit.
``credit_pass`` is idempotent on the registration, so the two paths never credit twice.

Recovery: a booking without a cart interrupted between its hold and its confirmation (a
crash, the pass service not answering) stays ``held`` with ``paid_with.type = pass`` and no
cart. The ``settle_interrupted_pass_bookings`` timer takes those older than
``CARNET_PASS_BOOKING_RECOVERY_SECONDS`` and asks ``debit_pass`` again (a replay if the
debit was made): a debit confirms the booking, a refusal releases the seat. So no debit is
left without its registration, and no seat is left held.
"""
import logging
from datetime import timedelta

from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.timer import timer

from services.common.errors import (BusinessRuleViolation, CarnetError, InvalidInput,
                                    NotFound, ServiceUnavailable)
from services.common.schemas import load

from . import settings
from .adapters import offerings, peers
from .adapters.repositories import Registrations, Seats, registration_dict
from .domain import rules
from .contract.errors import (HoldExpired, OfferingNotFound, PassPaymentUnavailable,
                         RegistrationNotHeld)
from .contract.schemas import AttachPassIn, BookWithPassIn, HoldIn
from .seat_rules import event_data

log = logging.getLogger(__name__)

# What the pass service answers when it refuses a debit: the booking is refused with it.
PASS_REFUSALS = (BusinessRuleViolation, NotFound, InvalidInput)


def _is_pass_paid(registration: dict) -> bool:
    return (registration.get("paid_with") or {}).get("type") == rules.PASS


class PassBookingEntrypoints:
    """Needs the service's ``db``, ``clock``, ``passes`` and its ``_gather``, ``_ask``,
    ``_memberships``, ``_check`` and ``_locked`` helpers."""

    # -- R3.4: a booking with a pass, without a cart ----------------------------------------------
    @rpc
    def book_with_pass(self, org_id, data):
        """A confirmed à la carte registration paid with one use of ``pass_id``: the seat
        is held, the pass debited, the registration confirmed — or nothing (the seat is
        released and the pass service's refusal is the answer)."""
        data = load(BookWithPassIn(), data)
        hold = {"kind": rules.A_LA_CARTE, "member_id": data["member_id"],
                "occurrence_id": data["occurrence_id"], "account_id": data["account_id"],
                "cart_id": None, "cart_item_id": None,
                "pay_with": {"type": rules.PASS, "pass_id": data["pass_id"]}}
        offering, member_reply = self._gather(org_id, hold)
        member = self._ask(member_reply, "accounts.get_member")
        if data["account_id"] is not None and member.get("account_id") != data["account_id"]:
            raise OfferingNotFound("this member is not in this account",
                                   {"member_id": data["member_id"]})
        hold["account_id"] = member.get("account_id")
        person = offerings.person_of(member)
        memberships = self._memberships(org_id, offering, person)
        now = self.clock.now()
        self._check(offering, person, hold, memberships, now)
        held, _ = self._place_hold(offering, person, hold, now)
        return self._settle_pass_booking(org_id, held)

    def _settle_pass_booking(self, org_id, held):
        """Debit, then confirm; a refusal releases the seat. ``service_unavailable`` from the
        pass service leaves the hold to the recovery timer (the debit may have been made)."""
        try:
            self._debit(org_id, held)
        except PASS_REFUSALS:
            self._release_pass_hold(org_id, held["id"])
            raise
        try:
            return self._confirm_pass_booking(org_id, held["id"])
        except CarnetError:
            # The use was taken but the booking cannot be confirmed (the hold ended
            # meanwhile): the seat is not the member's, the use comes back.
            self._release_pass_hold(org_id, held["id"])
            self._give_pass_use_back("registration_released", held)
            raise

    def _debit(self, org_id, registration):
        return peers.call(self.passes, "debit_pass", org_id, registration["paid_with"]["id"], {
            "registration_id": registration["id"], "member_id": registration["member_id"],
            "activity_id": registration["activity_id"],
            "occurrence_starts_at": registration["starts_at"]})

    def _confirm_pass_booking(self, org_id, registration_id):
        now = self.clock.now()
        with self.db.uow() as uow:
            registration = self._locked(uow.session, org_id, registration_id)
            if registration.status == rules.CONFIRMED:
                return registration_dict(registration)  # settled by another instance
            if registration.status == rules.EXPIRED:
                # its use was given back when it expired: never confirm it without a use
                raise HoldExpired("the booking took too long and its seat was given up",
                                  {"registration_id": registration_id})
            if registration.status != rules.HELD:
                raise RegistrationNotHeld(f"this registration is {registration.status}",
                                          {"registration_id": registration_id,
                                           "status": registration.status})
            Seats(uow.session).confirm(registration, None, now)
            result = registration_dict(registration)
            uow.emit("registration_confirmed", event_data(registration))
            uow.commit()
        return result

    def _release_pass_hold(self, org_id, registration_id):
        """Free the seat of a hold whose use was refused (or could not be confirmed)."""
        now = self.clock.now()
        with self.db.uow() as uow:
            registration = self._locked(uow.session, org_id, registration_id)
            if registration.status == rules.HELD:
                Seats(uow.session).finish(registration, rules.RELEASED, now)
                uow.emit("registration_released", event_data(registration))
            uow.commit()

    # -- R3.4: a cart's hold paid with a pass -------------------------------------------------------
    def _debit_hold(self, org_id, held):
        """The use of a cart's hold paid with a pass, taken with the seat; a refusal
        releases the seat. Repeated for the same hold, the debit is a replay."""
        try:
            self._debit(org_id, held)
        except PASS_REFUSALS:
            self._release_pass_hold(org_id, held["id"])
            raise
        return held

    # -- R3.10: a cart's hold paid with a pass bought in the same cart -----------------------------
    @rpc
    def hold_for_cart_pass(self, org_id, data):
        """An à la carte hold (``hold``'s data) to be paid with a pass the cart is buying:
        the seat only, price 0, ``paid_with: {type: pass, id: null}`` (accepted where à la
        carte is for pass holders only, R2.3); billing's checkout names the pass once it is
        sold (``attach_pass_to_hold``). A released or expired hold has no use to give back.
        Repeated for the same cart item: the same hold."""
        data = load(HoldIn(), dict(data or {}, pay_with=None))
        if data["kind"] != rules.A_LA_CARTE:
            raise PassPaymentUnavailable("a session is not paid with a pass",
                                         {"pay_with": ["a pass pays for à la carte only"]})
        offering, member_reply = self._gather(org_id, data)
        person = self._person(org_id, data, member_reply)
        memberships = self._memberships(org_id, offering, person)
        data["pay_with"] = {"type": rules.PASS, "pass_id": None}
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            retried = Registrations(uow.session).active_for_cart_item(org_id,
                                                                      data["cart_item_id"])
            if retried is not None and retried.member_id == person.member_id \
                    and retried.pool_id == offering.pool_key:
                return registration_dict(retried)
        rules.check_open(offering, now)
        rules.check_eligible(offering, person, memberships)
        return self._place_hold(offering, person, data, now)[0]

    @rpc
    def attach_pass_to_hold(self, org_id, registration_id, data):
        """R3.10, at checkout once the pass is sold: the hold of ``hold_for_cart_pass`` is
        paid with ``pass_id`` and its use debited (``passes.debit_pass``, idempotent on the
        registration). Idempotent; a hold that lapsed is ``hold_expired``; the pass
        service's refusals (``pass_not_eligible`` …) are the answer and the hold stays
        (billing's checkout releases it when it undoes)."""
        data = load(AttachPassIn(), data)
        pass_id = data["pass_id"]
        now = self.clock.now()
        with self.db.uow() as uow:
            registration = self._locked(uow.session, org_id, registration_id)
            if registration.paid_with_type != rules.PASS or \
                    registration.paid_with_id not in (None, pass_id):
                raise RegistrationNotHeld("this registration is not waiting for this pass",
                                          {"registration_id": registration_id})
            if registration.status == rules.EXPIRED:
                raise HoldExpired("the hold expired and its seat was given up",
                                  {"registration_id": registration_id})
            if registration.status not in (rules.HELD, rules.CONFIRMED):
                raise RegistrationNotHeld(f"this registration is {registration.status}",
                                          {"registration_id": registration_id,
                                           "status": registration.status})
            if registration.paid_with_id is None:
                registration.paid_with_id = pass_id
                registration.updated_at = now
            result = registration_dict(registration)
            uow.commit()
        self._debit(org_id, result)
        return result

    # -- the use comes back (R3.5, R3.6) -----------------------------------------------------------
    def _give_pass_use_back(self, event_type, data):
        """At once, where a request ends a pass-paid registration; best effort (the
        consumers below do it anyway)."""
        try:
            self._credit_pass_for(event_type, data)
        except Exception:
            log.warning("credit of the pass of %s postponed to the event consumer",
                        data.get("id"), exc_info=True)

    def _credit_pass_for(self, event_type, data):
        plan = rules.pass_credit(event_type, data)
        if plan is None:
            return None
        try:
            return peers.call(self.passes, "credit_pass", data["org_id"],
                              data["paid_with"]["id"],
                              {"registration_id": data["id"], "force": plan["force"],
                               "reason": plan["reason"]})
        except NotFound:  # never debited (refused, or the pass is gone): nothing to give back
            log.info("%s %s: no use of pass %s to give back", event_type, data.get("id"),
                     data["paid_with"]["id"])
        except InvalidInput:
            log.error("%s %s: credit_pass refused the request", event_type, data.get("id"),
                      exc_info=True)
        return None

    def _on_pass_paid_end(self, payload):
        data = (payload or {}).get("data") or {}
        if not _is_pass_paid(data) or not data.get("org_id") or not data.get("id"):
            return
        self._credit_pass_for(payload.get("type"), data)  # unavailable: requeued, retried

    @event_handler("registration", "registration_released", requeue_on_error=True)
    def give_pass_use_back_on_release(self, payload):
        self._on_pass_paid_end(payload)

    @event_handler("registration", "registration_expired", requeue_on_error=True)
    def give_pass_use_back_on_expiry(self, payload):
        self._on_pass_paid_end(payload)

    @event_handler("registration", "registration_cancelled", requeue_on_error=True)
    def give_pass_use_back_on_cancel(self, payload):
        self._on_pass_paid_end(payload)

    # -- recovery ------------------------------------------------------------------------------------
    @timer(interval=settings.pass_booking_sweep_interval())
    def settle_interrupted_pass_bookings(self):
        """Bookings with a pass (no cart) still held after
        ``CARNET_PASS_BOOKING_RECOVERY_SECONDS``: debit again (a replay if it was made) and
        confirm, or release the seat if the pass service refuses."""
        now = self.clock.now()
        older_than = now - timedelta(seconds=settings.pass_booking_recovery_seconds())
        with self.db.uow(readonly=True) as uow:
            pending = [registration_dict(r) for r in
                       Registrations(uow.session).pending_pass_bookings(older_than)]
        for held in pending:
            try:
                settled = self._settle_pass_booking(held["org_id"], held)
                log.info("interrupted booking %s with pass %s settled: %s", held["id"],
                         held["paid_with"]["id"], settled["status"])
            except ServiceUnavailable:
                log.warning("interrupted booking %s: the pass service did not answer; "
                            "next round", held["id"])
                return
            except CarnetError as refused:
                log.info("interrupted booking %s released: %s", held["id"], refused.code)
