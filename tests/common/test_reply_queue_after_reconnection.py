"""A service that loses its broker connection declares its reply queue under a new name
when it reconnects (``services/common/rpc.py: _fresh_reply_queue``): in a cluster, the lost
node's queues are removed by name a moment after their clients reconnect, and a reply
queue declared again under its old name was lost with them, every call of that service
timing out from then on (stop 21). A later patch of the same Nameko method once undid this
without a test noticing (the cluster test failed one run in two); this one runs on the
session's broker, in a process of its own (``reconnect_probe.py``)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_reconnected_service_gets_a_new_reply_queue_and_its_calls_are_answered(test_env):
    done = subprocess.run([sys.executable, "-m", "tests.common.reconnect_probe"], cwd=ROOT,
                          env=dict(os.environ, **test_env.env), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"]["answer"] == "one", seen
    assert seen["after"]["answer"] == "two", seen
    assert seen["after"]["queue"] != seen["before"]["queue"], seen
