"""Entrypoints every service has: ``health`` and the outbox relay timer.

Importing this module also makes the service outlive a broker outage
(:func:`outlive_broker_outages`, docs/reliability.md)."""
import logging
import os
from contextlib import contextmanager

import eventlet
from eventlet.event import Event
from nameko.cli import run as nameko_run
from nameko.containers import ServiceContainer
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


def stop_overdue(service_name, seconds):
    log.error("%s did not stop within %g s: its green threads follow, then it exits",
              service_name, seconds)
    logs.dump_greenlets()
    logging.shutdown()
    os._exit(70)


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

    handle_result.carnet_guarded = True
    QueueConsumer.on_consume_ready = on_consume_ready
    QueueConsumer.on_iteration = on_iteration
    QueueConsumer.on_connection_error = on_connection_error
    RpcConsumer.handle_result = handle_result
    QueueConsumer.establish_connection = establish_connection
    QueueConsumer.ack_message = quietly(ack)
    QueueConsumer.requeue_message = quietly(requeue)


def stop_safely():
    """A stopping instance takes no work it cannot do. Nameko 2.14.1 can leave a process
    whose ``Rpc`` entrypoints have unregistered while its queue consumer still consumes
    (a stop that comes while the consumers are starting, a reconnection during a stop):
    it then answers ``MethodNotFound`` to every RPC it receives, for as long as the stop
    hangs. Here such a stop forgets its consumers, a request that reaches an instance with
    no entrypoints left is handed back to the queue (another instance answers it), every
    stop is logged, and a stop that hangs ends the process (docs/reliability.md)."""
    if getattr(ServiceContainer.stop, "carnet_guarded", False):
        return
    unregister = QueueConsumer.unregister_provider

    def unregister_provider(self, provider):
        # Nameko's, when a stop (SIGTERM: an operator scaling in, a restart) comes while the
        # consumers are still starting: it signals "last provider gone" once per provider
        # (the second signal raised inside the stop, which then never finished), and it
        # forgets nothing, so a connection that comes up after all consumes for entrypoints
        # that are gone (every RPC answered ``MethodNotFound``). Here the provider is
        # forgotten: its consumer, if the connection comes up, is cancelled at the consume
        # loop's first iteration, before it takes a message. ``_providers`` is left as it
        # is (the consumer thread may be iterating it in ``get_consumers``), so "last
        # provider gone" is signalled, once, when every provider left is a forgotten one.
        if not self._consumers_ready.ready():
            self._pending_remove_providers[provider] = Event()
            self.__dict__.setdefault("carnet_forgotten", set()).add(provider)
        else:
            unregister(self, provider)
        forgotten = self.__dict__.get("carnet_forgotten")
        if forgotten and self._providers <= forgotten \
                and not self._last_provider_unregistered.ready():
            self._last_provider_unregistered.send()

    def cancel_consumers_if_requested(self):  # Nameko's, for a consumer never set up too
        pending, self._pending_remove_providers = self._pending_remove_providers, {}
        for provider, removed in pending.items():
            consumer = self._consumers.pop(provider, None)
            if consumer is not None:
                consumer.cancel()
            if not removed.ready():
                removed.send()

    handle_rpc = RpcConsumer.handle_message

    def handle_rpc_message(self, body, message):
        # Every Rpc entrypoint of this instance has unregistered (it is stopping), yet a
        # request reached it (prefetched, or a consumer that outlived the stop): hand it
        # back for another instance instead of answering ``MethodNotFound``, and stop
        # consuming here.
        if self._providers_registered and not self._providers:
            log.warning("rpc %s handed back: this instance's entrypoints are stopped",
                        message.delivery_info.get("routing_key"))
            self.queue_consumer._pending_remove_providers.setdefault(self, Event())
            self.queue_consumer.requeue_message(message)
            return None
        return handle_rpc(self, body, message)

    stop_container = ServiceContainer.stop

    def stop(self):
        # Nameko logs its stops at INFO, which is filtered out: say when a stop begins, and
        # never let one hang in a service's process: past ``config.stop_deadline_seconds()``
        # the green threads are dumped to the log and the process exits, as a kill would
        # (unacknowledged messages go back to the broker, open transactions roll back, the
        # supervisor starts a new one).
        if self._died.ready() or self._being_killed or getattr(self, "carnet_stopping", 0):
            return stop_container(self)
        self.carnet_stopping = True
        log.warning("stopping %s", self.service_name)
        seconds = config.stop_deadline_seconds()
        watchdog = (eventlet.spawn_after(seconds, stop_overdue, self.service_name, seconds)
                    if serving.get("process") else None)
        try:
            return stop_container(self)
        finally:
            if watchdog is not None:
                watchdog.cancel()
            log.warning("stopped %s", self.service_name)

    serving = {}
    serve = nameko_run.run

    def run(*args, **kwargs):  # ``nameko run``: this process is the service's own
        serving["process"] = True
        return serve(*args, **kwargs)

    stop.carnet_guarded = True
    QueueConsumer.unregister_provider = unregister_provider
    QueueConsumer._cancel_consumers_if_requested = cancel_consumers_if_requested
    RpcConsumer.handle_message = handle_rpc_message
    ServiceContainer.stop = stop
    nameko_run.run = run


outlive_broker_outages()
stop_safely()
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
