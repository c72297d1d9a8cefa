"""A whole Carnet of its own, started from Python: an isolated broker virtual host and
databases (:class:`IsolatedEnvironment`), every service as its own ``nameko run`` process
(optionally several instances) and the gateway under gunicorn (:class:`Stack`).

Used by the tests (``tests/support/stack.py``, ``tests/support/environment.py`` add what
only tests need) and by the benchmarks (``bench/support.py``), so neither imports the
other. Readiness is awaited by asking (a health RPC, ``GET /health``), never by sleeping.

Environment (names kept from the tests, where they started):
``CARNET_TEST_PG_URL`` (the PostgreSQL server that gets fresh databases),
``CARNET_TEST_AMQP_BASE`` (the broker that gets a fresh vhost), ``CARNET_TEST_AMQP_URI``
(a vhost reserved in advance instead of a fresh one).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from services.common.config import QUIET_WARNINGS, ROOT, SERVICES
from services.common.errors import CarnetError
from services.common.rpc import RpcPool

PG_URL = os.environ.get("CARNET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("CARNET_TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")

BIN = Path(sys.executable).parent
SERVICE_CLASSES = {name: f"services.{name}.service:{name.title()}Service" for name in SERVICES}
SERVICE_CLASSES["billing_worker"] = "services.billing.worker:BillingWorker"
PROCESSES = (*SERVICES, "billing_worker")  # the billing worker is its own process (R6.4)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_reachable():
    try:
        import psycopg2
        psycopg2.connect(PG_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def _rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)


class IsolatedEnvironment:
    """Its own RabbitMQ virtual host (so parallel runs never consume each other's messages)
    and its own databases: SQLite files in ``workdir``, or fresh PostgreSQL databases
    ``ct_<id>_<service>``, dropped by :meth:`teardown`."""
    __test__ = False  # not a test class, wherever it is imported

    def __init__(self, backend, workdir, prefix="carnet-test"):
        self.backend = backend
        self.workdir = Path(workdir)
        self.prefix = prefix
        self.run_id = uuid.uuid4().hex[:8]
        self.vhost = None
        self.databases = []
        self.env = {}

    # -- broker -------------------------------------------------------------------------
    def _make_vhost(self):
        override = os.environ.get("CARNET_TEST_AMQP_URI")
        if override:
            return override
        if shutil.which("rabbitmqctl") is None:
            raise RuntimeError("rabbitmqctl not found: set CARNET_TEST_AMQP_URI to a broker "
                               "virtual host reserved for this run")
        vhost = f"{self.prefix}-{self.run_id}"
        result = _rabbitmqctl("add_vhost", vhost)
        if result.returncode != 0:
            raise RuntimeError(f"could not create a RabbitMQ vhost: {result.stderr}")
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        self.vhost = vhost
        return f"{AMQP_BASE}/{quote(vhost, safe='')}"

    # -- databases -----------------------------------------------------------------------
    def _database_url(self, name):
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir}/{name}.db"
        import psycopg2
        dbname = f"ct_{self.run_id}_{name}"
        conn = psycopg2.connect(PG_URL)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{dbname}"')
        conn.close()
        self.databases.append(dbname)
        return PG_URL.rsplit("/", 1)[0] + "/" + dbname

    def setup(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            "AMQP_URI": self._make_vhost(),
            "CARNET_VAR_DIR": str(self.workdir),
            "CARNET_JWT_SECRET": "test-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "PYTHONWARNINGS": QUIET_WARNINGS,
        }
        for name in (*SERVICES, "gateway"):
            self.env[f"{name.upper()}_DATABASE_URL"] = self._database_url(name)
        return self.env

    def teardown(self):
        if self.vhost:
            _rabbitmqctl("delete_vhost", self.vhost)
        if self.databases:
            import psycopg2
            conn = psycopg2.connect(PG_URL)
            conn.autocommit = True
            with conn.cursor() as cur:
                for dbname in self.databases:
                    cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.close()


class SmtpSink:
    """An SMTP server on a free port that accepts every message and keeps none (the
    notifications service needs one to send to)."""

    def __init__(self):
        self.host, self.port = "127.0.0.1", free_port()
        self.count = 0
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler
        self.count += 1
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class Stack:
    """Every process of Carnet on ``env`` (from :meth:`IsolatedEnvironment.setup`), logs
    under ``logdir``. ``mail``: the SMTP server notifications sends to (an object with
    ``host``, ``port``, ``start()``, ``stop()``; default :class:`SmtpSink`); ``settings``:
    more environment for every process, applied last."""

    def __init__(self, env, logdir, mail=None, settings=None):
        self.env = dict(os.environ, **env)
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.procs = {}  # name -> list of Popen
        self.gateway = None
        self.port = None
        self.rpc = RpcPool(amqp_uri=env["AMQP_URI"], size=4, timeout=10)
        self.mail = mail if mail is not None else SmtpSink()
        self.env.update({"CARNET_SMTP_HOST": self.mail.host,
                         "CARNET_SMTP_PORT": str(self.mail.port)})
        self.env.update(settings or {})

    # -- services ------------------------------------------------------------------------
    def start_service(self, name, wait=True, extra_env=None):
        index = len(self.procs.get(name, []))
        log = open(self.logdir / f"{name}-{index}.log", "ab")
        env = dict(self.env, **(extra_env or {}))
        env.setdefault("CARNET_HEALTH_PORT", str(free_port()))  # services/common/observability
        proc = subprocess.Popen(
            [str(BIN / "nameko"), "run", "--config", str(ROOT / "deploy/nameko.yaml"),
             SERVICE_CLASSES[name]],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.health_port = int(env["CARNET_HEALTH_PORT"])
        self.procs.setdefault(name, []).append(proc)
        if wait:
            self.wait_healthy(name, proc)
        return proc

    @property
    def health_ports(self):
        """name -> the health/metrics port of each running instance (a killed or stopped
        one is left out: its port answers nothing)."""
        return {name: [p.health_port for p in procs if p.poll() is None]
                for name, procs in self.procs.items()}

    def wait_healthy(self, name, proc=None, timeout=90):
        deadline = time.monotonic() + timeout
        probe = RpcPool(amqp_uri=self.env["AMQP_URI"], size=1, timeout=2)
        try:
            while time.monotonic() < deadline:
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}: "
                                       f"{self.tail(name)}")
                try:
                    if probe.call(name, "health")["status"] == "ok" and \
                            (proc is None or self.ready(proc)):
                        return
                except CarnetError:
                    pass
                # not consuming yet: before its queue exists the call is refused at once,
                # and asking again at once (a new broker connection each time) takes CPU
                # from the processes that are booting: poll every 0.1 s
                time.sleep(0.1)
        finally:
            probe.close()
        raise RuntimeError(f"{name} did not become healthy: {self.tail(name)}")

    @staticmethod
    def ready(proc):
        """This very instance is ready (its ``/health/ready``): the ``health`` RPC above may
        have been answered by another instance of the service."""
        try:
            return requests.get(f"http://127.0.0.1:{proc.health_port}/health/ready",
                                timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False

    def tail(self, name, lines=40):
        out = []
        for path in sorted(self.logdir.glob(f"{name}-*.log")):
            out.append(f"--- {path.name}\n" + "\n".join(
                path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    def kill_service(self, name, sig=signal.SIGKILL):
        for proc in self.procs.pop(name, []):
            if proc.poll() is None:
                os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    def scale(self, name, instances):
        """Make sure ``instances`` processes of ``name`` are running."""
        running = [p for p in self.procs.get(name, []) if p.poll() is None]
        self.procs[name] = running
        while len(self.procs[name]) < instances:
            self.start_service(name)

    # -- gateway -------------------------------------------------------------------------
    def start_gateway(self, workers=2, threads=8):
        self.port = free_port()
        env = dict(self.env, CARNET_GATEWAY_BIND=f"127.0.0.1:{self.port}",
                   CARNET_GATEWAY_WORKERS=str(workers), CARNET_GATEWAY_THREADS=str(threads),
                   CARNET_GATEWAY_ACCESSLOG=str(self.logdir / "gateway-access.log"))
        log = open(self.logdir / "gateway-0.log", "ab")
        self.gateway = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gateway/gunicorn.conf.py"),
             "gateway.wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gateway.poll() is not None:
                raise RuntimeError("gateway exited: " + self.tail("gateway"))
            try:
                if requests.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)  # not listening yet, or slow under load: poll again
        raise RuntimeError("gateway did not answer /health: " + self.tail("gateway"))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start_all(self, instances=None):
        instances = instances or {}
        self.mail.start()
        for name in PROCESSES:
            for _ in range(instances.get(name, 1)):
                self.start_service(name, wait=False)
        for name in PROCESSES:
            for proc in self.procs.get(name, []):
                self.wait_healthy(name, proc)
        self.start_gateway()

    def stop(self):
        self.rpc.close()
        self.mail.stop()
        procs = [p for group in self.procs.values() for p in group]
        if self.gateway:
            procs.append(self.gateway)
        for proc in procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
