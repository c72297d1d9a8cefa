"""Paying à la carte with a pass (R3.4–R3.6, R3.10).

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

from services.common.errors import (BusinessRuleViolation, CarnetError, InvalidInput,
                                    NotFound, ServiceUnavailable)
from services.common.schemas import load

from ..adapters import offerings
from ..adapters.records import event_data, registration_dict
from ..adapters.repositories import Registrations, Seats
from ..contract import events
from ..contract.errors import (HoldExpired, PassPaymentUnavailable, RegistrationNotFound,
                               RegistrationNotHeld)
from ..contract.schemas import AttachPassIn, BookWithPassIn, HoldIn
from ..domain import rules
from . import holds, registrations

log = logging.getLogger(__name__)

# What the pass service answers when it refuses a debit: the booking is refused with it.
PASS_REFUSALS = (BusinessRuleViolation, NotFound, InvalidInput)


def _is_pass_paid(registration: dict) -> bool:
    return (registration.get("paid_with") or {}).get("type") == rules.PASS


# -- R3.4: a booking with a pass, without a cart ------------------------------------------------
def book_with_pass(ctx, org_id, data):
    """A confirmed à la carte registration paid with one use of ``pass_id``: the seat is
    held, the pass debited, the registration confirmed — or nothing (the seat is released
    and the pass service's refusal is the answer)."""
    data = load(BookWithPassIn, data)
    hold = {"kind": rules.A_LA_CARTE, "member_id": data["member_id"],
            "occurrence_id": data["occurrence_id"], "account_id": data["account_id"],
            "cart_id": None, "cart_item_id": None,
            "pay_with": {"type": rules.PASS, "pass_id": data["pass_id"]}}
    offering, member_reply = holds.gather(ctx, org_id, hold)
    member = holds.member(ctx, member_reply, hold)
    hold["account_id"] = member.get("account_id")
    person = offerings.person_of(member)
    memberships = holds.memberships(ctx, org_id, offering, person)
    now = ctx.clock.now()
    holds.check(offering, person, hold, memberships, now)
    held, _ = holds.place_hold(ctx, offering, person, hold, now)
    return _settle_pass_booking(ctx, org_id, held)


def _settle_pass_booking(ctx, org_id, held):
    """Debit, then confirm; a refusal releases the seat. ``service_unavailable`` from the
    pass service leaves the hold to the recovery timer (the debit may have been made)."""
    try:
        _debit(ctx, org_id, held)
    except PASS_REFUSALS:
        _release_pass_hold(ctx, org_id, held["id"])
        raise
    try:
        return _confirm_pass_booking(ctx, org_id, held["id"])
    except CarnetError:
        # The use was taken but the booking cannot be confirmed (the hold ended meanwhile):
        # the seat is not the member's, the use comes back.
        _release_pass_hold(ctx, org_id, held["id"])
        give_pass_use_back(ctx, events.REGISTRATION_RELEASED, held)
        raise


def _debit(ctx, org_id, registration):
    return ctx.peers.call("passes", "debit_pass", org_id, registration["paid_with"]["id"], {
        "registration_id": registration["id"], "member_id": registration["member_id"],
        # the member's account, which registration already knows: passes need not ask
        # accounts again (issue 14)
        "account_id": registration["account_id"],
        "activity_id": registration["activity_id"],
        "occurrence_starts_at": registration["starts_at"]})


def _confirm_pass_booking(ctx, org_id, registration_id):
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        # held → confirmed moves no seat: the row's lock is enough, not the pool's, for
        # which every other booking of the occurrence queues (issue 14)
        registration = Seats(uow.session).lock_registration(org_id, registration_id)
        if registration is None:
            raise RegistrationNotFound("no such registration",
                                       {"registration_id": registration_id})
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
        uow.emit(events.REGISTRATION_CONFIRMED, event_data(registration))
        uow.commit()
    return result


def _release_pass_hold(ctx, org_id, registration_id):
    """Free the seat of a hold whose use was refused (or could not be confirmed)."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        registration = registrations.locked(uow.session, org_id, registration_id)
        if registration.status == rules.HELD:
            Seats(uow.session).finish(registration, rules.RELEASED, now)
            uow.emit(events.REGISTRATION_RELEASED, event_data(registration))
        uow.commit()


# -- R3.4: a cart's hold paid with a pass -------------------------------------------------------
def debit_hold(ctx, org_id, held):
    """The use of a cart's hold paid with a pass, taken with the seat; a refusal releases the
    seat. Repeated for the same hold, the debit is a replay."""
    try:
        _debit(ctx, org_id, held)
    except PASS_REFUSALS:
        _release_pass_hold(ctx, org_id, held["id"])
        raise
    return held


# -- R3.10: a cart's hold paid with a pass bought in the same cart ------------------------------
def hold_for_cart_pass(ctx, org_id, data):
    """An à la carte hold (``hold``'s data) to be paid with a pass the cart is buying: the
    seat only, price 0, ``paid_with: {type: pass, id: null}`` (accepted where à la carte is
    for pass holders only, R2.3); billing's checkout names the pass once it is sold
    (``attach_pass_to_hold``). A released or expired hold has no use to give back. Repeated
    for the same cart item: the same hold."""
    data = load(HoldIn, dict(data or {}, pay_with=None))
    if data["kind"] != rules.A_LA_CARTE:
        raise PassPaymentUnavailable("a session is not paid with a pass",
                                     {"pay_with": ["a pass pays for à la carte only"]})
    offering, member_reply = holds.gather(ctx, org_id, data)
    person = holds.person(ctx, org_id, data, member_reply)
    memberships = holds.memberships(ctx, org_id, offering, person)
    data["pay_with"] = {"type": rules.PASS, "pass_id": None}
    now = ctx.clock.now()
    retried = holds.retried_hold(ctx, org_id, data, person, offering)
    if retried is not None:
        return retried
    rules.check_open(offering, now)
    rules.check_eligible(offering, person, memberships)
    return holds.place_hold(ctx, offering, person, data, now)[0]


def attach_pass_to_hold(ctx, org_id, registration_id, data):
    """R3.10, at checkout once the pass is sold: the hold of ``hold_for_cart_pass`` is paid
    with ``pass_id`` and its use debited (``passes.debit_pass``, idempotent on the
    registration). Idempotent; a hold that lapsed is ``hold_expired``; the pass service's
    refusals (``pass_not_eligible`` …) are the answer and the hold stays (billing's checkout
    releases it when it undoes)."""
    data = load(AttachPassIn, data)
    pass_id = data["pass_id"]
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        registration = registrations.locked(uow.session, org_id, registration_id)
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
    _debit(ctx, org_id, result)
    return result


# -- the use comes back (R3.5, R3.6) ------------------------------------------------------------
def give_pass_use_back(ctx, event_type, data):
    """At once, where a request ends a pass-paid registration; best effort (the event
    consumers do it anyway)."""
    try:
        _credit_pass_for(ctx, event_type, data)
    except Exception:
        log.warning("credit of the pass of %s postponed to the event consumer", data.get("id"),
                    exc_info=True)


def _credit_pass_for(ctx, event_type, data):
    plan = rules.pass_credit(event_type, data)
    if plan is None:
        return None
    try:
        return ctx.peers.call("passes", "credit_pass", data["org_id"], data["paid_with"]["id"],
                              {"registration_id": data["id"], "force": plan["force"],
                               "reason": plan["reason"]})
    except NotFound:  # never debited (refused, or the pass is gone): nothing to give back
        log.info("%s %s: no use of pass %s to give back", event_type, data.get("id"),
                 data["paid_with"]["id"])
    except InvalidInput:
        log.error("%s %s: credit_pass refused the request", event_type, data.get("id"),
                  exc_info=True)
    return None


def pass_paid_ended(ctx, payload):
    """``registration_released`` / ``_expired`` / ``_cancelled`` of a pass-paid
    registration: its use comes back (unavailable: requeued, retried)."""
    data = (payload or {}).get("data") or {}
    if not _is_pass_paid(data) or not data.get("org_id") or not data.get("id"):
        return
    _credit_pass_for(ctx, payload.get("type"), data)


# -- recovery -----------------------------------------------------------------------------------
def settle_interrupted_pass_bookings(ctx):
    """Bookings with a pass (no cart) still held after
    ``CARNET_PASS_BOOKING_RECOVERY_SECONDS``: debit again (a replay if it was made) and
    confirm, or release the seat if the pass service refuses."""
    now = ctx.clock.now()
    older_than = now - timedelta(seconds=ctx.settings.pass_booking_recovery_seconds())
    with ctx.db.uow(readonly=True) as uow:
        pending = [registration_dict(r) for r in
                   Registrations(uow.session).pending_pass_bookings(older_than)]
    for held in pending:
        try:
            settled = _settle_pass_booking(ctx, held["org_id"], held)
            log.info("interrupted booking %s with pass %s settled: %s", held["id"],
                     held["paid_with"]["id"], settled["status"])
        except ServiceUnavailable:
            log.warning("interrupted booking %s: the pass service did not answer; next round",
                        held["id"])
            return
        except CarnetError as refused:
            log.info("interrupted booking %s released: %s", held["id"], refused.code)
