"""Seat conversions (R2.6): K unsold session seats become à la carte seats: the session
capacity drops by K, the activity's and every future occurrence's à la carte capacity rise
by K.

Registration takes the K seats in the session pool first (a conditional update, so
concurrent holds cannot take them meanwhile; ``not_enough_unsold_seats`` if fewer are
unsold), then the catalog records the new capacities; if that fails, or registration does
not answer, the conversion is given up by its id: its seats go back to the pool once, and
a take arriving after that is refused. The pool's capacity never changes: it is the session
capacity plus the seats converted so far, which is also what holds refresh it to."""
import logging

from services.common.errors import ServiceUnavailable
from services.common.types import new_id

from ..adapters.models import Activity
from ..adapters.presenters import activity_view, tz_of
from ..adapters.repositories import CatalogRepository
from ..contract import events
from ..contract.errors import NotEnoughUnsoldSeats
from .common import tell_copies

log = logging.getLogger(__name__)


def convert_seats(ctx, org_id, activity_id, data):
    seats = data["seats"]
    with ctx.db.uow(readonly=True) as uow:
        activity = CatalogRepository(uow.session).get(Activity, org_id, activity_id)
        capacity = activity.session_capacity or 0
        pool_capacity = capacity + (activity.session_converted or 0)
    if seats > capacity:
        raise NotEnoughUnsoldSeats("the session does not have that many seats",
                                   {"seats": seats, "session_capacity": capacity})
    conversion = {"conversion_id": new_id("cnv"), "seats": seats}
    try:
        ctx.peers.reserve_converted_seats(org_id, activity_id, conversion, pool_capacity)
    except ServiceUnavailable:
        # no answer: the seats may have been taken; give the conversion up (once: a late
        # reserve is refused)
        _give_back(ctx, org_id, activity_id, conversion)
        raise
    try:
        view = _record(ctx, org_id, activity_id, conversion)
    except Exception:
        _give_back(ctx, org_id, activity_id, conversion)
        raise
    tell_copies(ctx, org_id, activity_id)
    return {"activity_id": activity_id, "seats": seats,
            "session_capacity": view["session"]["capacity"],
            "a_la_carte_capacity": view["a_la_carte"]["capacity"]}


def _record(ctx, org_id, activity_id, conversion):
    """The new capacities, ``activity_updated`` and ``seats_converted``; the activity's
    view after them."""
    seats, now = conversion["seats"], ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        if not repo.convert_session_seats(activity_id, seats, now):
            raise NotEnoughUnsoldSeats("the session capacity changed meanwhile; try again",
                                       {"seats": seats})
        uow.session.expire_all()
        activity = repo.get(Activity, org_id, activity_id)
        view = activity_view(activity, tz, repo.activity_stats([activity.id]))
        uow.emit(events.ACTIVITY_UPDATED, view, occurred_at=now)
        uow.emit(events.SEATS_CONVERTED, {
            "org_id": org_id, "activity_id": activity_id, "seats": seats,
            "conversion_id": conversion["conversion_id"],
            "session_capacity": view["session"]["capacity"],
            "converted_seats": view["session"]["converted_seats"],
            "a_la_carte_capacity": view["a_la_carte"]["capacity"]}, occurred_at=now)
        uow.commit()
    return view


def _give_back(ctx, org_id, activity_id, conversion):
    try:
        ctx.peers.return_converted_seats(org_id, activity_id, conversion)
    except Exception:
        log.error("seat conversion %s of %s: %s seats taken in registration's session "
                  "pool could not be given back (retry return_converted_seats with it: "
                  "it gives them back once)", conversion["conversion_id"], activity_id,
                  conversion["seats"], exc_info=True)
