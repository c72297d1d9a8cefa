"""The catalog's seat rules, as registration keeps them:

- R2.5: ``a_la_carte_in_use`` — the catalog asks before switching à la carte off;
- R2.6: ``reserve_converted_seats`` / ``return_converted_seats`` — a seat conversion takes
  K unsold seats of the session pool at once (a conditional update, so concurrent holds
  cannot take them meanwhile), and gives them back if the catalog cannot record it;
- an occurrence cancelled by the catalog cancels its à la carte registrations and releases
  its holds (money paid goes to the account's credit as for a staff cancellation, a pass
  use comes back).

Seat conversions never change the session pool's capacity: the catalog keeps the session
capacity *left* and the seats converted so far, and the pool's capacity is their sum (what
every hold refreshes it to, see ``adapters/offerings.py``), with the converted seats counted
as taken. A hold that read the catalog before a conversion and writes after it therefore
sets the same capacity, and the two services never disagree on how many people fit.
"""
import logging

from services.common.schemas import load
from services.common.schemas import require_id as _id

from ..adapters.records import cancelled_event, event_data
from ..adapters.repositories import Registrations, SeatConversions, Seats
from ..contract import events
from ..contract.errors import NotEnoughUnsoldSeats, SeatConversionAbandoned
from ..contract.schemas import ConvertedSeatsIn
from ..domain import rules

log = logging.getLogger(__name__)

OCCURRENCE_CANCELLED = "occurrence_cancelled"


def end_live_seats(uow, pool_seats, registrations, now, cancel_reason, cancel_as):
    """End the live ones of ``registrations`` (the caller locked their pools): a hold is
    released, a confirmed seat cancelled after ``cancel_as(registration)`` set who cancelled
    and what comes back; each seat is free at once and says ``cancel_reason`` in its
    event."""
    for found in registrations:
        registration = pool_seats.reload(found.id)
        if registration.status == rules.HELD:
            pool_seats.finish(registration, rules.RELEASED, now)
            uow.emit(events.REGISTRATION_RELEASED,
                     dict(event_data(registration), cancel_reason=cancel_reason))
        elif registration.status == rules.CONFIRMED:
            cancel_as(registration)
            pool_seats.finish(registration, rules.CANCELLED, now)
            uow.emit(events.REGISTRATION_CANCELLED,
                     cancelled_event(registration, cancel_reason=cancel_reason))


# -- R2.5 -----------------------------------------------------------------------------------------
def a_la_carte_in_use(ctx, org_id, activity_id):
    """``{in_use, count}``: held or confirmed à la carte registrations of the activity."""
    org_id, activity_id = _id("org_id", org_id), _id("activity_id", activity_id)
    with ctx.db.uow(readonly=True) as uow:
        count = Registrations(uow.session).active_a_la_carte_count(org_id, activity_id)
    return {"in_use": count > 0, "count": count}


# -- R2.6 -------------------------------------------------------------------------------------
def reserve_converted_seats(ctx, org_id, activity_id, data):
    """Take ``seats`` unsold seats of the activity's session pool for the catalog's
    conversion ``conversion_id``, all or none (``not_enough_unsold_seats``). Lapsed holds
    are expired first, so they do not count as sold. ``pool_capacity``: the catalog's
    session capacity plus the seats converted so far (the pool is created with it if no
    one held a seat yet). Asked again for the same conversion, it takes nothing more;
    after the catalog gave the conversion up, ``seat_conversion_abandoned``."""
    org_id, activity_id = _id("org_id", org_id), _id("activity_id", activity_id)
    data = load(ConvertedSeatsIn, data)
    seats, conversion_id, now = data["seats"], data["conversion_id"], ctx.clock.now()
    with ctx.db.uow() as uow:
        pool_seats, conversions = Seats(uow.session), SeatConversions(uow.session)
        pool_id = pool_seats.ensure_session_pool(org_id, activity_id,
                                                 data["pool_capacity"] or 0, now)
        pool_seats.lock_pool(pool_id)
        done = conversions.get(conversion_id)
        if done is not None and done.status == rules.CONVERSION_RETURNED:
            raise SeatConversionAbandoned("this seat conversion was given up",
                                          {"conversion_id": conversion_id})
        if done is None:
            if data["pool_capacity"] is not None:
                pool_seats.set_capacity(pool_id, data["pool_capacity"], now)
            expired = pool_seats.expire_lapsed(pool_id, now)
            if not pool_seats.take_seats(pool_id, seats, now):
                pool = pool_seats.lock_pool(pool_id)
                raise NotEnoughUnsoldSeats(
                    "fewer session seats are unsold than asked",
                    {"seats": seats, "unsold": max(pool.capacity - pool.taken, 0)})
            conversions.add_reserved(conversion_id, org_id, activity_id, seats, now)
            for lapsed in expired:
                uow.emit(events.REGISTRATION_EXPIRED, event_data(lapsed))
        pool = pool_seats.lock_pool(pool_id)
        result = {"activity_id": activity_id, "seats": seats,
                  "unsold": max(pool.capacity - pool.taken, 0)}
        uow.commit()
    return result


def return_converted_seats(ctx, org_id, activity_id, data):
    """Undo :meth:`reserve_converted_seats` (the catalog could not record the
    conversion, or got no answer): its seats are unsold again, once. Given up before
    the seats were taken, the conversion is remembered so that they never are."""
    org_id, activity_id = _id("org_id", org_id), _id("activity_id", activity_id)
    data = load(ConvertedSeatsIn, data)
    conversion_id, now = data["conversion_id"], ctx.clock.now()
    with ctx.db.uow() as uow:
        pool_seats, conversions = Seats(uow.session), SeatConversions(uow.session)
        pool_id = f"{rules.SESSION}:{activity_id}"
        pool_seats.lock_pool(pool_id)
        conversions.give_up(conversion_id, org_id, activity_id, now)
        done = conversions.get(conversion_id, for_update=True)
        given = 0
        if done.status == rules.CONVERSION_RESERVED:
            given = done.seats
            pool_seats.give_back(pool_id, given, now)
            done.status, done.updated_at = rules.CONVERSION_RETURNED, now
        uow.commit()
    return {"activity_id": activity_id, "seats": given}


# -- an occurrence cancelled by the catalog ----------------------------------------------------
def occurrence_cancelled(ctx, payload):
    """Every held or confirmed à la carte registration of the occurrence ends: holds are
    released, registrations cancelled as by staff (``refund_to_credit`` of the money
    paid, R3.5; a pass use comes back, R3.6). Once per event (``claim_event``)."""
    occurrence = (payload or {}).get("data") or {}
    occurrence_id = occurrence.get("id")
    if not occurrence_id:
        return
    now = ctx.clock.now()
    pool_id = f"{rules.A_LA_CARTE}:{occurrence_id}"
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        pool_seats = Seats(uow.session)
        if pool_seats.lock_pool(pool_id) is None:  # nobody ever held a seat there
            uow.commit()
            return
        end_live_seats(uow, pool_seats, Registrations(uow.session).active_of_pool(pool_id),
                       now, OCCURRENCE_CANCELLED, _cancel_for_occurrence)
        uow.commit()


def _cancel_for_occurrence(registration):
    """As by staff: money paid goes to credit, a pass use comes back."""
    registration.cancelled_by = rules.BY_STAFF
    registration.refund_to_credit = rules.refund_to_credit(
        registration.price, registration.paid_with_type, rules.BY_STAFF) or None
    if registration.paid_with_type == rules.PASS:
        registration.restore_pass_use = True
