"""Registration's policies (R8.1): no-shows marked by staff, and the late-cancellation and
no-show fees they and clients' late cancellations incur.

A fee in money is announced by ``fee_incurred`` (in the transaction of the cancellation or
no-show); billing turns it into an invoice (docs/policies.md). A fee on a booking paid with a
pass is the use, which is then not given back. Appointments' fees follow the service's
policy, read from the catalog when the appointment ends (the appointment's own events are
consumed here, once each). And R8.3: a walk-in client (no account) takes a drop-in seat.
"""
import logging

from services.common.errors import NotFound
from services.common.schemas import require_id as _id

from ..adapters import offerings
from ..adapters.records import registration_dict
from ..contract import events
from ..contract.errors import NoShowNotAllowed, NoShowTooEarly, WalkInClientRequired
from ..domain import fees, rules
from . import registrations

log = logging.getLogger(__name__)

DESCRIPTIONS = {fees.LATE_CANCEL: "Late cancellation fee", fees.NO_SHOW: "No-show fee"}


def fee_event(*, org_id, account_id, member_id, source_type, source_id, description,
              accounting_code, price, fee, credit_expected=False, starts_at=None):
    return {"org_id": org_id, "account_id": account_id, "member_id": member_id,
            "source_type": source_type, "source_id": source_id, "kind": fee["kind"],
            "amount": fee["amount"],
            "description": f"{DESCRIPTIONS[fee['kind']]}: {description}"[:300],
            "accounting_code": accounting_code, "price": price, "starts_at": starts_at,
            "credit_expected": bool(credit_expected)}


def _registration_fee(registration, fee, credit_expected=False):
    registration.fee = fee
    if not fee or fee["use_lost"]:
        if fee and registration.paid_with_type == rules.PASS:
            registration.restore_pass_use = False  # the use is lost (R8.1)
        return None
    return fee_event(org_id=registration.org_id, account_id=registration.account_id,
                     member_id=registration.member_id, source_type="registration",
                     source_id=registration.id, description=registration.description,
                     accounting_code=registration.accounting_code, price=registration.price,
                     fee=fee, credit_expected=credit_expected,
                     starts_at=registration.starts_at_local)


def late_cancel_fee(registration, by, now):
    """A client's cancellation inside the offer's window (R8.1): sets what it cost on the
    registration; returns the ``fee_incurred`` data for a fee in money, else None."""
    if by != rules.BY_CLIENT or registration.kind != rules.A_LA_CARTE:
        return None
    fee = fees.late_cancel(registration.fee_policy, registration.starts_at, now,
                           registration.price, registration.paid_with_type == rules.PASS)
    return _registration_fee(registration, fee,
                             credit_expected=bool(registration.refund_to_credit))


# -- R8.3: a walk-in client ----------------------------------------------------------------
WALK_IN = object()  # the member lookup a walk-in hold does not make


def walk_in_person(data) -> rules.Person:
    return rules.Person(member_id=data["member_id"], account_id=data["account_id"],
                        first_name=data["walk_in_name"], last_name="", birth_date=None,
                        gender="unspecified")


def check_walk_in(offering, data):
    """A walk-in client takes a drop-in seat (à la carte, paid on the spot) with no
    restriction to check: anything else needs a client account (``client_required``)."""
    r = offering.restrictions
    restricted = any([r.min_age is not None, r.max_age is not None, r.genders,
                      r.membership_type_ids, r.skills])
    if offering.kind != rules.A_LA_CARTE or restricted or \
            ((data.get("pay_with") or {}).get("type") or rules.MONEY) != rules.MONEY:
        raise WalkInClientRequired(
            "this needs a client account (a session, a restricted activity or a pass)",
            {"reason": "walk_in", "restricted": restricted, "kind": offering.kind})


def mark_registration_no_show(ctx, org_id, registration_id, note=None):
    """Staff mark a confirmed à la carte registration a no-show, once its occurrence has
    started (``no_show_too_early``); the seat stays taken. The offer's no-show fee
    applies (R8.1). Marking again changes nothing."""
    org_id = _id("org_id", org_id)
    registration_id = _id("registration_id", registration_id)
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        registration = registrations.locked(uow.session, org_id, registration_id)
        if registration.no_show_at is not None:
            return registration_dict(registration)
        if registration.status != rules.CONFIRMED or \
                registration.kind != rules.A_LA_CARTE:
            raise NoShowNotAllowed(
                "only a confirmed à la carte registration can be marked a no-show",
                {"status": registration.status, "kind": registration.kind})
        if registration.starts_at is not None and now < registration.starts_at:
            raise NoShowTooEarly("a no-show is recorded once the occurrence has started",
                                 {"starts_at": registration.starts_at_local})
        registration.no_show_at = registration.updated_at = now
        fee = _registration_fee(registration, fees.no_show(
            registration.fee_policy, registration.price,
            registration.paid_with_type == rules.PASS))
        result = registration_dict(registration)
        uow.emit(events.REGISTRATION_NO_SHOW,
                 dict(result, note=str(note)[:500] if note else None))
        if fee:
            uow.emit(events.FEE_INCURRED, fee)
        uow.commit()
    return result


# -- appointments (R5.1): the service's policy --------------------------------------------------
def appointment_no_show_fee(ctx, payload):
    _appointment_fee(ctx, payload, fees.NO_SHOW)


def appointment_cancelled_fee(ctx, payload):
    data = (payload or {}).get("data") or {}
    if data.get("cancelled_by") == rules.BY_CLIENT:
        _appointment_fee(ctx, payload, fees.LATE_CANCEL)


def _appointment_fee(ctx, payload, kind):
    """An appointment covered by a bundle costs nothing here (its use comes back, as
    R4.7 says); otherwise the service's fee on the appointment's price."""
    data = (payload or {}).get("data") or {}
    if not data.get("id") or not data.get("org_id") or data.get("bundle_id"):
        return
    try:
        service = ctx.peers.call("catalog", "get_service", data["org_id"],
                                 data["service_id"])
    except NotFound:
        return
    policy = service.get("fees")
    if kind == fees.LATE_CANCEL:
        ended = offerings.parse_time(data.get("ended_at"))
        fee = fees.late_cancel(policy, offerings.parse_time(data["starts_at"]), ended,
                               int(data.get("price") or 0), False)
    else:
        fee = fees.no_show(policy, int(data.get("price") or 0), False)
    if not fee:
        return
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        uow.emit(events.FEE_INCURRED, fee_event(
            org_id=data["org_id"], account_id=data["account_id"],
            member_id=data.get("member_id"), source_type="appointment",
            source_id=data["id"],
            description=f"{data.get('service_name') or 'appointment'} "
                        f"({(data.get('starts_at') or '')[:16].replace('T', ' ')})",
            accounting_code=data.get("accounting_code"), price=int(data.get("price") or 0),
            fee=fee, starts_at=data.get("starts_at")))
        uow.commit()
