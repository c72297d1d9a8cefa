"""The JSON shapes of registration's rows, as its contract gives them (docs/contracts.md,
``contract/schemas.py``), and of the events it emits (``contract/events.py``); plus the row of
a new hold. No database access here."""
from services.common.types import new_id

from ..domain import appointments as appointment_rules
from ..domain import rules
from .models import Appointment, Registration, WaitlistEntry


def _iso(value):
    return value.isoformat() if value is not None else None


def registration_dict(r: Registration) -> dict:
    """The contract's Registration (docs/contracts.md), JSON-ready."""
    return {
        "id": r.id, "org_id": r.org_id, "kind": r.kind,
        "member_id": r.member_id, "member_name": r.member_name, "account_id": r.account_id,
        "activity_id": r.activity_id, "occurrence_id": r.occurrence_id,
        "starts_at": r.starts_at_local, "status": r.status, "price": r.price,
        "description": r.description, "accounting_code": r.accounting_code,
        "hold_expires_at": _iso(r.hold_expires_at) if r.status == rules.HELD else None,
        "invoice_id": r.invoice_id, "cart_id": r.cart_id, "cart_item_id": r.cart_item_id,
        "paid_with": {"type": r.paid_with_type, "id": r.paid_with_id},
        "created_at": _iso(r.created_at), "confirmed_at": _iso(r.confirmed_at),
        "ended_at": _iso(r.ended_at), "cancelled_by": r.cancelled_by,
        "refund_to_credit": r.refund_to_credit,
        "fee": r.fee, "no_show_at": _iso(r.no_show_at),
    }


def event_data(registration):
    """The data of a ``registration_*`` event: the registration (``refund_to_credit`` only
    when there is one)."""
    data = registration_dict(registration)
    if data.get("refund_to_credit") is None:
        data.pop("refund_to_credit")
    return data


def cancelled_event(registration, **extra):
    """``registration_cancelled``'s data for a client's, staff's or the system's
    cancellation: money paid says what goes to credit (0 for nothing), a pass whether its
    use comes back (R3.5, R3.6)."""
    data = dict(event_data(registration), **extra)
    if registration.paid_with_type == rules.MONEY:
        data["refund_to_credit"] = registration.refund_to_credit or 0
    if registration.restore_pass_use is not None:
        data["restore_pass_use"] = registration.restore_pass_use
    return data


def new_hold(offering: rules.Offering, person: rules.Person, data, now, ttl_seconds):
    """A hold; paid with a pass (R3.4) it costs nothing on the cart line and names the pass
    (the use is debited once the hold is in place)."""
    pay_with = data.get("pay_with") or {}
    by_pass = pay_with.get("type") == rules.PASS
    by_subscription = pay_with.get("type") == rules.SUBSCRIPTION
    return Registration(
        id=new_id("reg"), org_id=offering.org_id, kind=offering.kind, pool_id=offering.pool_key,
        member_id=person.member_id, member_name=person.name, account_id=data["account_id"],
        activity_id=offering.activity_id, occurrence_id=offering.occurrence_id,
        starts_at=offering.starts_at,
        starts_at_local=offering.starts_at.isoformat() if offering.starts_at else None,
        status=rules.HELD, price=0 if by_pass or by_subscription else offering.price,
        description=offering.description,
        accounting_code=offering.accounting_code,
        hold_expires_at=rules.hold_expires_at(now, ttl_seconds),
        cart_id=data.get("cart_id"), cart_item_id=data.get("cart_item_id"),
        paid_with_type=(rules.PASS if by_pass else
                        rules.SUBSCRIPTION if by_subscription else rules.MONEY),
        paid_with_id=(pay_with.get("pass_id") if by_pass else
                      pay_with.get("subscription_id") if by_subscription else None),
        cancellation_allowed=offering.cancellation.allowed,
        cancellation_deadline_minutes=offering.cancellation.deadline_minutes_before,
        fee_policy=offering.fees, created_at=now, updated_at=now)


def entry_dict(e: WaitlistEntry, position=None, registration_status=None) -> dict:
    return {
        "id": e.id, "org_id": e.org_id, "kind": e.kind, "pool_id": e.pool_id,
        "activity_id": e.activity_id, "occurrence_id": e.occurrence_id,
        "member_id": e.member_id, "member_name": e.member_name, "account_id": e.account_id,
        "status": e.status, "position": position, "starts_at": e.starts_at_local,
        "description": e.description, "price": e.price,
        "registration_id": e.registration_id, "registration_status": registration_status,
        "offered_at": _iso(e.offered_at), "offer_expires_at": _iso(e.offer_expires_at),
        "offered_by": e.offered_by, "created_at": _iso(e.created_at),
        "ended_at": _iso(e.ended_at)}


def appointment_dict(a: Appointment) -> dict:
    """The Appointment of docs/contracts.md, JSON-ready (times with the org's offset)."""
    tz = a.timezone
    return {
        "id": a.id, "org_id": a.org_id, "status": a.status,
        "member_id": a.member_id, "member_name": a.member_name, "account_id": a.account_id,
        "service_id": a.service_id, "service_name": a.service_name,
        "staff_id": a.staff_id, "staff_name": a.staff_name,
        "starts_at": appointment_rules.local_iso(a.starts_at, tz),
        "ends_at": appointment_rules.local_iso(a.ends_at, tz),
        "duration_minutes": a.duration_minutes,
        "price": a.price, "service_price": a.service_price,
        "accounting_code": a.accounting_code,
        "bundle_id": a.bundle_id if a.bundle_state != appointment_rules.NONE else None,
        "bundle_status": a.bundle_state,
        "invoice_id": a.invoice_id, "cancelled_by": a.cancelled_by,
        "created_at": appointment_rules.local_iso(a.created_at, tz),
        "ended_at": appointment_rules.local_iso(a.ended_at, tz),
    }
