"""The waiting list in the database (R3.9); the unit of work that offers freed seats is
``database.py``.

Every transaction that frees a seat or raises a capacity (``Seats.give_back`` and
``Seats.set_capacity`` note the pool in ``session.info``) offers the free seats of that pool
to the people waiting, in the same transaction, under the pool's lock, before it commits
(:class:`OfferingUnitOfWork`). A freed seat is therefore never visible as free while
someone waits: a concurrent hold finds the pool full, and two instances freeing seats at
once each offer their own seat (the pool row's lock orders them; the offer takes the seat
with the same conditional update as any hold).
"""
import logging

from sqlalchemy import bindparam, func, select

from services.common.pagination import page, paginate
from services.common.types import new_id

from ..contract import events
from ..domain import rules
from ..domain import waitlist as wl
from . import settings
from .models import Registration, WaitlistEntry, is_active
from .records import entry_dict

log = logging.getLogger(__name__)

FREED = "carnet_freed_pools"      # session.info: pools whose seats were freed or raised
OFFERS = "carnet_waitlist_events"  # session.info: (event type, data) to emit at commit

# every hold asks it: built once (see repositories.py)
_ANYONE = (select(WaitlistEntry.id)
           .where(WaitlistEntry.pool_id == bindparam("pool_id"),
                  WaitlistEntry.status.in_((wl.WAITING, wl.OFFERED))).limit(1))


def note_freed(session, pool_id):
    session.info.setdefault(FREED, set()).add(pool_id)


class Waitlist:
    def __init__(self, session):
        self.session = session

    # -- reads -----------------------------------------------------------------------------------
    def get(self, org_id, entry_id, for_update=False):
        entry = self.session.get(WaitlistEntry, entry_id, with_for_update=for_update)
        return entry if entry is not None and entry.org_id == org_id else None

    def reload(self, entry_id):
        return self.session.execute(
            select(WaitlistEntry).where(WaitlistEntry.id == entry_id).with_for_update()
            .execution_options(populate_existing=True)).scalar_one()

    def live_of_member(self, pool_id, member_id):
        return self.session.execute(
            select(WaitlistEntry).where(WaitlistEntry.pool_id == pool_id,
                                        WaitlistEntry.member_id == member_id,
                                        WaitlistEntry.status.in_(wl.LIVE))).scalar_one_or_none()

    def _ordered(self, pool_id, statuses):
        return (select(WaitlistEntry)
                .where(WaitlistEntry.pool_id == pool_id, WaitlistEntry.status.in_(statuses))
                .order_by(WaitlistEntry.queued_at, WaitlistEntry.seq))

    def waiting(self, pool_id, for_update=False):
        query = self._ordered(pool_id, (wl.WAITING,))
        if for_update:
            query = query.with_for_update()
        return list(self.session.execute(
            query.execution_options(populate_existing=True)).scalars())

    def anyone(self, pool_id) -> bool:
        """Whether anyone is waiting for the pool or holds a seat it offered (what
        :meth:`fill` has to look at); one indexed read."""
        return self.session.execute(_ANYONE, {"pool_id": pool_id}).first() is not None

    def waiting_count(self, pool_id) -> int:
        return self.session.execute(
            select(func.count()).select_from(WaitlistEntry).where(
                WaitlistEntry.pool_id == pool_id,
                WaitlistEntry.status == wl.WAITING)).scalar_one()

    def offer_of(self, registration_id):
        return self.session.execute(
            select(WaitlistEntry).where(WaitlistEntry.registration_id == registration_id,
                                        WaitlistEntry.status == wl.OFFERED)
        ).scalar_one_or_none()

    def waiting_pools(self, org_id=None, activity_id=None, limit=200):
        """(org_id, pool_id, kind, activity_id, occurrence_id) of pools with people
        waiting."""
        query = select(WaitlistEntry.org_id, WaitlistEntry.pool_id, WaitlistEntry.kind,
                       WaitlistEntry.activity_id, WaitlistEntry.occurrence_id).where(
            WaitlistEntry.status == wl.WAITING)
        if org_id:
            query = query.where(WaitlistEntry.org_id == org_id)
        if activity_id:
            query = query.where(WaitlistEntry.activity_id == activity_id)
        return [tuple(r) for r in self.session.execute(
            query.distinct().order_by(WaitlistEntry.pool_id).limit(limit))]

    def list(self, org_id, pool_id=None, account_id=None, statuses=wl.LIVE, limit=None,
             cursor=None):
        """A page of entries in the list's order, each with its position among the people
        still waiting (None for an entry not waiting) and its hold's status."""
        query = select(WaitlistEntry).where(WaitlistEntry.org_id == org_id,
                                            WaitlistEntry.status.in_(statuses))
        if pool_id:
            query = query.where(WaitlistEntry.pool_id == pool_id)
        if account_id:
            query = query.where(WaitlistEntry.account_id == account_id)
        query = query.order_by(WaitlistEntry.queued_at, WaitlistEntry.seq)
        query, limit, offset = paginate(query, limit, cursor)
        items, next_cursor = page(self.session.execute(query).scalars(), limit, offset)
        statuses_of = self.registration_statuses([e.registration_id for e in items])
        return [entry_dict(e, self.position(e), statuses_of.get(e.registration_id))
                for e in items], next_cursor

    def position(self, entry):
        if entry.status != wl.WAITING:
            return None
        ahead = self.session.execute(
            select(func.count()).select_from(WaitlistEntry).where(
                WaitlistEntry.pool_id == entry.pool_id, WaitlistEntry.status == wl.WAITING,
                (WaitlistEntry.queued_at < entry.queued_at)
                | ((WaitlistEntry.queued_at == entry.queued_at)
                   & (WaitlistEntry.seq < entry.seq)))).scalar_one()
        return ahead + 1

    def registration_statuses(self, ids):
        ids = [i for i in ids if i]
        if not ids:
            return {}
        return dict(self.session.execute(
            select(Registration.id, Registration.status).where(Registration.id.in_(ids))).all())

    # -- writes (the caller holds the pool's lock) ------------------------------------------------
    def add(self, offering, person, account_id, now):
        seq = (self.session.execute(
            select(func.max(WaitlistEntry.seq)).where(
                WaitlistEntry.pool_id == offering.pool_key)).scalar_one() or 0) + 1
        entry = WaitlistEntry(
            id=new_id("wle"), queued_at=now, seq=seq, org_id=offering.org_id, pool_id=offering.pool_key,
            kind=offering.kind, activity_id=offering.activity_id,
            occurrence_id=offering.occurrence_id, member_id=person.member_id,
            member_name=person.name, account_id=account_id, status=wl.WAITING,
            price=offering.price, description=offering.description,
            accounting_code=offering.accounting_code, starts_at=offering.starts_at,
            starts_at_local=offering.starts_at.isoformat() if offering.starts_at else None,
            closes_at=offering.closes_at,
            cancellation_allowed=offering.cancellation.allowed,
            cancellation_deadline_minutes=offering.cancellation.deadline_minutes_before,
            fee_policy=offering.fees, created_at=now, updated_at=now)
        self.session.add(entry)
        self.session.flush()
        return entry

    def to_front(self, entry, now):
        """Staff put a waiting entry first in line (it gets the next free seat)."""
        first = self.waiting(entry.pool_id)
        if first and first[0].id != entry.id:
            entry.queued_at = first[0].queued_at
            entry.seq = min(e.seq for e in first) - 1
            entry.updated_at = now
            self.session.flush()

    def end(self, entry, status, now):
        entry.status, entry.ended_at, entry.updated_at = status, now, now

    def settle(self, pool_id, now):
        """Offers whose hold was confirmed are ``claimed``; ended holds ``lapsed``."""
        rows = self.session.execute(
            select(WaitlistEntry, Registration.status)
            .join(Registration, Registration.id == WaitlistEntry.registration_id)
            .where(WaitlistEntry.pool_id == pool_id, WaitlistEntry.status == wl.OFFERED)
            .execution_options(populate_existing=True)).all()
        for entry, status in rows:
            if status == rules.CONFIRMED:
                self.end(entry, wl.CLAIMED, now)
            elif status not in rules.ACTIVE:
                self.end(entry, wl.LAPSED, now)
                self._emit(events.WAITLIST_OFFER_LAPSED, dict(entry_dict(entry), reason=status))

    def fill(self, seats, pool_id, now, first_id=None, by=wl.BY_WAITLIST, note=None):
        """Offer the pool's free seats to the people waiting (see domain/waitlist.py);
        ``seats`` is the caller's :class:`Seats`. Returns the entries offered a seat."""
        pool = seats.lock_pool(pool_id)
        if pool is None:
            return []
        self.settle(pool_id, now)
        waiting = self.waiting(pool_id, for_update=True)
        if not waiting:
            return []
        free = pool.capacity - pool.taken
        offered, reads = [], _Registrations(self.session)
        for entry in wl.offer_order(waiting, first_id):
            if wl.is_closed(now, entry.closes_at):
                self.end(entry, wl.CLOSED, now)
                continue
            if reads.active_for(pool_id, entry.member_id) is not None:
                self.end(entry, wl.CLOSED, now)  # registered otherwise meanwhile
                continue
            if free <= 0 or not seats.take_seat(pool_id, now):
                break
            free -= 1
            self._offer(entry, now, by)
            offered.append(entry)
        still = {e.id: e for e in waiting if e.status == wl.WAITING}
        for entry in offered:
            household = [e.member_id for e in still.values()
                         if e.account_id == entry.account_id]
            self._emit(events.WAITLIST_SEAT_OFFERED,
                       dict(entry_dict(entry), household_still_waiting=household,
                            **({"note": note} if note else {})))
        return offered

    def _offer(self, entry, now, by):
        until = wl.offer_expires_at(now, settings.waitlist_offer_seconds(), entry.closes_at)
        registration = Registration(
            id=new_id("reg"), org_id=entry.org_id, kind=entry.kind, pool_id=entry.pool_id,
            member_id=entry.member_id, member_name=entry.member_name,
            account_id=entry.account_id, activity_id=entry.activity_id,
            occurrence_id=entry.occurrence_id, starts_at=entry.starts_at,
            starts_at_local=entry.starts_at_local, status=rules.HELD, price=entry.price,
            description=entry.description, accounting_code=entry.accounting_code,
            hold_expires_at=until, cart_id=None, cart_item_id=None,
            paid_with_type=rules.MONEY, paid_with_id=None,
            cancellation_allowed=entry.cancellation_allowed,
            cancellation_deadline_minutes=entry.cancellation_deadline_minutes,
            fee_policy=entry.fee_policy, created_at=now, updated_at=now)
        self.session.add(registration)
        self.session.flush()
        entry.status, entry.registration_id = wl.OFFERED, registration.id
        entry.offered_at, entry.offer_expires_at, entry.offered_by = now, until, by
        entry.updated_at = now

    def adopt(self, registration, data, now):
        """The offered hold taken into the member's cart (the claim, see docs/policies.md):
        it keeps its seat and its expiry; the cart's payment choice applies."""
        pay_with = data.get("pay_with") or {}
        kind = pay_with.get("type") or rules.MONEY
        registration.cart_id = data.get("cart_id")
        registration.cart_item_id = data.get("cart_item_id")
        if kind in (rules.PASS, rules.SUBSCRIPTION):
            registration.price = 0
            registration.paid_with_type = kind
            registration.paid_with_id = pay_with.get("pass_id") or \
                pay_with.get("subscription_id")
        registration.updated_at = now
        self.session.flush()
        return registration

    def _emit(self, event_type, data):
        self.session.info.setdefault(OFFERS, []).append((event_type, data))


class _Registrations:
    def __init__(self, session):
        self.session = session

    def active_for(self, pool_id, member_id):
        return self.session.execute(
            select(Registration.id).where(Registration.pool_id == pool_id,
                                          Registration.member_id == member_id,
                                          is_active(Registration.status))).first()
