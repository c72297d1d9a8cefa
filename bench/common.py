"""Helpers for the hand-run benchmarks: start an isolated stack, talk HTTP to its gateway,
time calls, print ratios. bench/ imports nothing from tests/ (issue #12): the stack comes
from ``carnet/stack.py``, which the tests use too.

Figures are only meaningful against the baseline measured in the same run, on the same
machine: every benchmark prints its ratios to one.

The stack runs with ``make run``'s settings (pool sizes, relay and notification intervals,
no test clocks), unlike the test sessions' (``tests/support/environment.py``)."""
import contextlib
import os
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from carnet.stack import IsolatedEnvironment, Stack


def backends():
    """``CARNET_BENCH_DB``: sqlite (default), postgresql, or both (one after the other)."""
    chosen = os.environ.get("CARNET_BENCH_DB", "sqlite")
    return ("sqlite", "postgresql") if chosen == "both" else (chosen,)


@contextlib.contextmanager
def isolated_environment(backend, label="run"):
    """A fresh broker vhost and fresh databases (removed afterwards): ``(environment, env)``."""
    workdir = Path(tempfile.mkdtemp(prefix=f"carnet-bench-{label}-"))
    environment = IsolatedEnvironment(backend, workdir, prefix="carnet-bench")
    try:
        env = environment.setup()
        yield environment, env
    finally:
        environment.teardown()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def running_stack(instances=None, backend=None, settings=None):
    """Every service and the gateway on fresh databases of ``backend``."""
    backend = backend or backends()[0]
    with isolated_environment(backend, "stack") as (environment, env):
        stack = Stack(env, environment.workdir / "logs", settings=settings)
        try:
            stack.start_all(instances)
            yield stack
        except BaseException:
            # the logs go with the run's folder: show the gateway's and registration's last
            # lines, which say why a request failed
            print(stack.tail("gateway"), stack.tail("registration"), sep="\n", flush=True)
            raise
        finally:
            stack.stop()


class Client:
    """The gateway over HTTP, as a web shop would call it; one ``requests`` session per
    thread (a shop's customers do not share a connection)."""

    def __init__(self, base_url, token=None):
        self.base = base_url.rstrip("/")
        self.token = token
        self._local = threading.local()

    def with_token(self, token):
        return Client(self.base, token)

    @property
    def session(self):
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, method, path, json=None, headers=None):
        url = self.base + (path if path.startswith("/health") else "/api/v1" + path)
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.session.request(method, url, json=json, headers=headers, timeout=60)

    def ok(self, method, path, json=None, expect=(200, 201), headers=None):
        response = self.request(method, path, json=json, headers=headers)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None


def timed(fn, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def timed_concurrent(fn, n, clients):
    """``n`` calls spread over ``clients`` threads: (wall seconds, per-call samples)."""
    def worker(count):
        return timed(fn, count)
    per = [n // clients + (1 if i < n % clients else 0) for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        samples = [s for chunk in pool.map(worker, per) for s in chunk]
    return time.perf_counter() - start, samples


def pct(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(name, samples, baseline=None, wall=None):
    p50, p99 = pct(samples, 50) * 1000, pct(samples, 99) * 1000
    line = f"{name:<42} n={len(samples):>5}  p50={p50:7.2f} ms  p99={p99:7.2f} ms"
    if wall:
        line += f"  {len(samples) / wall:8.1f}/s"
    if baseline:
        line += f"  p50 ratio={p50 / (pct(baseline, 50) * 1000):5.2f}x"
    print(line, flush=True)
    return statistics.median(samples)
