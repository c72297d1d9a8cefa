"""An instance told to stop (SIGTERM: an operator scaling in, a restart) while its broker
connection is still coming up must not end up consuming requests it can no longer answer.
Nameko 2.14.1 then set up its consumers anyway, after its entrypoints were gone: every RPC
it took was answered ``MethodNotFound``, and its stop never finished (seen in CI, issue 14).
The scenario runs for real, against the session's broker, in a process of its own
(``stop_probe.py``)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.events import consumers_on
from tests.support.probes import ROOT, run_probe


def test_a_stop_during_startup_consumes_nothing_and_finishes(test_env):
    seen = run_probe("tests.common.stop_probe", test_env)
    assert seen["stopped_while_starting"], seen  # else the scenario did not happen
    assert seen["rpc_consumers"] == 0, seen
    # nobody took it (no queue bound, or no consumer in 2 s): not refused as MethodNotFound
    assert seen["answer"] in ("UnknownService", "no answer"), seen
    assert seen["stopped"], seen


def test_a_stop_that_hangs_ends_the_process(test_env, tmp_path):
    """Whatever keeps a stop from finishing, the process does not linger half-stopped: past
    its deadline it logs its green threads and exits, as a kill would."""
    env = dict(os.environ, **test_env.env, CARNET_STOP_DEADLINE="2", CARNET_HEALTH_PORT="0",
               CARNET_LOG_FORMAT="plain")
    log = tmp_path / "hanging.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "nameko"), "run", "--config",
             str(ROOT / "deploy/nameko.yaml"), "tests.common.stop_probe:Hanging"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while consumers_on(env["AMQP_URI"], "rpc-stop_probe_hanging") == 0:
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the service never consumed"
            time.sleep(0.1)  # polling the broker for the consumer, not waiting it out
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 70, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "stop_probe_hanging did not stop within 2 s" in text, text[-3000:]
    assert 'stop_probe.py", line' in text, text[-3000:]  # where it hung: the probe's stop
