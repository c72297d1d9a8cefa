"""After a call got no reply in time, a process publishes its next RPC requests on new
broker connections, and closes the old ones once idle (services/common/rpc.py:
suspect_request_connections; RabbitMQ 3.x can stop enqueueing what one channel publishes
to a quorum queue whose leader was lost, confirming it all the same). What the broker sees
is read with ``rabbitmqctl list_connections``: the request connections are named
``carnet-rpc-requests <pid>/<generation>``."""
import json
import os
import subprocess
import time

import pytest

from services.common import rpc as carnet_rpc


def _request_connections(vhost):
    """The names of this test process's request connections (the services' are there too)."""
    listed = subprocess.run(["rabbitmqctl", "list_connections", "vhost", "client_properties",
                             "--formatter", "json"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    names = []
    for connection in json.loads(listed.stdout):
        if connection["vhost"] != vhost:
            continue
        for key, _, value in connection["client_properties"]:  # [name, type, value]
            if key == "connection_name" and value.startswith(
                    f"carnet-rpc-requests {os.getpid()}/"):
                names.append(value)
    return names


def _until(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)  # polling the broker's view, with a deadline
    return value


def test_requests_move_to_new_connections_after_a_call_went_unanswered(rpc, test_env):
    vhost = test_env.vhost
    assert rpc.call("catalog", "ping") == {"service": "catalog"}
    before = carnet_rpc._generation["number"]
    old, new = (f"carnet-rpc-requests {os.getpid()}/{n}" for n in (before, before + 1))
    assert old in _request_connections(vhost)

    carnet_rpc._generation["since"] = 0.0  # the last change was long ago
    assert carnet_rpc.suspect_request_connections("a test's call") is True
    # a second timeout within the RPC timeout changes nothing: one change per window
    assert carnet_rpc.suspect_request_connections("a test's call") is False
    after = carnet_rpc._generation["number"]
    assert after == before + 1

    assert rpc.call("catalog", "ping") == {"service": "catalog"}
    names = _until(lambda: (lambda n: n if old not in n else None)(
        _request_connections(vhost)), "the old request connection closed")
    assert names == [new]
