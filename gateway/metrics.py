"""Prometheus metrics. Under gunicorn, set ``PROMETHEUS_MULTIPROC_DIR`` (the runner and
the container do) so that every worker's numbers add up in ``GET /metrics``."""
import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)

REQUESTS = Counter("carnet_http_requests_total", "HTTP requests handled by the gateway",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("carnet_http_request_seconds", "Gateway request latency",
                    ["method", "endpoint"])


def observe(method, endpoint, status, seconds):
    REQUESTS.labels(method, endpoint, str(status)).inc()
    LATENCY.labels(method, endpoint).observe(seconds)


def render():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
