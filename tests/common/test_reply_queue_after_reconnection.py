"""A service that loses its broker connection declares its reply queue under a new name
when it reconnects (``services/common/rpc.py: _fresh_reply_queue``): in a cluster, the lost
node's queues are removed by name a moment after their clients reconnect, and a reply
queue declared again under its old name was lost with them, every call of that service
timing out from then on (stop 21). A later patch of the same Nameko method once undid this
without a test noticing (the cluster test failed one run in two); this one runs on the
session's broker, in a process of its own (``reconnect_probe.py``)."""
from tests.support.probes import run_probe


def test_a_reconnected_service_gets_a_new_reply_queue_and_its_calls_are_answered(test_env):
    seen = run_probe("tests.common.reconnect_probe", test_env)
    assert seen["before"]["answer"] == "one", seen
    assert seen["after"]["answer"] == "two", seen
    assert seen["after"]["queue"] != seen["before"]["queue"], seen
