"""What a use case gets from the entry point that calls it (built per call by service.py
or worker.py): the database, the clock, the peers, the settings, and the collaborators
made of them."""
from dataclasses import dataclass

from ..adapters import settings as billing_settings
from ..adapters.peers import Peers, Sales, Seats
from ..adapters.repositories import business_now
from ..adapters.sandbox_provider import provider_for
from .checkout_records import SqlCheckoutStore


@dataclass
class Context:
    db: object       # services.common.uow.Database: ctx.db.uow()
    clock: object    # .now(): the real now (UTC)
    peers: Peers
    settings: object = billing_settings

    def provider(self):
        return provider_for(self.db.engine, self.settings.payment_provider(), self.clock.now)

    def seats(self):
        return Seats(self.peers)

    def sales(self):
        return Sales(self.peers)

    def store(self):
        return SqlCheckoutStore(self.db, self.clock, self.settings.lease_seconds(),
                                self.settings.test_clocks_enabled())

    def business_now(self, org_id, session=None):
        """The org's test clock where there is one (development and tests), else now;
        read in ``session`` when the caller has one open."""
        now = self.clock.now()
        if not self.settings.test_clocks_enabled():
            return now
        if session is not None:
            return business_now(session, org_id, now, True)
        with self.db.uow(readonly=True) as uow:
            return business_now(uow.session, org_id, now, True)
