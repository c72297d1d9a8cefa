"""Entrypoints every service has: ``health`` and the outbox relay timer.

Importing this module also makes the service outlive a broker outage
(:func:`outlive_broker_outages`, docs/reliability.md)."""
import logging
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from nameko.rpc import RpcConsumer, rpc
from nameko.timer import timer
from sqlalchemy import text

from . import config, logs
from .clock import SystemClock
from .observability import Observability
from .rpc import BROKER_ERRORS, configure_amqp

log = logging.getLogger(__name__)

# How often a service's consumers try the broker again while it is away (seconds).
RECONNECT_INTERVALS = {"interval_start": 0.5, "interval_step": 0.5, "interval_max": 2}


def outlive_broker_outages():
    """Nameko 2.14.1 lets a failed RPC reply kill the whole container: ``Responder``'s
    publish raises (``ECONNREFUSED`` while RabbitMQ is down), the exception leaves the
    worker's ``handle_result``, and the container treats it as fatal and stops. Here a
    reply that cannot be sent is logged and dropped instead: the caller has its own
    timeout (it answers 503), and the request, left unacknowledged on a connection that
    is gone, is redelivered by the broker. Acks and requeues on a dead connection are
    likewise dropped (the broker already took the message back). The queue consumer
    reconnects by itself (kombu's ``ConsumerMixin``), every 2 s at most instead of
    kombu's 2, 4, 6 … 30 s, and publishes give up within about two seconds
    (:func:`bounded_publish_retries`). RPC messages are transient, reply queues non-durable
    and the shared queues quorum when asked (:func:`services.common.rpc.configure_amqp`)."""
    configure_amqp()
    if getattr(RpcConsumer.handle_result, "carnet_guarded", False):
        return
    send_and_ack = RpcConsumer.handle_result
    ack, requeue = QueueConsumer.ack_message, QueueConsumer.requeue_message

    def handle_result(self, message, result, exc_info):
        try:
            return send_and_ack(self, message, result, exc_info)
        except BROKER_ERRORS as error:
            log.warning("reply to %s not sent, the broker is unreachable (%r); the caller "
                        "times out and the request is redelivered",
                        message.delivery_info.get("routing_key"), error)
            return result, exc_info

    def quietly(operation):
        def guarded(self, message):
            try:
                operation(self, message)
            except BROKER_ERRORS as error:
                log.warning("%s dropped, the broker connection is gone (%r)",
                            operation.__name__, error)
        return guarded

    @contextmanager
    def establish_connection(self):  # kombu's ConsumerMixin's, with shorter intervals
        with self.create_connection() as conn:
            conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                                   **RECONNECT_INTERVALS)
            yield conn

    def on_connection_error(self, exc, interval):  # Nameko's, every password masked
        log.warning("Error connecting to broker at %s (%s). Retrying in %s seconds.",
                    config.redacted_amqp_uri(self.amqp_uri), exc, interval)

    consume_ready, iteration = QueueConsumer.on_consume_ready, QueueConsumer.on_iteration

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self.carnet_connection = connection
        return consume_ready(self, connection, channel, consumers, **kwargs)

    def on_iteration(self):
        # A write on the consumer's connection that failed elsewhere (an ack from a worker)
        # marks it disconnected; kombu's next ``drain_events`` would then silently open a
        # new connection, without the consumers, and wait on it forever: with a cluster
        # the reconnection succeeds (another node) and the service stops consuming. Make
        # the consume loop reconnect properly instead (consumers declared again).
        conn = getattr(self, "carnet_connection", None)
        if conn is not None and conn._connection is not None and not conn.connected:
            raise ConnectionResetError("the consumer's broker connection is gone")
        return iteration(self)

    unregister = QueueConsumer.unregister_provider

    def unregister_provider(self, provider):
        # Nameko's, when a stop (SIGTERM: an operator scaling in, a restart) comes while the
        # consumers are still starting: it signals "last provider gone" once per provider,
        # and the second signal raised inside the stop, which then never finished (the
        # process kept reconnecting and had to be killed). Signal it once.
        if not self._consumers_ready.ready():
            if not self._last_provider_unregistered.ready():
                self._last_provider_unregistered.send()
            return None
        return unregister(self, provider)

    handle_result.carnet_guarded = True
    QueueConsumer.unregister_provider = unregister_provider
    QueueConsumer.on_consume_ready = on_consume_ready
    QueueConsumer.on_iteration = on_iteration
    QueueConsumer.on_connection_error = on_connection_error
    RpcConsumer.handle_result = handle_result
    QueueConsumer.establish_connection = establish_connection
    QueueConsumer.ack_message = quietly(ack)
    QueueConsumer.requeue_message = quietly(requeue)


outlive_broker_outages()
logs.install()  # refusals are one INFO line, faults keep their traceback (issue 11)


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


class Clock(DependencyProvider):
    """Nameko dependency: ``self.clock.now()`` in entrypoints."""

    def __init__(self, clock=None):
        self.clock = clock or SystemClock()

    def get_dependency(self, worker_ctx):
        return self.clock
