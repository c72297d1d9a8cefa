"""A pool of Nameko RPC clients for processes that are not Nameko services (the gateway's
workers, the ``carnet`` command). One pool per process, created lazily, shared by threads;
never one client per request.

Timeouts, unknown services and an unreachable broker become :class:`ServiceUnavailable`
(HTTP 503), in about the RPC timeout at most: publishes are retried briefly
(:data:`PUBLISH_RETRY_POLICY`), never for longer than a caller waits.

Also here, for every process that talks to RabbitMQ (docs/reliability.md):
:func:`bounded_publish_retries`, :func:`configure_amqp` (transient RPC messages,
non-durable reply queues, the queue type of the durable queues) and :data:`BROKER_ERRORS`."""
import functools
import logging
import os
import queue
import select
import socket
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import amqp.exceptions
import kombu.exceptions
from kombu import Queue
from nameko import events as nameko_events
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import Publisher
from nameko.messaging import QueueConsumer
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from . import config, logs
from .errors import CarnetError, ServiceUnavailable

# kombu asks whether librabbitmq is installed each time it builds a Connection, and Nameko
# builds one per published RPC: a failed import per call (a stat of every sys.path entry;
# the top gateway-side cost in a profile of a GET; services publish the same way). It is not a dependency: say so once.
sys.modules.setdefault("librabbitmq", None)

log = logging.getLogger(__name__)

# What a lost or refused broker connection raises, through kombu, py-amqp or the socket.
BROKER_ERRORS = (ConnectionError, OSError, socket.timeout, kombu.exceptions.OperationalError,
                 amqp.exceptions.ConnectionError, amqp.exceptions.RecoverableConnectionError,
                 amqp.exceptions.IrrecoverableConnectionError)

# What a service's lost database connection raises (SQLAlchemy's names for a refused or
# dropped connection, a server shutting down, a failover); it crosses RPC as a RemoteError.
DATABASE_DOWN = {"OperationalError", "InterfaceError", "DisconnectionError"}


def database_down(error):
    """Is this RemoteError a lost database connection, maybe relayed by a service that got it
    from another (Nameko then names it ``RemoteError`` and puts the original in the value:
    ``"OperationalError (psycopg2.OperationalError) …"``)?"""
    exc_type, value = error.exc_type, str(error.value or "")
    while exc_type == "RemoteError":
        exc_type, _, value = value.partition(" ")
    return exc_type in DATABASE_DOWN


# Nameko 2.14's publishers (RPC requests and replies, events) default to 3 retries with
# kombu's default intervals (2 s, 4 s, 6 s: 12 s of sleep) on top of 3 connection retries
# (2 s, 3 s, 4 s): a publish during a broker outage blocked ~20 s, longer than any caller
# waits. One quick reconnect (which is what a stale pooled connection after a broker restart
# needs) then fail: the caller answers 503, the outbox relay tries again later.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5,
                        "interval_max": 1}
CONNECT_OPTIONS = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5,
                   "interval_max": 1}


def bounded_publish_retries():
    """Make every Nameko publisher of this process give up within about two seconds.

    Nameko 2.14.1 reads no configuration key for it (its RPC responder, RPC proxies and
    standalone event dispatcher build their ``Publisher`` with the class defaults), so the
    defaults of the ``Publisher`` class are set here, once per process."""
    Publisher.retry_policy = dict(PUBLISH_RETRY_POLICY)
    Publisher.transport_options = dict(CONNECT_OPTIONS)


NON_PERSISTENT = 1  # AMQP delivery mode: kept in memory, never written to disk


class RpcPublisher(Publisher):
    """How RPC requests and replies are published: transient (delivery mode 1). An RPC is
    only worth its answer while its caller waits (``CARNET_RPC_TIMEOUT``); a broker that
    restarts or loses the node holding it loses it, the caller times out with 503 and the
    client tries again (with its ``Idempotency-Key`` where it books or pays). Writing every
    request and reply to disk cost RabbitMQ ~45 % of its CPU per booking (issue 14).
    Events keep Nameko's persistent publisher (the outbox relies on them surviving). On a
    quorum queue every message is replicated and written whatever its delivery mode, so
    this saves the disk writes of replies (classic reply queues) and, on classic queues,
    of requests. Publisher confirms stay on: Nameko needs them to tell an unknown service
    (unroutable request) from a slow one."""
    delivery_mode = NON_PERSISTENT


# Which connections RPC requests are published on: a new generation, new connections
# (see suspect_request_connections).
_generation = {"number": 0, "since": 0.0}
_generation_lock = threading.Lock()


def suspect_request_connections(what):
    """A call got no reply in time: publish the next requests of this process on new
    connections, at most once per RPC timeout.

    RabbitMQ 3.x (fixed in 4.2: rabbitmq-server#14589) can stop enqueueing what one
    channel publishes to a quorum queue whose leader was lost: a message sent to the old
    leader is never resent, and every later one from that channel waits behind the missing
    sequence number, confirmed to the publisher yet never delivered. Seen here after a
    cluster node was lost (tests/faults/test_broker_cluster.py, about one run in five): billing's
    requests to ``rpc-catalog`` reached the exchange, were confirmed, and catalog, idle,
    received none of them (``catalog.tax_rules: no answer``, every card checkout 503) until
    the test gave up. A new connection is a new channel with sequence numbers of its own.
    The old connections are closed once idle (``_close_idle_pools``); a call in flight on
    one finishes there."""
    now = time.monotonic()
    with _generation_lock:
        if now - _generation["since"] < config.rpc_timeout():
            return False
        _generation["number"] += 1
        _generation["since"] = now
        number = _generation["number"]
    log.warning("no reply to %s in time: RPC requests of this process go on new broker "
                "connections from now on (generation %d)", what, number)
    _close_idle_pools(keep=number)
    return True


REQUESTS_CONNECTION = "carnet-rpc-requests"


def _generation_name(number):
    """The name RabbitMQ shows for this process's request connections (``rabbitmqctl
    list_connections client_properties``): ``carnet-rpc-requests <pid>/<generation>``."""
    return _generation_options(number, os.getpid())["client_properties"]["connection_name"]


@functools.lru_cache(maxsize=8)
def _generation_options(number, pid):
    """The transport options of a generation's connections, built once per generation (a
    request's hot path reads them; ``pid``: a forked process names its own)."""
    return {"client_properties": {"connection_name": f"{REQUESTS_CONNECTION} {pid}/{number}"}}


def _close_idle_pools(keep):
    """Close the idle connections of the request pools of older generations (one still in
    use goes back to its pool when its call is sent, and is closed at the next change)."""
    from kombu import Connection
    from kombu.pools import connections
    for pool in list(connections.values()):
        options = getattr(pool.connection, "transport_options", None) or {}
        name = (options.get("client_properties") or {}).get("connection_name", "")
        if not name.startswith(REQUESTS_CONNECTION) or name == _generation_name(keep):
            continue
        while True:
            try:
                idle = pool._resource.get_nowait()
            except Exception:  # empty (the stdlib's or eventlet's Empty)
                break
            if isinstance(idle, Connection):  # not a placeholder never connected
                try:
                    idle.close()
                except Exception:  # already gone: nothing to close
                    pass


class RpcRequestPublisher(RpcPublisher):
    """How RPC requests are published: transient, confirmed, on the connections of the
    current generation (:func:`suspect_request_connections`)."""

    def publish(self, payload, **kwargs):
        # a copy: nameko's get_producer writes confirm_publish into the options it is given
        options = dict(self.transport_options or (),
                       **_generation_options(_generation["number"], os.getpid()))
        return super().publish(payload, transport_options=options, **kwargs)


class ReplyPublisher(RpcPublisher):
    """How RPC replies are published: transient and without publisher confirms. A confirm
    costs the answering service a round trip to RabbitMQ per call and tells it nothing it
    could act on: a reply the broker drops (its caller's queue is gone, a node is lost) is
    an RPC its caller times out on (503) and retries with its ``Idempotency-Key``, exactly
    as when the caller is gone. Requests keep confirms (above)."""
    use_confirms = False


def configure_amqp():
    """What every process that makes or answers RPCs sets once, before declaring anything
    (Nameko 2.14.1 reads no configuration for any of it):

    - RPC requests (``MethodProxy``, in services and in :class:`RpcPool`) are published by
      :class:`RpcRequestPublisher` (transient, on connections replaced after a call went
      unanswered) and replies (``Responder``) by :class:`ReplyPublisher`, transient and
      unconfirmed;
    - reply queues (``rpc.reply-<client>-<uuid>``, one per RPC client connection) are
      declared non-durable and exclusive, under a new name on every (re)connection
      (:func:`_fresh_reply_queue`). Nameko declares them durable, and a durable classic
      queue whose node is lost stays in the cluster's metadata as unreachable: redeclaring
      it fails (``NOT_FOUND - home node … is down``) until that node returns, and its
      client can never consume again. An exclusive one goes with its connection or its
      node, and the client's reconnection declares a new one on a live node;
    - with ``CARNET_AMQP_QUEUE_TYPE=quorum``, the durable shared queues Nameko declares
      (``rpc-<service>``, the service-pool ``evt-…`` queues) get ``x-queue-type: quorum``:
      replicated (Raft) over the cluster, they survive the loss of a minority of nodes.
      Reply queues stay classic: per client, short-lived and unshared, a Raft group each
      would be heavy and buy nothing (a lost reply is a timed-out RPC, retried).
    """
    bounded_publish_retries()
    nameko_rpc.MethodProxy.publisher_cls = RpcRequestPublisher
    nameko_rpc.Responder.publisher_cls = ReplyPublisher
    if getattr(nameko_rpc.ReplyListener.setup, "carnet_configured", False):
        return

    consumer_setup = nameko_rpc.RpcConsumer.setup
    handler_setup = nameko_events.EventHandler.setup
    get_consumers = QueueConsumer.get_consumers

    def reply_listener_setup(self):
        # Nameko's ReplyListener.setup, but durable=False; the standalone proxy's consumer
        # declares the queue inside register_provider, so it cannot be changed afterwards
        _fresh_reply_queue(self)
        self.queue_consumer.register_provider(self)

    def consumers_with_fresh_reply_queues(self, consumer_cls, channel):
        # called on every (re)connection: after the first, the service's reply queue gets a
        # new name (see _fresh_reply_queue)
        if getattr(self, "carnet_connected_before", False):
            for provider in self._providers:
                if isinstance(provider, nameko_rpc.ReplyListener):
                    _fresh_reply_queue(provider)
        self.carnet_connected_before = True
        return get_consumers(self, consumer_cls, channel)

    def with_queue_type(setup):
        def configured(self):
            setup(self)
            queue = self.queue
            if (config.amqp_queue_type() == "quorum" and queue is not None and queue.durable
                    and not queue.auto_delete and not queue.exclusive):
                queue.queue_arguments = dict(queue.queue_arguments or {},
                                             **{"x-queue-type": "quorum"})
        return configured

    reply_listener_setup.carnet_configured = True
    nameko_rpc.ReplyListener.setup = reply_listener_setup
    QueueConsumer.get_consumers = consumers_with_fresh_reply_queues
    nameko_rpc.RpcConsumer.setup = with_queue_type(consumer_setup)
    nameko_events.EventHandler.setup = with_queue_type(handler_setup)


def _fresh_reply_queue(listener):
    """Give a service's reply listener a queue (and routing key) of a new name, declared on
    the next (re)connection. Each connection gets its own: when a node is lost, RabbitMQ
    removes the node's non-durable queues (by name, with their bindings) a moment after
    their clients have already reconnected to another node; a client that had declared
    its reply queue again under the same name in between lost it under its consumer, and
    no reply reached it again: every call it made timed out for as long as it ran (seen
    as a service answering only 503 after a cluster node was lost, once in four runs of
    tests/faults/test_broker_cluster.py; redeclaring 20 queues right after the kill lost
    3 of them in one trial of three). Replies to calls made on the old connection go to
    the old name and are lost: those calls time out (503), as a call in flight when the
    connection dropped did anyway. The queue is exclusive (its connection's own: removed
    with it), so no other client can take it, and RabbitMQ 4.3, which refuses non-durable
    queues that are not exclusive unless told otherwise, accepts it."""
    reply_queue_uuid = uuid.uuid4()
    listener.routing_key = str(reply_queue_uuid)
    listener.queue = Queue(
        nameko_rpc.RPC_REPLY_QUEUE_TEMPLATE.format(listener.container.service_name,
                                                   reply_queue_uuid),
        exchange=nameko_rpc.get_rpc_exchange(listener.container.config),
        routing_key=listener.routing_key, durable=False, exclusive=True,
        queue_arguments={"x-expires": nameko_rpc.RPC_REPLY_QUEUE_TTL})


# A call that raised one of these was answered (by the service, or by our own checks): the
# client's connection is fine and goes back to the pool. Anything else may have broken it.
ANSWERED = (RemoteError, CarnetError)


def _connected(item):
    """Is this pooled client's reply connection still up? A broker restart or a lost node
    closes it; Nameko's standalone proxy then refuses every call ("This consumer has been
    disconnected"), so such a client is never handed out again. An idle client has not
    read its socket since the broker went away, so the socket is asked too (a closed or
    reset one is readable and reads nothing): its first call would otherwise wait for a
    reply that goes to a queue of the lost node, and answer 503 after the RPC timeout."""
    try:
        connection = item[0]._reply_listener.queue_consumer.connection
        if not connection.connected:
            return False
        sock = connection._connection.transport.sock
    except Exception:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return True  # nothing to read: open
        return bool(sock.recv(1, socket.MSG_PEEK))  # b"": closed by the broker
    except OSError:  # reset
        return False


class RpcPool:
    def __init__(self, amqp_uri=None, size=8, timeout=None):
        configure_amqp()
        self.amqp_uri = amqp_uri or config.amqp_uri()
        self.size = size
        self.timeout = timeout if timeout is not None else config.rpc_timeout()
        self._idle = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self._all = []

    def _new(self, timeout):
        proxy = ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=timeout)
        cluster = proxy.start()
        return proxy, cluster

    def _take_idle(self):
        """An idle client whose connection is up; broken ones are discarded on the way."""
        while True:
            item = self._idle.get_nowait()  # raises queue.Empty
            if _connected(item):
                return item
            self._discard(item)

    @contextmanager
    def cluster(self):
        item = None
        try:
            item = self._take_idle()
        except queue.Empty:
            with self._lock:
                can_create = self._created < self.size
                if can_create:
                    self._created += 1
            if can_create:
                try:
                    item = self._new(self.timeout)
                except Exception as exc:
                    with self._lock:
                        self._created -= 1
                    raise ServiceUnavailable(f"the message broker is not reachable ({exc})")
                self._all.append(item)
            else:
                item = self._idle.get()
        broken = True  # unless the call was answered: a client in doubt is never reused
        try:
            logs.stamp_proxy(item[1])  # the current request id travels with the calls
            yield item[1]
            broken = False
        except ANSWERED:
            broken = False
            raise
        except UnknownService as exc:  # the broker said no queue is bound: connection fine
            broken = False
            raise ServiceUnavailable(f"a service is not running ({exc})")
        except RpcTimeout as exc:
            suspect_request_connections(f"a call ({exc})")
            raise ServiceUnavailable(f"a service did not answer in time ({exc})")
        except BROKER_ERRORS as exc:
            log.warning("RPC failed, the broker is not reachable: %r", exc)
            raise ServiceUnavailable(f"the message broker is not reachable ({exc})")
        except (amqp.exceptions.AMQPError, kombu.exceptions.KombuError) as exc:
            # a channel closed by the broker: after a node is lost, the client's reconnection
            # may redeclare its reply queue while the cluster is still deleting the old one
            # (``NOT_FOUND - no queue 'rpc.reply-…'`` on the bind)
            log.warning("RPC failed, the broker closed the client's channel: %r", exc)
            raise ServiceUnavailable(f"the message broker refused the call ({exc})")
        except RuntimeError as exc:  # Nameko: "This consumer has been disconnected"
            log.warning("RPC failed, the client's broker connection is gone: %r", exc)
            raise ServiceUnavailable(f"the message broker connection was lost ({exc})")
        finally:
            if broken:
                self._discard(item)
            else:
                self._idle.put(item)

    def _discard(self, item):
        try:
            item[0].stop()
        except Exception:
            pass
        with self._lock:
            self._created -= 1
            if item in self._all:
                self._all.remove(item)

    def call(self, service, method, *args, **kwargs):
        with self.cluster() as cluster:
            try:
                return getattr(getattr(cluster, service), method)(*args, **kwargs)
            except RemoteError as exc:
                if database_down(exc):  # a restart or failover: retry later
                    raise ServiceUnavailable(f"a database behind {service} is not reachable")
                raise

    def close(self):
        while True:
            try:
                item = self._idle.get_nowait()
            except queue.Empty:
                break
            self._discard(item)
