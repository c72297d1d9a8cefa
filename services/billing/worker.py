"""The billing worker (R6.4): its own process (``nameko run services.billing.worker``; a
``billing_worker`` line in the Procfile, its own container in compose) that wakes on a
timer and charges every subscription due as of now, in every org that is not on a test
clock. Several workers may run at once: ``usecases/billing_run.BillingRun`` leases
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
from services.common.service import Clock, ServiceBase
from services.common.uow import Database

from .adapters import settings
from .contract import events
from .adapters.models import metadata
from .adapters.peers import Peers
from .usecases import subscriptions
from .usecases.context import Context

log = logging.getLogger(__name__)


class BillingWorker(ServiceBase):
    name = "billing_worker"
    db = Database("billing", metadata, Path(__file__).parent / "migrations",
                  events=events)
    clock = Clock()
    catalog = RpcProxy("catalog")  # R7.2: a renewal is taxed with its plan's taxes now

    def _run(self):
        ctx = Context(self.db, self.clock, Peers(catalog=self.catalog))
        return subscriptions.run_due(ctx, skip_test_clock_orgs=settings.test_clocks_enabled())

    @timer(interval=settings.billing_interval())
    def charge_due(self):
        result = self._run()
        count_billing_run(result.as_dict())
        if result.charged or result.failed or result.skipped:
            log.info("billing run: %s", result.as_dict())

    @rpc
    def run_now(self):
        """Run once now (operators, benchmarks): ``{charged, failed, skipped}``."""
        return count_billing_run(self._run().as_dict())
