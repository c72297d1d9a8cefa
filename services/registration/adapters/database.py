"""Registration's database dependency: its units of work offer the seats they free to the
waiting list (R3.9) before they commit.

Every transaction that frees a seat or raises a capacity (``Seats.give_back`` and
``Seats.set_capacity`` note the pool in ``session.info``) offers the free seats of that pool
to the people waiting, in the same transaction, under the pool's lock
(:class:`OfferingUnitOfWork`), and emits the waiting list's events it collected.
"""
import logging
import time

from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.uow import Database, DatabaseAccess, UnitOfWork

from . import settings
from ..contract import events
from ..domain import waitlist as wl
from .records import entry_dict
from .repositories import Seats
from .waitlist import FREED, OFFERS, Waitlist

log = logging.getLogger(__name__)


class OfferingUnitOfWork(UnitOfWork):
    def commit(self):
        if not self.readonly:
            pools = sorted(self.session.info.pop(FREED, ()))
            if pools and not settings.unsafe_waitlist_offer():
                now = utcnow()
                for pool_id in pools:
                    Waitlist(self.session).fill(Seats(self.session), pool_id, now)
            elif pools:
                self._naive_pools = pools
            for event_type, data in self.session.info.pop(OFFERS, []):
                self.emit(event_type, data)
        super().commit()

    def rollback(self):
        self.session.info.pop(FREED, None)
        self.session.info.pop(OFFERS, None)
        super().rollback()

    def __exit__(self, exc_type, exc, tb):
        result = super().__exit__(exc_type, exc, tb)
        pools = getattr(self, "_naive_pools", None)
        if self.committed and pools:
            for pool_id in pools:
                naive_offer(self.database, pool_id)
        return result


def naive_offer(database, pool_id):
    """TEST ONLY (``CARNET_UNSAFE_WAITLIST_OFFER=1``): offer freed seats *after* the
    transaction that freed them, counting the free seats in one transaction and taking them
    in another, without the pool's lock: what the offer-in-the-same-transaction exists to
    prevent. Meanwhile another request can take the seat (a walk-in ahead of the list), and
    the offer then takes it again (oversold)."""
    now = utcnow()
    with UnitOfWork(database, readonly=True) as uow:
        pool = Seats(uow.session).lock_pool(pool_id)
        waiting = Waitlist(uow.session).waiting(pool_id)
        free = pool.capacity - pool.taken if pool is not None else 0
        chosen = [e.id for e in waiting[:max(free, 0)]]
    time.sleep(0.05)  # what a naive path would spend asking the catalog for the offering
    for entry_id in chosen:
        try:
            with UnitOfWork(database) as uow:
                lists = Waitlist(uow.session)
                entry = lists.reload(entry_id)
                Seats(uow.session).take_seat_unconditionally(pool_id, now)
                lists._offer(entry, now, wl.BY_WAITLIST)
                uow.emit(events.WAITLIST_SEAT_OFFERED, dict(entry_dict(entry),
                                                            household_still_waiting=[]))
                uow.commit()
        except IntegrityError:
            log.info("naive offer to %s collided", entry_id)


class OfferingDatabaseAccess(DatabaseAccess):
    def uow(self, readonly=False):
        return OfferingUnitOfWork(self._database, readonly=readonly)


class OfferingDatabase(Database):
    """Registration's database dependency: its units of work offer freed seats (R3.9)."""

    def get_dependency(self, worker_ctx):
        return OfferingDatabaseAccess(self)
