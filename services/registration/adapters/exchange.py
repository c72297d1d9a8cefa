"""Declares this service's event exchange (``registration.events``) when the service starts.

The outbox publishes with Nameko's standalone dispatcher, which does not declare the
exchange: until a consumer (billing) has declared it, every publish fails and the relay
retries, holding SQLite's write lock across the round trip. Declared up front, events
published before any consumer exists are simply unrouted (docs/contracts.md).
(The same as passes' — it belongs in services/common.)"""
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
