"""Salon appointments (R5.1, R5.2): booked, cancelled, marked no-show, read.

Booking: the service (duration, price), the member, the staff member, the org (timezone) and,
for a bundle, the client's bundles are asked for first, in parallel, outside any
transaction; then one short write transaction locks the staff member's agenda row, checks
for an overlap (``staff_busy``) and inserts the appointment (``adapters/appointments.py``).
A booking that asks for a bundle is all or nothing: the bundle's step is in ``bundles.py``;
if passes refuses it, the appointment is cancelled (``cancelled_by: bundle_refused``, its
staff time freed) and the refusal is the answer. Cancelling or marking a no-show gives a
bundle's booked use back (R4.7).
"""
from services.common.schemas import load

from ..adapters.appointments import Appointments
from ..adapters.records import appointment_dict
from ..contract import events
from ..contract.errors import (AppointmentNotBooked, AppointmentNotFound,
                               AppointmentNotStarted, BundleChangeInProgress)
from ..contract.schemas import AgendaQuery, AppointmentCancelIn, AppointmentIn
from ..domain import appointments as rules
from . import bundles


def read(ctx, org_id, appointment_id):
    with ctx.db.uow(readonly=True) as uow:
        appointment = Appointments(uow.session).get(org_id, appointment_id)
        if appointment is None:
            raise AppointmentNotFound("no such appointment",
                                      {"appointment_id": appointment_id})
        uow.session.expunge(appointment)  # a snapshot, kept after the session ends
        return appointment


def change(ctx, org_id, appointment_id, event=None, **cas):
    """One compare-and-set in its own short transaction; the appointment afterwards (and
    its event in the same transaction) if it applied, else None."""
    now = ctx.clock.now()
    cas.setdefault("updated_at", now)
    with ctx.db.uow() as uow:
        repo = Appointments(uow.session)
        if not repo.change(org_id, appointment_id, **cas):
            return None
        result = appointment_dict(repo.get(org_id, appointment_id))
        if event:
            uow.emit(event, result)
        uow.commit()
    return result


# -- R5.1, R5.2: booking -------------------------------------------------------------------
def book_appointment(ctx, org_id, data):
    """A booked appointment (R5.1); ``staff_busy`` if the staff member has one that
    overlaps (R5.2). With ``bundle_id`` or ``apply_bundle`` the bundle is applied too
    (price 0, R4.6), or nothing is booked (the refusal is the answer)."""
    data = load(AppointmentIn, data)
    service_reply = ctx.peers.start("catalog", "get_service", org_id, data["service_id"])
    member_reply = ctx.peers.start("accounts", "get_member", org_id, data["member_id"])
    staff_reply = ctx.peers.start("accounts", "get_staff", org_id, data["staff_id"]) \
        if data["staff_id"] else None
    org_reply = ctx.peers.start("catalog", "get_org", org_id)
    service = ctx.peers.found(service_reply, "catalog.get_service", "service_id",
                              data["service_id"])
    member = ctx.peers.found(member_reply, "accounts.get_member", "member_id",
                             data["member_id"])
    staff = ctx.peers.found(staff_reply, "accounts.get_staff", "staff_id", data["staff_id"]) \
        if staff_reply is not None else None
    org = ctx.peers.found(org_reply, "catalog.get_org", "org_id", org_id)
    if data["account_id"] is not None and member.get("account_id") != data["account_id"]:
        raise AppointmentNotFound("this member is not in this account",
                                  {"member_id": data["member_id"]})
    bundle_id = bundles.pick_bundle(ctx, org_id, member["id"], service["id"], data["bundle_id"],
                                    data["apply_bundle"])
    start, end = rules.window(data["starts_at"], service["duration_minutes"])
    now = ctx.clock.now()
    values = dict(
        org_id=org_id, member_id=member["id"], account_id=member["account_id"],
        member_name=" ".join(filter(None, [member.get("first_name"),
                                           member.get("last_name")])) or None,
        service_id=service["id"], service_name=service["name"],
        staff_id=staff["id"] if staff else None, staff_name=staff["name"] if staff else None,
        starts_at=start, ends_at=end, duration_minutes=int(service["duration_minutes"]),
        timezone=org.get("timezone") or "UTC", service_price=int(service["price"]),
        price=int(service["price"]), accounting_code=service.get("accounting_code"),
        bundle_id=bundle_id, bundle_state=rules.APPLYING if bundle_id else rules.NONE,
        bundle_changed_at=now if bundle_id else None)
    with ctx.db.uow() as uow:
        appointment = Appointments(uow.session).book(values, now)
        result = appointment_dict(appointment)
        uow.emit(events.APPOINTMENT_BOOKED, result)
        uow.commit()
    if bundle_id is None:
        return result
    try:
        return bundles.finish_apply(ctx, org_id, result["id"], bundle_id, service["id"])
    except bundles.PASS_REFUSALS:
        # all or nothing: the booking that asked for this bundle is withdrawn
        change(ctx, org_id, result["id"], event=events.APPOINTMENT_CANCELLED,
               expect_status=rules.BOOKED, expect_states=rules.APPLYING,
               expect_bundle=bundle_id, status=rules.CANCELLED,
               cancelled_by=rules.BY_BUNDLE_REFUSAL, bundle_state=rules.NONE,
               bundle_id=None, bundle_changed_at=ctx.clock.now(),
               ended_at=ctx.clock.now())
        raise


# -- R5.1, R4.7: cancel, no-show ---------------------------------------------------------------
def _end(ctx, org_id, appointment_id, status, event, cancelled_by=None):
    appointment = read(ctx, org_id, appointment_id)
    if appointment.status == status:  # again: finish giving the use back if needed
        if appointment.bundle_state == rules.REMOVING:
            bundles.settle_removal(ctx, org_id, appointment_id, appointment.bundle_id,
                                   appointment.service_id)
            return appointment_dict(read(ctx, org_id, appointment_id))
        return appointment_dict(appointment)
    if appointment.status != rules.BOOKED:
        raise AppointmentNotBooked(f"this appointment is {appointment.status}",
                                   {"status": appointment.status})
    if status == rules.NO_SHOW and rules.as_utc(ctx.clock.now()) < appointment.starts_at:
        raise AppointmentNotStarted("a no-show is recorded after the appointment's start",
                                    {"starts_at": appointment_dict(appointment)["starts_at"]})
    state, bundle_id = appointment.bundle_state, appointment.bundle_id
    if state == rules.USING:
        raise BundleChangeInProgress("the appointment is being checked out",
                                     {"bundle_status": state})
    gives_back = state in (rules.APPLYING, rules.APPLIED, rules.REMOVING)
    now = ctx.clock.now()
    changes = dict(status=status, ended_at=now, cancelled_by=cancelled_by)
    if gives_back:
        changes.update(bundle_state=rules.REMOVING, bundle_changed_at=now)
    result = change(ctx, org_id, appointment_id, event=event, expect_status=rules.BOOKED,
                    expect_states=state, expect_bundle=bundle_id, **changes)
    if result is None:
        raise BundleChangeInProgress("this appointment changed; try again", {})
    if gives_back:  # R4.7: cancelling gives the booked use back
        result = bundles.settle_removal(ctx, org_id, appointment_id, bundle_id,
                                        appointment.service_id) or result
    return result


def cancel_appointment(ctx, org_id, appointment_id, data=None):
    """booked -> cancelled; a bundle's booked use comes back (R4.7). Idempotent."""
    data = load(AppointmentCancelIn, data)
    return _end(ctx, org_id, appointment_id, rules.CANCELLED, events.APPOINTMENT_CANCELLED,
                rules.BY_STAFF if data["by_staff"] else rules.BY_CLIENT)


def mark_no_show(ctx, org_id, appointment_id):
    """booked -> no_show, once its start has passed; a bundle's booked use comes back
    (the client pays nothing for a service not given). Idempotent."""
    return _end(ctx, org_id, appointment_id, rules.NO_SHOW, events.APPOINTMENT_NO_SHOW)


# -- reads -------------------------------------------------------------------------------------
def get_appointment(ctx, org_id, appointment_id):
    return appointment_dict(read(ctx, org_id, appointment_id))


def list_appointments(ctx, org_id, account_id):
    """An account's appointments, latest start first (at most 200)."""
    with ctx.db.uow(readonly=True) as uow:
        return {"items": [appointment_dict(a) for a in
                          Appointments(uow.session).of_account(org_id, account_id)]}


def agenda(ctx, org_id, date, staff_id=None):
    """The org-local day's appointments (not cancelled) per staff member."""
    query = load(AgendaQuery, {"date": date, "staff_id": staff_id})
    org = ctx.peers.found(ctx.peers.start("catalog", "get_org", org_id), "catalog.get_org",
                          "org_id", org_id)
    start, end = rules.day_range(query["date"], org.get("timezone"))
    with ctx.db.uow(readonly=True) as uow:
        items = [appointment_dict(a) for a in Appointments(uow.session).of_day(
            org_id, start, end, query["staff_id"])]
    return rules.agenda(query["date"], org.get("timezone"), items, query["staff_id"])
