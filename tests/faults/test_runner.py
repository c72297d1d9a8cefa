"""``carnet run`` (``make run``) restarts a process that dies and keeps the others running;
Ctrl-C stops them all (issue 11, reliability)."""
import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from services.common.config import ROOT
from tests.faults.conftest import FaultEnvironment
from tests.support.own_servers import wait_until
from tests.support.stack import free_port

pytestmark = pytest.mark.slow

STARTED = re.compile(r"started (\w+) \(pid (\d+)\)")


def started(log):
    """Every ``(name, pid)`` the runner has started so far, in order."""
    return [(m.group(1), int(m.group(2))) for m in STARTED.finditer(log.read_text())]


def answers(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_the_local_runner_restarts_a_killed_service(tmp_path, backend):
    environment = FaultEnvironment(backend, tmp_path)
    env = dict(os.environ, **environment.setup())
    port = free_port()
    env.update(CARNET_GATEWAY_BIND=f"127.0.0.1:{port}", CARNET_GATEWAY_ACCESSLOG="/dev/null",
               PYTHONUNBUFFERED="1")
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        runner = subprocess.Popen([sys.executable, "-m", "carnet.cli", "run"], cwd=ROOT,
                                  env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(base + "/health"), 120, what="every service healthy")
        first = dict(started(log))
        victim = first["catalog"]
        os.kill(victim, signal.SIGKILL)

        wait_until(lambda: [pid for name, pid in started(log)
                            if name == "catalog" and pid != victim], 60,
                   what="catalog started again")
        wait_until(lambda: answers(base + "/health/catalog"), 60, what="catalog healthy again")
        assert answers(base + "/health"), log.read_text()[-3000:]
        others = {name: pid for name, pid in first.items() if name != "catalog"}
        assert all(alive(pid) for pid in others.values()), log.read_text()[-3000:]
        assert [name for name, _ in started(log)].count("catalog") == 2  # restarted once
        assert runner.poll() is None
        every_pid = [pid for _, pid in started(log)]

        runner.send_signal(signal.SIGINT)  # Ctrl-C
        assert runner.wait(timeout=60) == 0
        assert [pid for pid in every_pid if alive(pid)] == []
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        for _, pid in started(log):
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)
        environment.teardown()
