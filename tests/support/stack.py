"""The real thing, started for the tests: every service as its own ``nameko run``
process (optionally several instances), and the gateway under gunicorn.

Readiness is awaited by asking (a health RPC, ``GET /health``), never by sleeping.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.common.config import ROOT, SERVICES
from services.common.errors import CarnetError
from services.common.rpc import RpcPool
from tests.support.mailbox import Mailbox

BIN = Path(sys.executable).parent
SERVICE_CLASSES = {name: f"services.{name}.service:{name.title()}Service" for name in SERVICES}
SERVICE_CLASSES["billing_worker"] = "services.billing.worker:BillingWorker"
PROCESSES = (*SERVICES, "billing_worker")  # the billing worker is its own process (R6.4)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, env, logdir):
        self.env = dict(os.environ, **env)
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.procs = {}  # name -> list of Popen
        self.gateway = None
        self.port = None
        self.rpc = RpcPool(amqp_uri=env["AMQP_URI"], size=4, timeout=10)
        # the SMTP server the notifications service sends to (tests read it: ``mail``)
        self.mail = Mailbox()
        self.env.update({
            "CARNET_SMTP_HOST": self.mail.host, "CARNET_SMTP_PORT": str(self.mail.port),
            "CARNET_SMTP_TIMEOUT": "10", "CARNET_NOTIFY_LEASE_SECONDS": "12",
            "CARNET_NOTIFY_INTERVAL": "1", "CARNET_NOTIFY_RETRY_BASE_SECONDS": "1",
            "CARNET_NOTIFY_RETRY_MAX_SECONDS": "2", "CARNET_NOTIFY_MAX_ATTEMPTS": "50"})

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
                    if probe.call(name, "health")["status"] == "ok":
                        return
                except CarnetError:
                    pass
        finally:
            probe.close()
        raise RuntimeError(f"{name} did not become healthy: {self.tail(name)}")

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
