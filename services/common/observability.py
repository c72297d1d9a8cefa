"""Health and Prometheus metrics of one Nameko service process, on its own small HTTP
server (eventlet's WSGI server in a managed thread, not a Nameko worker: a busy service
still answers its probes):

- ``GET /health/live``: the process's event loop answers (liveness);
- ``GET /health/ready``: migrations done, database and broker reachable, this instance
  consuming its RPC queue and not stopping (readiness, 503 with the failing checks
  otherwise);
- ``GET /metrics``: Prometheus text.

Port: ``CARNET_HEALTH_PORT`` (``0`` = any free port), else the per-service default of
``services.common.config.HEALTH_PORTS``; a default port already taken (a second instance on
one host) falls back to a free port. The address is logged at start.

Metrics come from the worker hooks of this DependencyProvider (every RPC, event handler and
timer of the service, generically) and from collectors run at scrape time (outbox backlog,
and whatever a service registers with :func:`register_gauge`).
"""
import json
import logging
import os
import time
from datetime import datetime, timezone

# A service process has its own registry; the gateway's multiprocess folder (inherited
# from ``make run``'s environment) is for gunicorn's workers only.
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

import eventlet  # noqa: E402
import eventlet.wsgi  # noqa: E402
from nameko.events import EventHandler  # noqa: E402
from nameko.extensions import DependencyProvider  # noqa: E402
from nameko.rpc import Rpc, RpcConsumer  # noqa: E402
from nameko.timer import Timer  # noqa: E402
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter,  # noqa: E402
                               Histogram, generate_latest)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from . import config, db, logs  # noqa: E402
from .errors import CarnetError  # noqa: E402

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
RPC_CALLS = Counter("carnet_rpc_calls_total", "RPC calls handled, by method and outcome",
                    ["service", "method", "outcome"], registry=REGISTRY)
RPC_ORIGINS = Counter("carnet_rpc_calls_by_origin_total",
                      "RPC calls handled, by the entrypoint that began their chain of calls "
                      "(client: an RPC client outside the services, e.g. the gateway)",
                      ["service", "method", "origin"], registry=REGISTRY)
RPC_SECONDS = Histogram("carnet_rpc_seconds", "RPC handling time", ["service", "method"],
                        registry=REGISTRY)
EVENTS = Counter("carnet_events_handled_total", "Events handled, by source, type and outcome",
                 ["service", "source", "event", "outcome"], registry=REGISTRY)
EVENT_LAG = Histogram("carnet_event_lag_seconds",
                      "From the event's occurred_at to the end of its handling",
                      ["service", "source", "event"], registry=REGISTRY,
                      buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900))
TIMERS = Counter("carnet_timer_runs_total", "Timer runs, by method and outcome",
                 ["service", "method", "outcome"], registry=REGISTRY)
BILLING_RUN = Counter("carnet_billing_run_subscriptions_total",
                      "Subscriptions the billing worker charged, failed to charge (declined or "
                      "in error, retried later: R6.4) or skipped", ["outcome"], registry=REGISTRY)
_GAUGES = []  # (name, help, labels, fn(engine) -> [(label values, value)])


def register_gauge(name, documentation, labels, fn):
    """A gauge computed from the service's database at scrape time (e.g. holds by status):
    ``fn(engine)`` returns ``[(tuple of label values, number), …]``."""
    _GAUGES.append((name, documentation, labels, fn))


def count_billing_run(result):
    """Count one billing run's ``{charged, failed, skipped}``; returns it unchanged."""
    for key in ("charged", "failed", "skipped"):
        if result.get(key):
            BILLING_RUN.labels(key).inc(result[key])
    return result


def outcome(exc_info):
    """``ok``; ``refused`` for a typed Carnet error (the caller's input or the rules said
    no); ``error`` for anything else."""
    if exc_info is None:
        return "ok"
    return "refused" if isinstance(exc_info[1], CarnetError) else "error"


def origin_of(worker_ctx):
    """``client`` when the first call of the chain came from outside the services (the
    gateway, a CLI), else that entrypoint's ``service.method`` (an event handler, a timer)."""
    stack = worker_ctx.call_id_stack or []
    root = stack[0].rsplit(".", 1)[0] if stack else ""
    return "client" if not root or root.startswith("standalone_rpc_proxy") else root


def _lag(payload):
    try:
        occurred = datetime.fromisoformat(payload["occurred_at"])
    except (TypeError, KeyError, ValueError):
        return None
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=timezone.utc)
    return max(0.0, (datetime.now(timezone.utc) - occurred).total_seconds())


class _DatabaseCollector:
    def __init__(self, observability):
        self.observability = observability

    def collect(self):
        transactions = CounterMetricFamily(
            "carnet_db_transactions", "Database transactions this process began or committed",
            labels=["service", "database", "step"])
        for (name, step), count in sorted(db.TRANSACTIONS.items()):
            transactions.add_metric([self.observability.service_name, name, step], count)
        yield transactions
        statements = CounterMetricFamily(
            "carnet_db_statements", "SQL statements this process sent, by verb",
            labels=["service", "database", "verb"])
        for (name, verb), count in sorted(db.STATEMENTS.items()):
            statements.add_metric([self.observability.service_name, name, verb], count)
        yield statements
        database = self.observability.database()
        if database is None or database.engine is None:
            return
        service = self.observability.service_name
        backlog = GaugeMetricFamily("carnet_outbox_backlog",
                                    "Events committed but not yet published", labels=["service"])
        outbox = database.outbox
        try:
            with db.readonly(database.engine).connect() as conn:
                count = conn.execute(select(func.count()).select_from(outbox)
                                     .where(outbox.c.published_at.is_(None))).scalar_one()
            backlog.add_metric([service], count)
            yield backlog
            for name, documentation, labels, fn in _GAUGES:
                family = GaugeMetricFamily(name, documentation, labels=["service", *labels])
                for values, value in fn(db.readonly(database.engine)):
                    family.add_metric([service, *values], value)
                yield family
        except Exception:  # a scrape never crashes the process; readiness reports the db
            log.warning("metrics: the database did not answer", exc_info=True)


class Observability(DependencyProvider):
    """Declared once on ``ServiceBase``: every service gets it."""

    def setup(self):
        self.service_name = self.container.service_name
        logs.set_service(self.service_name)
        self._started = {}
        REGISTRY.register(_DatabaseCollector(self))
        port, explicit = config.health_port(self.service_name)
        host = config.health_host()
        try:
            self.socket = eventlet.listen((host, port))
        except OSError:
            if explicit:
                raise
            self.socket = eventlet.listen((host, 0))
        self.port = self.socket.getsockname()[1]

    def start(self):
        # a managed thread: the container kills it when it stops
        self.container.spawn_managed_thread(self._serve, identifier="health-http")
        log.info("health and metrics on http://%s:%s (/health/live, /health/ready, /metrics)",
                 config.health_host(), self.port)

    def _serve(self):
        eventlet.wsgi.server(self.socket, self.app, log_output=False, debug=False)

    def database(self):
        from .uow import Database
        for dependency in self.container.dependencies:
            if isinstance(dependency, Database):
                return dependency
        return None

    # -- worker hooks --------------------------------------------------------------------
    def worker_setup(self, worker_ctx):
        entrypoint = worker_ctx.entrypoint
        request_id = worker_ctx.data.get(logs.CONTEXT_KEY)
        if request_id is None and isinstance(entrypoint, EventHandler) and worker_ctx.args:
            payload = worker_ctx.args[0]
            request_id = logs.sanitise(payload.get(logs.CONTEXT_KEY)) \
                if isinstance(payload, dict) else None
            if request_id:  # nested calls and the events this handler emits carry it on
                worker_ctx.data[logs.CONTEXT_KEY] = request_id
        logs.bind(request_id)
        self._started[worker_ctx] = time.monotonic()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        seconds = time.monotonic() - self._started.pop(worker_ctx, time.monotonic())
        entrypoint = worker_ctx.entrypoint
        method = entrypoint.method_name
        result_ = outcome(exc_info)
        if isinstance(entrypoint, Rpc):
            RPC_CALLS.labels(self.service_name, method, result_).inc()
            RPC_ORIGINS.labels(self.service_name, method, origin_of(worker_ctx)).inc()
            RPC_SECONDS.labels(self.service_name, method).observe(seconds)
            if method not in ("health", "ping"):
                log.info("rpc %s.%s %s in %.0f ms", self.service_name, method, result_,
                         seconds * 1000)
        elif isinstance(entrypoint, EventHandler):
            source, event = entrypoint.source_service, entrypoint.event_type
            EVENTS.labels(self.service_name, source, event, result_).inc()
            payload = worker_ctx.args[0] if worker_ctx.args else None
            lag = _lag(payload) if isinstance(payload, dict) else None
            if lag is not None:
                EVENT_LAG.labels(self.service_name, source, event).observe(lag)
            log.info("event %s.%s handled by %s: %s", source, event, method, result_)
        elif isinstance(entrypoint, Timer):
            TIMERS.labels(self.service_name, method, result_).inc()

    def worker_teardown(self, worker_ctx):
        self._started.pop(worker_ctx, None)
        logs.bind(None)

    # -- HTTP ----------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return self._answer(start_response, "200 OK", generate_latest(REGISTRY),
                                CONTENT_TYPE_LATEST)
        if path in ("/health/live", "/health"):
            return self._json(start_response, 200, {"service": self.service_name,
                                                    "status": "ok"})
        if path == "/health/ready":
            checks = self.readiness()
            ok = all(value == "ok" for value in checks.values())
            return self._json(start_response, 200 if ok else 503, {
                "service": self.service_name, "status": "ok" if ok else "unavailable",
                "checks": checks})
        return self._json(start_response, 404, {"error": {"code": "not_found",
                                                          "message": path, "details": {}}})

    def readiness(self):
        checks = {}
        database = self.database()
        if database is not None:
            # ``relay`` is set once ``Database.setup`` has migrated (under its lock)
            checks["migrations"] = "ok" if getattr(database, "relay", None) else "pending"
            checks["database"] = self._check(lambda: self._ping_database(database))
        checks["broker"] = self._check(self._ping_broker)
        checks["consumers"] = self.consuming()
        return checks

    def consuming(self):
        """``ok`` while this instance consumes its RPC queue and its entrypoints are there to
        answer; ``starting`` before its consumers are ready, ``stopping`` once a stop began
        (an instance in either state takes no work: a probe sends traffic elsewhere)."""
        if getattr(self.container, "carnet_stopping", False):
            return "stopping"
        for extension in self.container.subextensions:
            if isinstance(extension, RpcConsumer):
                queue_consumer = extension.queue_consumer
                if not queue_consumer._consumers_ready.ready():
                    return "starting"
                if not extension._providers or extension not in queue_consumer._consumers:
                    return "stopping"
        return "ok"

    @staticmethod
    def _check(fn):
        try:
            with eventlet.Timeout(3):
                fn()
            return "ok"
        except eventlet.Timeout:
            return "timeout"
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return f"error: {type(exc).__name__}"

    @staticmethod
    def _ping_database(database):
        if database.engine is None:
            raise RuntimeError("no engine yet")
        with db.readonly(database.engine).connect() as conn:
            conn.execute(text("SELECT 1"))

    def _ping_broker(self):
        from kombu import Connection
        with Connection(self.container.config["AMQP_URI"], connect_timeout=2) as connection:
            connection.connect()

    @staticmethod
    def _answer(start_response, status, body, content_type):
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]

    def _json(self, start_response, code, data):
        status = {200: "200 OK", 404: "404 Not Found", 503: "503 Service Unavailable"}[code]
        return self._answer(start_response, status, json.dumps(data).encode(),
                            "application/json")
