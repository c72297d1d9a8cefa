"""Seats and registrations in the database, within a unit of work.

Capacity is enforced here, in the database, never in memory (several instances of the
service run at once, R3.1):

- a seat is taken by ``UPDATE seat_pools SET taken = taken + 1 WHERE id = :pool AND
  taken < capacity`` in the same transaction as the hold's insert: if it updates no row, the
  pool is full. PostgreSQL (READ COMMITTED) re-checks the condition on the row version left
  by a concurrent writer; SQLite runs write transactions one at a time (BEGIN IMMEDIATE).
- a seat is given back by ``taken - 1`` in the transaction that moves the registration out
  of ``held``/``confirmed``, only if it was in one of them (a second release frees nothing).
- R3.2 is a partial unique index (one held or confirmed registration per member and pool).

Lock order, so that PostgreSQL never deadlocks: a transaction that changes a registration's
status first locks its pool row (``lock_pool``), then the registration rows. Every status
change that takes or frees a seat therefore happens under its pool's lock, which also makes
the counts exact. A change that moves no seat (a pass booking's hold confirmed:
:meth:`Seats.lock_registration`) locks the registration row alone and no pool in that
transaction, so it waits for no other booking of the occurrence and closes no lock cycle (a
sweep that expires the hold first is seen: the row is re-read once the lock is granted).
"""
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from services.common import db
from services.common.pagination import page, paginate

from ..contract.errors import AlreadyRegistered, HoldExpired, SoldOut
from ..domain import rules
from . import settings
from .models import (OccurrenceActivity, Registration, SeatConversion, SeatPool,
                     is_active)
from .records import new_hold
from .waitlist import Waitlist, note_freed


# A booking's statements, built once (bound parameters named): building a statement cost
# more CPU than running it on SQLite, ~0.1 ms for each of a booking's reads and updates
# (issue 14). The rest are built where they are used.
_POOL = select(SeatPool.id, SeatPool.capacity, SeatPool.taken,
               SeatPool.occurrences_known).where(SeatPool.id == bindparam("pool_id"))
_LOCK_POOL = {False: _POOL.with_for_update(), True: _POOL.with_for_update(skip_locked=True)}
_TAKE_SEAT = (update(SeatPool)
              .where(SeatPool.id == bindparam("pool_id"), SeatPool.taken < SeatPool.capacity)
              .values(taken=SeatPool.taken + 1, updated_at=bindparam("now"))
              .execution_options(synchronize_session=False))
_LOCK_REGISTRATION = (select(Registration)
                      .where(Registration.id == bindparam("registration_id"),
                             Registration.org_id == bindparam("org_id"))
                      .with_for_update().execution_options(populate_existing=True))
_MEMBER_IN_POOL = (select(Registration)
                   .where(Registration.pool_id == bindparam("pool_id"),
                          Registration.member_id == bindparam("member_id"),
                          is_active(Registration.status))
                   .order_by(Registration.id).with_for_update()
                   .execution_options(populate_existing=True))


class Seats:
    """The pools of seats (R2.4) and the status changes that take or free a seat."""

    def __init__(self, session):
        self.session = session

    # -- pools ---------------------------------------------------------------------------------
    def ensure_pool(self, offering: rules.Offering, now):
        """Create the pool on first use, with the catalog's capacity (racing instances:
        one insert wins, the others do nothing)."""
        self.session.execute(db.insert_ignoring_duplicates(SeatPool, ["id"]).values(
            id=offering.pool_key, org_id=offering.org_id, kind=offering.kind,
            activity_id=offering.activity_id, occurrence_id=offering.occurrence_id,
            capacity=offering.capacity, taken=0, occurrences_known=False,
            created_at=now, updated_at=now))

    def ensure_session_pool(self, org_id, activity_id, capacity, now):
        """The session pool of an activity, created with ``capacity`` if it does not exist."""
        self.session.execute(db.insert_ignoring_duplicates(SeatPool, ["id"]).values(
            id=f"{rules.SESSION}:{activity_id}", org_id=org_id, kind=rules.SESSION,
            activity_id=activity_id, occurrence_id=None, capacity=capacity, taken=0,
            occurrences_known=False, created_at=now, updated_at=now))
        return f"{rules.SESSION}:{activity_id}"

    def lock_pool(self, pool_id, skip_locked=False):
        """The pool row (id, capacity, taken), locked until commit on PostgreSQL (SQLite's
        write transaction is already exclusive). None if the pool does not exist, or is
        locked by another transaction with ``skip_locked``."""
        return self.session.execute(_LOCK_POOL[bool(skip_locked)],
                                    {"pool_id": pool_id}).first()

    def set_capacity(self, pool_id, capacity, now):
        """The catalog's capacity, refreshed on every hold (seat conversions, R2.6, and edits
        apply to the next hold; seats already taken are kept)."""
        result = self.session.execute(
            update(SeatPool).where(SeatPool.id == pool_id, SeatPool.capacity != capacity)
            .values(capacity=capacity, updated_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount:
            note_freed(self.session, pool_id)  # a raised capacity goes to the list (R3.9)

    def take_seat(self, pool_id, now) -> bool:
        """The conditional update: True if a seat was taken, False if the pool is full."""
        result = self.session.execute(_TAKE_SEAT, {"pool_id": pool_id, "now": now})
        return result.rowcount == 1

    def take_seat_unconditionally(self, pool_id, now):
        """TEST-ONLY naive path (CARNET_UNSAFE_CAPACITY_CHECK): count kept, never checked."""
        self.session.execute(
            update(SeatPool).where(SeatPool.id == pool_id)
            .values(taken=SeatPool.taken + 1, updated_at=now)
            .execution_options(synchronize_session=False))

    def give_back(self, pool_id, seats, now):
        if seats:
            self.session.execute(
                update(SeatPool).where(SeatPool.id == pool_id)
                .values(taken=SeatPool.taken - seats, updated_at=now)
                .execution_options(synchronize_session=False))
            note_freed(self.session, pool_id)  # offered to the waiting list at commit (R3.9)

    def take_seats(self, pool_id, seats, now) -> bool:
        """R2.6: ``seats`` seats of the pool at once, if that many are free (conditional)."""
        result = self.session.execute(
            update(SeatPool).where(SeatPool.id == pool_id,
                                   SeatPool.capacity - SeatPool.taken >= seats)
            .values(taken=SeatPool.taken + seats, updated_at=now)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    def mark_occurrences_known(self, pool_id):
        self.session.execute(update(SeatPool).where(SeatPool.id == pool_id)
                             .values(occurrences_known=True)
                             .execution_options(synchronize_session=False))

    # -- registrations under their pool's lock ---------------------------------------------------
    def lock_registration(self, org_id, registration_id):
        """The registration, read and locked alone (not its pool): only for a status change
        that moves no seat (see the module's lock order). None if there is none."""
        return self.session.execute(_LOCK_REGISTRATION, {
            "registration_id": registration_id, "org_id": org_id}).scalar_one_or_none()

    def reload(self, registration_id):
        """A registration re-read after its pool was locked (fresh, and locked too)."""
        return self.session.execute(
            select(Registration).where(Registration.id == registration_id).with_for_update()
            .execution_options(populate_existing=True)).scalar_one()

    def add_hold(self, registration: Registration):
        self.session.add(registration)
        self.session.flush()

    def finish(self, registration: Registration, status, now):
        """Move a registration to ``released``/``expired``/``cancelled``; its seat is free
        at once if it had one."""
        had_seat = registration.status in rules.ACTIVE
        registration.status = status
        registration.ended_at = now
        registration.updated_at = now
        self.session.flush()
        if had_seat:
            self.give_back(registration.pool_id, 1, now)

    def confirm(self, registration: Registration, invoice_id, now):
        """A hold (whose seat is counted) becomes a confirmed registration paid by the
        invoice (``paid_with.id``: the invoice, for money)."""
        registration.status = rules.CONFIRMED
        registration.invoice_id = invoice_id
        if registration.paid_with_type == rules.MONEY:
            registration.paid_with_id = invoice_id
        registration.confirmed_at = now
        registration.updated_at = now
        registration.ended_at = None
        self.session.flush()

    def expire_lapsed(self, pool_id, now, member_id=None) -> list:
        """Expire the pool's holds whose time is up (optionally one member's); their seats are
        free. The caller holds the pool's lock and emits ``registration_expired``."""
        query = select(Registration).where(
            Registration.pool_id == pool_id, Registration.status == rules.HELD,
            Registration.hold_expires_at <= now)
        if member_id is not None:
            query = query.where(Registration.member_id == member_id)
        lapsed = list(self.session.execute(
            query.order_by(Registration.id).with_for_update()
            .execution_options(populate_existing=True)).scalars())
        return self._expire(pool_id, lapsed, now)

    def _expire(self, pool_id, lapsed, now) -> list:
        """Mark ``lapsed`` holds expired and free their seats (under the pool's lock)."""
        for registration in lapsed:
            registration.status = rules.EXPIRED
            registration.ended_at = now
            registration.updated_at = now
        if lapsed:
            self.session.flush()
            self.give_back(pool_id, len(lapsed), now)
        return lapsed

    def pools_with_lapsed_holds(self, now, limit=100) -> list:
        return list(self.session.execute(
            select(Registration.pool_id).where(Registration.status == rules.HELD,
                                               Registration.hold_expires_at <= now)
            .group_by(Registration.pool_id).limit(limit)).scalars())

    # -- holding and taking a seat again ------------------------------------------------------------
    def place_hold(self, offering, person, data, now, ttl_seconds):
        """Take a seat and insert the hold, in the caller's transaction; returns
        (hold, holds expired on the way, whether the session pool's occurrences are still
        to be learnt). Refusals: ``already_registered``, ``sold_out``.

        The pool's lock is what every concurrent booking of the occurrence waits for, so
        little is done while it is held (issue 14: on PostgreSQL each statement is a round
        trip, and under load the lock was most of a booking's time): the pool is created
        only if locking finds none, its capacity rewritten only if the catalog's differs,
        the member's registrations in the pool read once (their lapsed hold expired, R3.2,
        and their live one found), and the waiting list filled only if anyone is on it."""
        pool_id = offering.pool_key
        pool = self.lock_pool(pool_id)
        if pool is None:
            self.ensure_pool(offering, now)
            pool = self.lock_pool(pool_id)
        if pool.capacity != offering.capacity:
            self.set_capacity(pool_id, offering.capacity, now)
        # The member's own lapsed hold no longer counts as being registered (R3.2).
        expired, active = self._member_in_pool(pool_id, person.member_id, now)
        already = AlreadyRegistered("this member is already registered",
                                    {"member_id": person.member_id, "kind": offering.kind})
        if not settings.unsafe_waitlist_offer():
            waitlist = Waitlist(self.session)
            if waitlist.anyone(pool_id):  # people waiting come first
                offered = waitlist.fill(self, pool_id, now)
                if any(entry.member_id == person.member_id for entry in offered):
                    active = Registrations(self.session).active_for(pool_id,
                                                                    person.member_id)
        if active is not None:
            offer = Waitlist(self.session).offer_of(active.id) \
                if active.status == rules.HELD and active.cart_id is None else None
            if offer is None:
                raise already
            # R3.9: the seat offered from the waiting list, claimed into this cart
            return Waitlist(self.session).adopt(active, data, now), expired, False
        if not self.take_seat(pool_id, now):
            # Before refusing, free the pool's lapsed holds (the sweep may not have run yet).
            expired += self.expire_lapsed(pool_id, now)
            if expired and not settings.unsafe_waitlist_offer():
                Waitlist(self.session).fill(self, pool_id, now)  # the list first (R3.9)
            if not self.take_seat(pool_id, now):
                raise SoldOut("no seat is left", {
                    "kind": offering.kind, "capacity": offering.capacity,
                    "waitlist": Waitlist(self.session).waiting_count(pool_id)})
        registration = new_hold(offering, person, data, now, ttl_seconds)
        try:
            self.add_hold(registration)
        except IntegrityError:  # the unique index: a concurrent hold of the same member
            raise already
        first_use = offering.kind == rules.SESSION and not pool.occurrences_known
        return registration, expired, first_use

    def _member_in_pool(self, pool_id, member_id, now):
        """(the member's holds in the pool that had lapsed, now expired; their live
        registration or None), in one read; the caller holds the pool's lock."""
        mine = list(self.session.execute(_MEMBER_IN_POOL, {
            "pool_id": pool_id, "member_id": member_id}).scalars())
        lapsed = self._expire(pool_id, [
            r for r in mine if r.status == rules.HELD and r.hold_expires_at is not None
            and r.hold_expires_at <= now], now)
        live = [r for r in mine if r not in lapsed]
        return lapsed, (live[0] if live else None)

    def retake(self, registration, now):
        """An expired hold at checkout takes a seat again if there is one (and the member
        did not register again meanwhile), else ``hold_expired``. The caller holds the pool's
        lock; returns the holds expired on the way."""
        refused = HoldExpired("the hold expired and its seat is no longer available",
                              {"registration_id": registration.id})
        if Registrations(self.session).active_for(registration.pool_id,
                                                  registration.member_id) is not None:
            raise refused
        expired = []
        if not self.take_seat(registration.pool_id, now):
            expired = self.expire_lapsed(registration.pool_id, now)
            if not self.take_seat(registration.pool_id, now):
                raise refused
        return expired

    # -- the occurrences of an activity -----------------------------------------------------------
    def remember_occurrences(self, org_id, activity_id, occurrence_ids):
        for occurrence_id in occurrence_ids:
            self.session.execute(
                db.insert_ignoring_duplicates(OccurrenceActivity, ["occurrence_id"])
                .values(occurrence_id=occurrence_id, org_id=org_id, activity_id=activity_id))


class SeatConversions:
    """R2.6: the catalog's seat conversions by its id (see ``models.SeatConversion``); read
    and written under the session pool's lock."""

    def __init__(self, session):
        self.session = session

    def get(self, conversion_id, for_update=False):
        return self.session.get(SeatConversion, conversion_id, with_for_update=for_update)

    def add_reserved(self, conversion_id, org_id, activity_id, seats, now):
        self.session.add(SeatConversion(
            id=conversion_id, org_id=org_id, activity_id=activity_id, seats=seats,
            status=rules.CONVERSION_RESERVED, created_at=now, updated_at=now))
        self.session.flush()

    def give_up(self, conversion_id, org_id, activity_id, now):
        """Remember a conversion given up before its seats were taken (so that a late take
        is refused); nothing if it is known already."""
        self.session.execute(db.insert_ignoring_duplicates(SeatConversion, ["id"]).values(
            id=conversion_id, org_id=org_id, activity_id=activity_id, seats=0,
            status=rules.CONVERSION_RETURNED, created_at=now, updated_at=now))


class Registrations:
    """Reads."""

    def __init__(self, session):
        self.session = session

    def get(self, org_id, registration_id):
        registration = self.session.get(Registration, registration_id)
        if registration is None or registration.org_id != org_id:
            return None
        return registration

    def get_many(self, org_id, registration_ids):
        if not registration_ids:
            return []
        return list(self.session.execute(
            select(Registration).where(Registration.org_id == org_id,
                                       Registration.id.in_(list(registration_ids)))).scalars())

    def active_for(self, pool_id, member_id):
        return self.session.execute(
            select(Registration).where(Registration.pool_id == pool_id,
                                       Registration.member_id == member_id,
                                       is_active(Registration.status))).scalar_one_or_none()

    def active_for_cart_item(self, org_id, cart_item_id):
        if not cart_item_id:
            return None
        return self.session.execute(
            select(Registration).where(Registration.org_id == org_id,
                                       Registration.cart_item_id == cart_item_id,
                                       is_active(Registration.status))
            .order_by(Registration.created_at.desc()).limit(1)).scalar_one_or_none()

    def for_invoice(self, org_id, invoice_id):
        return list(self.session.execute(
            select(Registration).where(Registration.org_id == org_id,
                                       Registration.invoice_id == invoice_id)
            .order_by(Registration.id)).scalars())

    def live_count(self, pool_id, now) -> int:
        """Confirmed plus holds whose time is not up (the naive, unsafe path's count)."""
        return self.session.execute(
            select(func.count()).select_from(Registration).where(
                Registration.pool_id == pool_id,
                or_(Registration.status == rules.CONFIRMED,
                    (Registration.status == rules.HELD) & (Registration.hold_expires_at > now)))
        ).scalar_one()

    def search(self, org_id, account_id=None, activity_id=None, occurrence_id=None, kind=None,
               status=None, limit=None, cursor=None):
        query = select(Registration).where(Registration.org_id == org_id)
        if account_id:
            query = query.where(Registration.account_id == account_id)
        if activity_id:
            query = query.where(Registration.activity_id == activity_id)
        if occurrence_id:
            query = query.where(Registration.occurrence_id == occurrence_id)
        if kind:
            query = query.where(Registration.kind == kind)
        if status:
            query = query.where(Registration.status == status)
        query = query.order_by(Registration.created_at.desc(), Registration.id.desc())
        query, limit, offset = paginate(query, limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)

    def confirmed_of_activity(self, org_id, activity_id):
        return list(self.session.execute(
            select(Registration).where(Registration.org_id == org_id,
                                       Registration.activity_id == activity_id,
                                       Registration.status == rules.CONFIRMED)
            .order_by(Registration.kind, Registration.starts_at, Registration.member_name,
                      Registration.id)).scalars())

    def activities_of(self, org_id, occurrence_ids) -> dict:
        """``{occurrence_id: activity_id}`` for the occurrences this service has heard of."""
        if not occurrence_ids:
            return {}
        rows = self.session.execute(
            select(OccurrenceActivity.occurrence_id, OccurrenceActivity.activity_id).where(
                OccurrenceActivity.org_id == org_id,
                OccurrenceActivity.occurrence_id.in_(list(occurrence_ids))))
        found = {occurrence_id: activity_id for occurrence_id, activity_id in rows}
        rows = self.session.execute(
            select(SeatPool.occurrence_id, SeatPool.activity_id).where(
                SeatPool.org_id == org_id, SeatPool.occurrence_id.in_(list(occurrence_ids))))
        for occurrence_id, activity_id in rows:
            found.setdefault(occurrence_id, activity_id)
        return found

    def active_a_la_carte_count(self, org_id, activity_id) -> int:
        """Held or confirmed à la carte registrations of an activity (R2.5); a lapsed hold
        counts until it is expired (it may still be confirmed at checkout)."""
        return self.session.execute(
            select(func.count()).select_from(Registration).where(
                Registration.org_id == org_id, Registration.activity_id == activity_id,
                Registration.kind == rules.A_LA_CARTE,
                is_active(Registration.status))).scalar_one()

    def active_of_pool(self, pool_id):
        return list(self.session.execute(
            select(Registration).where(Registration.pool_id == pool_id,
                                       is_active(Registration.status))
            .order_by(Registration.id)).scalars())

    def active_paid_with(self, org_id, account_id, paid_with_type, paid_with_id):
        """Held or confirmed registrations of an account paid with this pass or
        subscription."""
        return list(self.session.execute(
            select(Registration).where(Registration.org_id == org_id,
                                       Registration.account_id == account_id,
                                       Registration.paid_with_type == paid_with_type,
                                       Registration.paid_with_id == paid_with_id,
                                       is_active(Registration.status))
            .order_by(Registration.starts_at, Registration.id)).scalars())

    def pending_pass_bookings(self, older_than, limit=100):
        """Bookings with a pass without a cart (R3.4) still held since before
        ``older_than``: their request was interrupted between the seat and the debit."""
        return list(self.session.execute(
            select(Registration).where(Registration.status == rules.HELD,
                                       Registration.paid_with_type == rules.PASS,
                                       Registration.cart_id.is_(None),
                                       Registration.created_at < older_than)
            .order_by(Registration.created_at).limit(limit)).scalars())

    def live_counts_by_pool(self, pool_ids, now, org_id) -> dict:
        """``{pool_id: confirmed + live holds}`` of one org's pools."""
        if not pool_ids:
            return {}
        rows = self.session.execute(
            select(Registration.pool_id, func.count()).where(
                Registration.org_id == org_id, Registration.pool_id.in_(list(pool_ids)),
                or_(Registration.status == rules.CONFIRMED,
                    (Registration.status == rules.HELD) & (Registration.hold_expires_at > now)))
            .group_by(Registration.pool_id))
        return {pool_id: count for pool_id, count in rows}


