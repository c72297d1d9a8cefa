"""Holding a seat (R3.1–R3.3), and the seats that lapse.

A hold reads what it needs of the catalog and accounts from registration's copy of them
(``read_model.py``; a miss asks them, outside any transaction), applies the
domain's rules (``domain/rules.py``) and takes the seat with the database's capacity guard
(``adapters/repositories.py``), emitting its events in the same transaction.

Capacities come from the catalog: the pool's capacity is refreshed from the offering on every
hold, so catalog edits and seat conversions (R2.6) apply from the next hold on (the catalog
pushes each change to the copy before it answers the edit).
"""
import logging
from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from services.common.schemas import load

from ..adapters import offerings
from ..adapters.records import event_data, new_hold, registration_dict
from ..adapters.repositories import Registrations, Seats
from ..contract import events
from ..contract.errors import AlreadyRegistered, OfferingNotFound, SoldOut
from ..contract.schemas import HoldIn
from ..domain import rules
from . import pass_booking, read_model
from .policies import WALK_IN, check_walk_in, walk_in_person

log = logging.getLogger(__name__)


# -- what a hold needs to know ------------------------------------------------------------------
def gather(ctx, org_id, data):
    """(offering, the member's lookup) for a hold: the activity and occurrence are known
    (``read_model.py``: the copy of the catalog) or asked from the catalog; the member is
    known or asked from accounts, in parallel with the catalog."""
    member_reply = _ask_member(ctx, org_id, data)
    if data["kind"] == rules.SESSION:
        activity = read_model.activity(ctx, org_id, data["activity_id"])
        offering = offerings.session_offering(org_id, activity)
        if offering.eligibility_date is None:  # no occurrence yet: judged on today
            offering = replace(offering, eligibility_date=ctx.clock.now().date())
    else:
        occurrence, activity = read_model.occurrence(ctx, org_id, data["occurrence_id"])
        offering = offerings.a_la_carte_offering(org_id, activity, occurrence)
    return offering, member_reply


def _ask_member(ctx, org_id, data):
    if data.get("walk_in_name"):
        return WALK_IN  # R8.3: nobody to ask for
    if ctx.settings.unsafe_capacity_check():
        return None  # the naive path asks later, between its count and its insert
    return read_model.start_member(ctx, org_id, data["member_id"])


def member(ctx, member_reply, data):
    """The member a request names, checked against its account (if it names one)."""
    found = read_model.member_of(ctx, member_reply)
    if data.get("account_id") is not None and found.get("account_id") != data["account_id"]:
        raise OfferingNotFound("this member is not in this account",
                               {"member_id": data["member_id"]})
    return found


def person(ctx, org_id, data, member_reply):
    if data.get("walk_in_name"):
        return walk_in_person(data)
    if member_reply is None:  # the naive path: an RPC, on purpose (see _hold_naively)
        member_reply = ctx.peers.start("accounts", "get_member", org_id, data["member_id"])
    found = read_model.member_of(ctx, member_reply)
    if found.get("account_id") != data["account_id"]:
        raise OfferingNotFound("this member is not in this account",
                               {"member_id": data["member_id"]})
    return offerings.person_of(found)


def memberships(ctx, org_id, offering, who):
    if not (offering.offered and offering.restrictions.needs_membership):
        return []
    answer = ctx.peers.call("passes", "active_memberships", org_id, who.member_id,
                            offering.eligibility_date.isoformat())
    return offerings.active_membership_type_ids(answer)


def check(offering, who, data, member_of, now):
    if data.get("walk_in_name"):
        check_walk_in(offering, data)
    rules.check_open(offering, now)
    rules.check_payment(offering, data.get("pay_with"))
    rules.check_eligible(offering, who, member_of)


# -- R3.1–R3.3 ----------------------------------------------------------------------------------
def hold(ctx, org_id, data):
    data = load(HoldIn, data)
    offering, member_reply = gather(ctx, org_id, data)
    if ctx.settings.unsafe_capacity_check():
        return _hold_naively(ctx, org_id, data, offering, member_reply)
    who = person(ctx, org_id, data, member_reply)
    member_of = memberships(ctx, org_id, offering, who)
    now = ctx.clock.now()
    retried = retried_hold(ctx, org_id, data, who, offering)
    if retried is not None:  # paid with a pass: its debit again (a replay if it was made)
        return pass_booking.debit_hold(ctx, org_id, retried) \
            if retried["paid_with"]["type"] == rules.PASS else retried
    check(offering, who, data, member_of, now)
    result, first_use = place_hold(ctx, offering, who, data, now)
    if first_use:
        _learn_occurrences(ctx, org_id, offering)
    if result["paid_with"]["type"] == rules.PASS:  # R3.4: the seat and the use together
        return pass_booking.debit_hold(ctx, org_id, result)
    return result


def retried_hold(ctx, org_id, data, who, offering):
    """The live hold of this cart item if the same request came before, else None."""
    if not data.get("cart_item_id"):
        return None  # nothing to retry: no transaction spent on it
    with ctx.db.uow(readonly=True) as uow:
        retried = Registrations(uow.session).active_for_cart_item(org_id, data["cart_item_id"])
        if retried is not None and retried.member_id == who.member_id \
                and retried.pool_id == offering.pool_key:
            return registration_dict(retried)  # the same request again: the same hold
    return None


def place_hold(ctx, offering, who, data, now):
    """The hold, once the caller's checks passed, in one transaction with the pool's
    conditional update (R3.1): the registration as a dict, and whether it was the pool's
    first use."""
    with ctx.db.uow() as uow:
        registration, expired, first_use = Seats(uow.session).place_hold(
            offering, who, data, now, ctx.settings.hold_ttl_seconds())
        for lapsed in expired:
            uow.emit(events.REGISTRATION_EXPIRED, event_data(lapsed))
        result = registration_dict(registration)
        uow.emit(events.REGISTRATION_HELD, result)
        uow.commit()
    return result, first_use


def _hold_naively(ctx, org_id, data, offering, member_reply):
    """TEST ONLY (CARNET_UNSAFE_CAPACITY_CHECK=1): count the seats in one transaction, then
    look the member up (an RPC: other requests run meanwhile), then insert in another
    transaction — what the conditional update exists to prevent. Two requests can both see
    a free seat and both take it."""
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        taken = Registrations(uow.session).live_count(offering.pool_key, now)
    if taken >= offering.capacity:
        raise SoldOut("no seat is left", {"kind": offering.kind, "capacity": offering.capacity})
    who = person(ctx, org_id, data, member_reply)
    check(offering, who, data, memberships(ctx, org_id, offering, who), now)
    with ctx.db.uow() as uow:
        seats = Seats(uow.session)
        seats.ensure_pool(offering, now)
        seats.take_seat_unconditionally(offering.pool_key, now)
        registration = new_hold(offering, who, data, now, ctx.settings.hold_ttl_seconds())
        try:
            seats.add_hold(registration)
        except IntegrityError:
            raise AlreadyRegistered("this member is already registered",
                                    {"member_id": who.member_id})
        result = registration_dict(registration)
        uow.emit(events.REGISTRATION_HELD, result)
        uow.commit()
    return result


# -- the occurrences of an activity (for seat_counts) -------------------------------------------
def _learn_occurrences(ctx, org_id, offering):
    """After a session pool's first hold: remember the activity's occurrences, so that
    ``seat_counts`` can give each of them the session seats. Best effort: if it fails, the
    next session hold tries again."""
    try:
        answer = ctx.peers.call("catalog", "list_occurrences", org_id, offering.activity_id)
    except Exception:
        log.warning("could not list the occurrences of %s now; the next session hold will "
                    "try again", offering.activity_id, exc_info=True)
        return
    with ctx.db.uow() as uow:
        seats = Seats(uow.session)
        seats.remember_occurrences(org_id, offering.activity_id,
                                   [o["id"] for o in answer.get("items", [])])
        seats.mark_occurrences_known(offering.pool_key)
        uow.commit()


def occurrence_added(ctx, payload):
    occurrence = payload.get("data") or {}
    if not occurrence.get("id") or not occurrence.get("activity_id"):
        return
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        Seats(uow.session).remember_occurrences(
            occurrence.get("org_id"), occurrence["activity_id"], [occurrence["id"]])
        uow.commit()


# -- lapsed holds -------------------------------------------------------------------------------
def expire_lapsed_holds(ctx):
    """Lapsed holds free their seats by themselves (R3.1), one pool per transaction. Several
    instances sweep at once: a pool locked by another transaction is skipped."""
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        pools = Seats(uow.session).pools_with_lapsed_holds(now)
    for pool_id in pools:
        with ctx.db.uow() as uow:
            seats = Seats(uow.session)
            if seats.lock_pool(pool_id, skip_locked=True) is None:
                continue
            for lapsed in seats.expire_lapsed(pool_id, now):
                uow.emit(events.REGISTRATION_EXPIRED, event_data(lapsed))
            uow.commit()
