"""Declares this service's event exchange (``passes.events``) when the service starts.

The outbox publishes with Nameko's standalone dispatcher, which does not declare the
exchange; until some consumer has declared it, every publish fails and the relay timer
retries. On SQLite that retry used to hold the write lock across a network round trip
(see the report on ``services/common/outbox.py``), stalling the process. Declaring the
exchange up front (same arguments as Nameko's consumers use) removes that trigger and
makes events published before any consumer exists simply unrouted, as docs/contracts.md
says they are.
"""
from kombu import Connection
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange


class EventExchange(DependencyProvider):
    def setup(self):
        config = self.container.config
        exchange = get_event_exchange(self.container.service_name, config)
        with Connection(config["AMQP_URI"]) as connection:
            exchange(connection.default_channel).declare()

    def get_dependency(self, worker_ctx):
        return None
