"""Run a probe module (a Nameko container driven by hand, which needs eventlet's monkey
patching, unlike the test runner) in a process of its own on the session's broker, and
return what it saw: the JSON object on the last line it prints."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_probe(module, test_env, timeout=120):
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT,
                          env=dict(os.environ, **test_env.env), capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
