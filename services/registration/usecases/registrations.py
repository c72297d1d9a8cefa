"""A hold's life after it is placed: released, confirmed by checkout (all or none),
cancelled by a client or staff (R3.5–R3.7) or by an invoice's void; and the reads of
registrations (R3.8, seat counts)."""
from services.common.errors import InvalidInput, NotFound
from services.common.schemas import load

from ..adapters import offerings
from ..adapters.records import cancelled_event, event_data, registration_dict
from ..adapters.repositories import Registrations, Seats
from ..contract import events
from ..contract.errors import (HoldExpired, OfferingNotFound, RegistrationNotFound,
                               RegistrationNotHeld)
from ..contract.schemas import ActivityQuery, CancelIn, ConfirmIn, ListQuery
from ..domain import participants, rules, session_cancel
from . import pass_booking
from .policies import late_cancel_fee


def locked(session, org_id, registration_id):
    """The registration, re-read under its pool's lock (see adapters/repositories.py)."""
    registration = Registrations(session).get(org_id, registration_id)
    if registration is None:
        raise RegistrationNotFound("no such registration", {"registration_id": registration_id})
    Seats(session).lock_pool(registration.pool_id)
    return Seats(session).reload(registration.id)


# -- the checkout saga --------------------------------------------------------------------------
def release(ctx, org_id, registration_id):
    """Free a hold's seat (cart item removed, checkout abandoned). Idempotent: a hold already
    released, expired or cancelled is returned as it is."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        registration = locked(uow.session, org_id, registration_id)
        if registration.status == rules.CONFIRMED:
            raise RegistrationNotHeld("a confirmed registration is cancelled, not released",
                                      {"status": registration.status})
        if registration.status == rules.HELD:
            Seats(uow.session).finish(registration, rules.RELEASED, now)
            uow.emit(events.REGISTRATION_RELEASED, event_data(registration))
        result = registration_dict(registration)
        uow.commit()
    if result["paid_with"]["type"] == rules.PASS and result["status"] == rules.RELEASED:
        pass_booking.give_pass_use_back(ctx, events.REGISTRATION_RELEASED, result)
    return result


def confirm(ctx, org_id, registration_ids, invoice_id):
    """Confirm holds paid by ``invoice_id``: all of them or none. A hold that lapsed and was
    expired takes its seat again if one is free, else ``hold_expired``. Confirming again with
    the same invoice changes nothing."""
    data = load(ConfirmIn, {"registration_ids": registration_ids, "invoice_id": invoice_id})
    ids = list(dict.fromkeys(data["registration_ids"]))
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        seats, reads = Seats(uow.session), Registrations(uow.session)
        found = reads.get_many(org_id, ids)
        missing = sorted(set(ids) - {r.id for r in found})
        if missing:
            raise RegistrationNotFound("no such registration", {"registration_ids": missing})
        for pool_id in sorted({r.pool_id for r in found}):
            seats.lock_pool(pool_id)
        confirmed, emitted = [], []
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
                    emitted += [(events.REGISTRATION_EXPIRED, r)
                                for r in seats.retake(registration, now)]
                seats.confirm(registration, data["invoice_id"], now)
                emitted.append((events.REGISTRATION_CONFIRMED, registration))
            else:
                raise RegistrationNotHeld(
                    f"this registration is {registration.status}, not held",
                    {"registration_id": registration.id, "status": registration.status})
            confirmed.append(registration)
        for event_type, registration in emitted:
            uow.emit(event_type, event_data(registration))
        result = {"items": [registration_dict(r) for r in confirmed]}
        uow.commit()
    return result


# -- cancellation (R3.5–R3.7) -------------------------------------------------------------------
def cancel(ctx, org_id, registration_id, data=None):
    """A client (``by_staff`` false) may cancel an à la carte registration where the
    activity allowed it, before the deadline (R3.5); staff may cancel any confirmed
    registration (R3.6). The seat is free at once; money paid is credited to the account by
    billing (``refund_to_credit`` in ``registration_cancelled``). Cancelling a cancelled
    registration returns it unchanged."""
    data = load(CancelIn, data)
    session_starts = None if data["by_staff"] else \
        _session_starts(ctx, org_id, registration_id)  # R8.2, asked before the write
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        registration = locked(uow.session, org_id, registration_id)
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
                policy=rules.CancellationPolicy(registration.cancellation_allowed,
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
        uow.emit(events.REGISTRATION_CANCELLED, event)
        if fee:
            uow.emit(events.FEE_INCURRED, fee)
        uow.commit()
    pass_booking.give_pass_use_back(ctx, events.REGISTRATION_CANCELLED, event)  # R3.5, R3.6
    return result


def cancel_for_invoice(ctx, org_id, invoice_id):
    """Voiding an invoice cancels every registration it paid for (R3.7); billing reverses
    the money itself (no ``refund_to_credit``). Idempotent."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
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
                uow.emit(events.REGISTRATION_CANCELLED, event_data(registration))
            items.append(registration_dict(registration))
        uow.commit()
    return {"items": items}


def _session_starts(ctx, org_id, registration_id):
    """The scheduled occurrences' starts of a confirmed session registration's activity
    (R8.2), or None for anything else."""
    with ctx.db.uow(readonly=True) as uow:
        found = Registrations(uow.session).get(org_id, registration_id)
        if found is None or found.kind != rules.SESSION or found.status != rules.CONFIRMED:
            return None
        activity_id = found.activity_id
    listed = ctx.peers.call("catalog", "list_occurrences", org_id, activity_id)
    return [offerings.parse_time(o["starts_at"]) for o in listed.get("items", [])
            if o.get("status", "scheduled") == "scheduled"]


# -- reads --------------------------------------------------------------------------------------
def get_registration(ctx, org_id, registration_id):
    with ctx.db.uow(readonly=True) as uow:
        registration = Registrations(uow.session).get(org_id, registration_id)
        if registration is None:
            raise RegistrationNotFound("no such registration",
                                       {"registration_id": registration_id})
        return registration_dict(registration)


def list_registrations(ctx, org_id, query):
    query = load(ListQuery, query)
    with ctx.db.uow(readonly=True) as uow:
        items, next_cursor = Registrations(uow.session).search(org_id, **query)
        return {"items": [registration_dict(r) for r in items], "next_cursor": next_cursor}


def activity_registrations(ctx, org_id, activity_id, kind=None, occurrence_id=None):
    """R3.8: confirmed registrations of an activity, session and à la carte counted apart,
    per occurrence (a session registration counts in every occurrence)."""
    query = load(ActivityQuery, {"kind": kind, "occurrence_id": occurrence_id})
    try:
        listed = ctx.peers.call("catalog", "list_occurrences", org_id, activity_id)
    except NotFound as exc:
        raise OfferingNotFound(exc.message, exc.details)
    occurrences = listed.get("items", [])
    if query["occurrence_id"] and query["occurrence_id"] not in {o["id"] for o in occurrences}:
        raise OfferingNotFound("no such occurrence in this activity",
                               {"occurrence_id": query["occurrence_id"]})
    with ctx.db.uow(readonly=True) as uow:
        registrations = [registration_dict(r) for r in Registrations(uow.session)
                         .confirmed_of_activity(org_id, activity_id)]
    return participants.activity_report(activity_id, occurrences, registrations,
                                        query["kind"], query["occurrence_id"])


def seat_counts(ctx, org_id, occurrence_ids):
    """``{occurrence_id: {a_la_carte_taken, session_taken}}``: confirmed plus live holds.
    ``occurrence_ids`` is a list, or ``{occurrence_id: activity_id}`` (a caller that knows
    the activities saves a lookup; with a list, the activity of an occurrence is what this
    service learnt from holds and the catalog's ``occurrence_added``)."""
    if isinstance(occurrence_ids, dict):
        activities = {str(k): str(v) for k, v in occurrence_ids.items() if v}
        ids = list(occurrence_ids)
    elif isinstance(occurrence_ids, (list, tuple)):
        ids, activities = [str(i) for i in occurrence_ids], None
    else:
        raise InvalidInput("occurrence_ids must be a list",
                           {"occurrence_ids": ["a list of ids"]})
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        reads = Registrations(uow.session)
        if activities is None:
            activities = reads.activities_of(org_id, ids)
        pools = [f"a_la_carte:{i}" for i in ids] + \
            [f"session:{a}" for a in set(activities.values())]
        counts = reads.live_counts_by_pool(pools, now, org_id)
    return {i: {"a_la_carte_taken": counts.get(f"a_la_carte:{i}", 0),
                "session_taken": counts.get(f"session:{activities[i]}", 0)
                if i in activities else 0} for i in ids}
