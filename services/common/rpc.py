"""A pool of Nameko RPC clients for processes that are not Nameko services (the gateway's
workers, the ``carnet`` command). One pool per process, created lazily, shared by threads;
never one client per request.

Timeouts and unknown services become :class:`ServiceUnavailable` (HTTP 503)."""
import queue
import threading
from contextlib import contextmanager

from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from . import config, logs
from .errors import ServiceUnavailable


class RpcPool:
    def __init__(self, amqp_uri=None, size=8, timeout=None):
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
                except Exception:
                    with self._lock:
                        self._created -= 1
                    raise ServiceUnavailable("the message broker is not reachable")
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
        except (ConnectionError, OSError) as exc:
            broken = True
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
            return getattr(getattr(cluster, service), method)(*args, **kwargs)

    def close(self):
        while True:
            try:
                item = self._idle.get_nowait()
            except queue.Empty:
                break
            self._discard(item)
