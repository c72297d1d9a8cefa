"""Entrypoints every service has: ``health`` and the outbox relay timer."""
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import text

from . import config
from .observability import Observability


class ServiceBase:
    """Mix into each service class (which must declare ``name`` and a ``db`` Database)."""

    # health, readiness and Prometheus metrics on the process's own port; request ids
    observability = Observability()

    @rpc
    def health(self):
        with self.db.uow(readonly=True) as uow:
            uow.session.execute(text("SELECT 1"))
        return {"service": self.name, "status": "ok"}

    @rpc
    def ping(self):
        """An empty round trip (benchmarks): no database, no work."""
        return {"service": self.name}

    @timer(interval=config.outbox_relay_interval())
    def relay_outbox(self):
        self.db.relay_outbox()
