"""The waiting list (R3.9).

Joining asks the catalog and accounts what is waited for (outside any transaction), then,
under the pool's lock, checks the pool is full and adds the entry. Offers are made by the
unit of work of whatever frees a seat (``adapters/database.py``); this module adds leaving,
the staff's list and offer by hand, and the capacity refresh (catalog events and a timer)
that offers seats a raised capacity or a seat conversion made free.
"""
import logging

from sqlalchemy.exc import IntegrityError

from services.common.errors import NotFound
from services.common.schemas import load
from services.common.schemas import require_id as _id

from ..adapters import offerings
from ..adapters.records import entry_dict, event_data
from ..adapters.repositories import Registrations, Seats
from ..adapters.waitlist import Waitlist
from ..contract import events
from ..contract.errors import (AlreadyRegistered, AlreadyWaiting, WaitlistEntryNotFound,
                               WaitlistEntryNotWaiting)
from ..contract.schemas import WaitlistJoinIn, WaitlistQuery
from ..domain import rules
from ..domain import waitlist as wl
from . import holds, read_model

log = logging.getLogger(__name__)


def join_waitlist(ctx, org_id, data):
    """A member joins the list of a full occurrence (à la carte) or session:
    ``seats_available`` when a seat is free, ``already_registered``,
    ``already_waiting``, and the hold's own refusals (``registration_closed``,
    ``not_eligible``): waiting for what one could not book is pointless."""
    org_id = _id("org_id", org_id)
    data = load(WaitlistJoinIn, data)
    member = holds.member(ctx, read_model.start_member(ctx, org_id, data["member_id"]), data)
    data["account_id"] = member["account_id"]
    offering, member_reply = holds.gather(ctx, org_id, dict(data, member_id=member["id"]))
    person = holds.person(ctx, org_id, data, member_reply)
    memberships = holds.memberships(ctx, org_id, offering, person)
    now = ctx.clock.now()
    rules.check_open(offering, now)  # a pass-only occurrence is claimed with a pass
    rules.check_eligible(offering, person, memberships)
    with ctx.db.uow() as uow:
        seats, lists = Seats(uow.session), Waitlist(uow.session)
        seats.ensure_pool(offering, now)
        seats.lock_pool(offering.pool_key)
        seats.set_capacity(offering.pool_key, offering.capacity, now)
        lists.fill(seats, offering.pool_key, now)
        if Registrations(uow.session).active_for(offering.pool_key,
                                                 person.member_id) is not None:
            raise AlreadyRegistered("this member is already registered (or was just "
                                    "offered a seat)", {"member_id": person.member_id})
        if lists.live_of_member(offering.pool_key, person.member_id) is not None:
            raise AlreadyWaiting("this member is already on this waiting list",
                                 {"member_id": person.member_id})
        pool = seats.lock_pool(offering.pool_key)
        wl.check_can_join(pool.capacity, pool.taken, lists.waiting_count(offering.pool_key))
        try:
            entry = lists.add(offering, person, data["account_id"], now)
        except IntegrityError:
            raise AlreadyWaiting("this member is already on this waiting list",
                                 {"member_id": person.member_id})
        result = entry_dict(entry, lists.position(entry))
        uow.emit(events.WAITLIST_JOINED, result)
        uow.commit()
    return result


def get_waitlist_entry(ctx, org_id, entry_id):
    with ctx.db.uow(readonly=True) as uow:
        lists = Waitlist(uow.session)
        entry = lists.get(org_id, entry_id)
        if entry is None:
            raise WaitlistEntryNotFound("no such waiting-list entry",
                                        {"entry_id": entry_id})
        statuses = lists.registration_statuses([entry.registration_id])
        return entry_dict(entry, lists.position(entry),
                          statuses.get(entry.registration_id))


def leave_waitlist(ctx, org_id, entry_id):
    """The member leaves the list; a seat offered to them and not yet checked out is
    released (and offered to the next). Leaving again changes nothing."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        entry = _locked_entry(uow.session, org_id, entry_id)
        if entry.status in wl.LIVE:
            if entry.status == wl.OFFERED and entry.registration_id:
                seats = Seats(uow.session)
                registration = seats.reload(entry.registration_id)
                if registration.status == rules.HELD:
                    seats.finish(registration, rules.RELEASED, now)
                    uow.emit(events.REGISTRATION_RELEASED, event_data(registration))
            Waitlist(uow.session).end(entry, wl.LEFT, now)
            uow.emit(events.WAITLIST_LEFT, entry_dict(entry))
        result = entry_dict(entry)
        uow.commit()
    return result


def list_waitlist(ctx, org_id, query=None, activity_id=None, occurrence_id=None,
                  account_id=None):
    """The list of an occurrence (à la carte) or an activity's session, or an
    account's entries, in order, with positions."""
    org_id = _id("org_id", org_id)
    query = load(WaitlistQuery, query or {})
    status = query["status"] or "live"
    statuses = wl.LIVE if status == "live" else wl.STATUSES if status == "all" \
        else (status,)
    pool_id = f"{rules.A_LA_CARTE}:{occurrence_id}" if occurrence_id else \
        f"{rules.SESSION}:{activity_id}" if activity_id else None
    with ctx.db.uow(readonly=True) as uow:
        items, next_cursor = Waitlist(uow.session).list(
            org_id, pool_id=pool_id, account_id=account_id, statuses=statuses,
            limit=query["limit"], cursor=query["cursor"])
    return {"items": items, "next_cursor": next_cursor}


def offer_waitlist_seat(ctx, org_id, entry_id, note=None):
    """Staff offer a seat by hand: the entry goes first in line and, if a seat is free
    (after refreshing the capacity from the catalog), is offered it now; otherwise it
    gets the next seat freed (``position`` 1). Never past capacity.
    ``waitlist_entry_not_waiting`` for an entry that is not waiting."""
    with ctx.db.uow(readonly=True) as uow:
        entry = Waitlist(uow.session).get(org_id, entry_id)
        if entry is None:
            raise WaitlistEntryNotFound("no such waiting-list entry",
                                        {"entry_id": entry_id})
        pool_id, kind = entry.pool_id, entry.kind
        activity_id, occurrence_id = entry.activity_id, entry.occurrence_id
    capacity = _catalog_capacity(ctx, org_id, kind, activity_id, occurrence_id)
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        seats, lists = Seats(uow.session), Waitlist(uow.session)
        seats.lock_pool(pool_id)
        entry = lists.reload(entry_id)
        if entry.status != wl.WAITING:
            raise WaitlistEntryNotWaiting(f"this entry is {entry.status}",
                                          {"status": entry.status})
        lists.to_front(entry, now)
        if capacity is not None:
            seats.set_capacity(pool_id, capacity, now)
        lists.fill(seats, pool_id, now, first_id=entry_id, by=wl.BY_STAFF,
                   note=str(note)[:500] if note else None)
        result = entry_dict(entry, lists.position(entry),
                            rules.HELD if entry.status == wl.OFFERED else None)
        uow.commit()
    return result


# -- capacity raised, seats converted ----------------------------------------------------------
def _catalog_capacity(ctx, org_id, kind, activity_id, occurrence_id):
    try:
        activity = ctx.peers.call("catalog", "get_activity", org_id, activity_id)
        if kind == rules.SESSION:
            return offerings.session_offering(org_id, activity).capacity
        occurrence = ctx.peers.call("catalog", "get_occurrence", org_id, occurrence_id)
        return offerings.a_la_carte_offering(org_id, activity, occurrence).capacity
    except NotFound:
        return None


def _refresh_pool(ctx, org_id, pool_id, kind, activity_id, occurrence_id):
    capacity = _catalog_capacity(ctx, org_id, kind, activity_id, occurrence_id)
    if capacity is None:
        return
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        seats = Seats(uow.session)
        if seats.lock_pool(pool_id) is None:
            return
        seats.set_capacity(pool_id, capacity, now)  # a rise is offered at commit
        uow.commit()


def _refresh_waiting_pools(ctx, org_id=None, activity_id=None):
    with ctx.db.uow(readonly=True) as uow:
        pools = Waitlist(uow.session).waiting_pools(org_id, activity_id)
    for pool in pools:
        try:
            _refresh_pool(ctx, *pool)
        except Exception:
            log.warning("waiting list of %s not refreshed now", pool[1], exc_info=True)


def activity_updated(ctx, payload):
    data = (payload or {}).get("data") or {}
    if data.get("id") and data.get("org_id"):
        _refresh_waiting_pools(ctx, data["org_id"], data["id"])


def seats_converted(ctx, payload):
    data = (payload or {}).get("data") or {}
    if data.get("activity_id") and data.get("org_id"):
        _refresh_waiting_pools(ctx, data["org_id"], data["activity_id"])


def refresh_waitlists(ctx):
    """Occurrence capacities edited one by one emit no activity event: every pool with
    people waiting is refreshed from the catalog now and then."""
    _refresh_waiting_pools(ctx)


def _locked_entry(session, org_id, entry_id):
    lists = Waitlist(session)
    entry = lists.get(org_id, entry_id)
    if entry is None:
        raise WaitlistEntryNotFound("no such waiting-list entry", {"entry_id": entry_id})
    Seats(session).lock_pool(entry.pool_id)
    return lists.reload(entry_id)

