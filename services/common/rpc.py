"""A pool of Nameko RPC clients for processes that are not Nameko services (the gateway's
workers, the ``carnet`` command). One pool per process, created lazily, shared by threads;
never one client per request.

Timeouts, unknown services and an unreachable broker become :class:`ServiceUnavailable`
(HTTP 503), in about the RPC timeout at most: publishes are retried briefly
(:data:`PUBLISH_RETRY_POLICY`), never for longer than a caller waits.

Also here, for every process that talks to RabbitMQ (docs/reliability.md):
:func:`bounded_publish_retries` and :data:`BROKER_ERRORS`."""
import logging
import queue
import socket
import threading
from contextlib import contextmanager

import amqp.exceptions
import kombu.exceptions
from nameko.amqp.publish import Publisher
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from . import config, logs
from .errors import ServiceUnavailable

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


class RpcPool:
    def __init__(self, amqp_uri=None, size=8, timeout=None):
        bounded_publish_retries()
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

    @contextmanager
    def cluster(self):
        item = None
        try:
            item = self._idle.get_nowait()
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
        broken = False
        try:
            logs.stamp_proxy(item[1])  # the current request id travels with the calls
            yield item[1]
        except (RpcTimeout, UnknownService) as exc:
            broken = isinstance(exc, RpcTimeout)
            raise ServiceUnavailable(f"a service did not answer in time ({exc})")
        except BROKER_ERRORS as exc:
            broken = True
            log.warning("RPC failed, the broker is not reachable: %r", exc)
            raise ServiceUnavailable(f"the message broker is not reachable ({exc})")
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
