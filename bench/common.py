"""Helpers for the hand-run benchmarks: start an isolated stack, time calls, print ratios.

Figures are only meaningful against the baseline measured in the same run, on the same
machine: every benchmark prints its ratios to one."""
import contextlib
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.environment import TestEnvironment
from tests.support.stack import Stack


@contextlib.contextmanager
def running_stack(instances=None, backend=None):
    backend = backend or os.environ.get("CARNET_BENCH_DB", "sqlite")
    workdir = Path(tempfile.mkdtemp(prefix="carnet-bench-"))
    environment = TestEnvironment(backend, workdir)
    env = environment.setup()
    os.environ.update(env)
    stack = Stack(env, workdir / "logs")
    try:
        stack.start_all(instances)
        yield stack
    finally:
        stack.stop()
        environment.teardown()


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
