"""Helpers of the security tests (not tests themselves): more gateways beside the
session's one, with settings of their own, on the same services; a token forged with a
given secret; waiting for a condition with a deadline."""
import os
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager

import jwt
import requests

from services.common.config import ROOT
from tests.support.client import Client
from tests.support.stack import BIN, free_port

__test__ = False

OLD_SOURCE_SECRET = "carnet-dev-secret-change-me-in-production"  # the secret that was in git


@contextmanager
def extra_gateways(stack, logdir, count=1, env=None, unset=()):
    """``count`` gunicorn gateways (one worker each) on the session's services, with
    ``env`` added and the variables in ``unset`` removed; yields their clients."""
    procs, clients = [], []
    base = {k: v for k, v in stack.env.items()
            if k not in unset and k != "PROMETHEUS_MULTIPROC_DIR"}
    try:
        for index in range(count):
            port = free_port()
            tag = uuid.uuid4().hex[:6]
            process_env = dict(base, CARNET_GATEWAY_BIND=f"127.0.0.1:{port}",
                               CARNET_GATEWAY_WORKERS="1", CARNET_GATEWAY_THREADS="8",
                               CARNET_GATEWAY_ACCESSLOG=str(logdir / f"access-{tag}.log"),
                               **(env or {}))
            log = open(logdir / f"gateway-{tag}.log", "ab")
            procs.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "gateway/gunicorn.conf.py"),
                 "gateway.wsgi:app"], cwd=ROOT, env=process_env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True))
            clients.append(Client(f"http://127.0.0.1:{port}"))
        for proc, client in zip(procs, clients):
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, f"a gateway exited with {proc.returncode}"
                try:
                    if requests.get(client.base + "/health", timeout=5).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert time.monotonic() < deadline, "a gateway did not answer /health"
                time.sleep(0.1)  # not listening yet: poll again
        yield clients
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def forge(secret, *, sub, org, role, lifetime=600, issued=None, cv=0, **extra):
    issued = int(time.time()) if issued is None else issued
    claims = dict({"sub": sub, "org": org, "role": role, "cv": cv, "iat": issued,
                   "exp": issued + lifetime}, **extra)
    return jwt.encode(claims, secret, algorithm="HS256")


def eventually(check, timeout=30.0, interval=0.2):
    """Poll ``check()`` until it returns a truthy value (returned), or fail at the deadline.
    A poll, not a fixed sleep: it returns as soon as the condition holds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"condition not met within {timeout}s"
        time.sleep(interval)
