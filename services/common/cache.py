"""A small per-process cache of what a service learnt from a peer (an org's currency and
timezone, an account's e-mail), so that a busy service does not ask again on every call.

Entries live ``seconds`` (None: until evicted, for facts that never change once made, such
as an org's currency); at most ``size`` are kept (the oldest go first). Each process has its
own: several instances of a service may disagree for at most ``seconds``, so cache only what
may be a little stale (never a balance, a seat count or a permission)."""
import threading
import time
from collections import OrderedDict


class PeerCache:
    def __init__(self, seconds=None, size=10_000, clock=time.monotonic):
        self.seconds, self.size, self._clock = seconds, size, clock
        self._entries = OrderedDict()  # key -> (expires or None, value)
        self._lock = threading.Lock()  # the gateway's threads share one (green under eventlet)

    def get(self, key, fetch):
        """The cached value of ``key``, or ``fetch()``'s (then kept). A fetch that raises
        keeps nothing."""
        now = self._clock()
        hit = self._fresh(key, now)
        if hit is not None:
            return hit[1]
        value = fetch()
        self.put(key, value, now)
        return value

    def find(self, key):
        """The cached value of ``key`` if it is there and fresh, else None (nothing is
        fetched: for a caller that decides itself what to keep)."""
        hit = self._fresh(key, self._clock())
        return hit[1] if hit is not None else None

    def _fresh(self, key, now):
        """``(expires, value)`` of ``key`` if it is kept and not expired at ``now``."""
        with self._lock:
            hit = self._entries.get(key)
        return hit if hit is not None and (hit[0] is None or hit[0] > now) else None

    def put(self, key, value, now=None):
        now = self._clock() if now is None else now
        expires = None if self.seconds is None else now + self.seconds
        with self._lock:
            self._entries[key] = (expires, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, key):
        with self._lock:
            self._entries.pop(key, None)
