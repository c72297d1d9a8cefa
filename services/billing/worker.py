"""The billing worker (R6.4): its own process (``nameko run services.billing.worker``; a
``billing_worker`` line in the Procfile, its own container in compose) that wakes on a
timer and charges every subscription due as of now, in every org that is not on a test
clock. Several workers may run at once: ``adapters/subscriptions.BillingRun`` leases
subscriptions so each period is charged and invoiced exactly once, also when a worker is
killed midway (its leases lapse and another worker finishes its subscriptions).

It shares billing's database (it is billing's code, scaled apart from the RPC service)
and publishes billing's events (``billing.events``).
"""
import logging
from pathlib import Path

from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from services.common.observability import count_billing_run
from services.common.service import Clock
from services.common.service import ServiceBase
from services.common.uow import Database

from . import settings
from .adapters.models import metadata
from .adapters.registration_client import call_with_timeout
from .adapters.sandbox_provider import provider_for
from .adapters.subscriptions import billing_run

log = logging.getLogger(__name__)


class BillingWorker(ServiceBase):
    name = "billing_worker"
    db = Database("billing", metadata, Path(__file__).parent / "migrations")
    clock = Clock()
    catalog = RpcProxy("catalog")

    def _tax_source(self, org_id, refs):
        """R7.2: a renewal is taxed with its plan's taxes at renewal time (catalog)."""
        return call_with_timeout(self.catalog, "catalog", "tax_rules",
                                 settings.step_timeout(), org_id, refs)

    def _run(self):
        provider = provider_for(self.db.engine, settings.payment_provider(), self.clock.now)
        return billing_run(self.db, provider, self.clock.now,
                           skip_test_clock_orgs=settings.test_clocks_enabled(),
                           tax_source=self._tax_source)

    @timer(interval=settings.billing_interval())
    def charge_due(self):
        result = self._run().run(self.clock.now())
        count_billing_run(result.as_dict())
        if result.charged or result.failed or result.skipped:
            log.info("billing run: %s", result.as_dict())

    @rpc
    def run_now(self):
        """Run once now (operators, benchmarks): ``{charged, failed, skipped}``."""
        return count_billing_run(self._run().run(self.clock.now()).as_dict())
