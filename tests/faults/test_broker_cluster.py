"""A three-node RabbitMQ cluster loses a node while 16 customers book (issue 18).

The test starts a cluster of its own on this machine (tests/support/own_servers.py:
three nodes, one cookie, their own names, ports and folders; nodes 2 and 3 join node 1
with ``rabbitmqctl stop_app / join_cluster / start_app``). Every service and the gateway
get all three addresses (``AMQP_URI`` with ``;``: kombu fails over, round-robin) and
declare their shared queues as quorum queues (``CARNET_AMQP_QUEUE_TYPE=quorum``).

Half the customers book with a pass, half check out a cart by card
(tests/support/booking_load.py). Once both kinds have booked, the node every process
connected to first is killed (``SIGKILL``: no clean hand-over). Booking goes on against
the two others; after at least the RPC timeout the node is started again and rejoins.
Afterwards: every booking answered 2xx exists once, no outbox row is left unpublished,
seats equal registrations, pass ledgers equal their debits, no process died.

``CARNET_REQUIRE_CLUSTER=1`` (or CI's ``CARNET_REQUIRE_POSTGRES=1``): a machine that
cannot start RabbitMQ nodes fails instead of skipping.
"""
import json
import os
import statistics
import time

import pytest

from tests.faults.conftest import (RECOVERY_SECONDS, RPC_TIMEOUT, FaultEnvironment, _start,
                                   report)
from tests.faults.outage import CLIENTS, HTTP_TIMEOUT, answered_since, healthy
from tests.support import booking_load
from tests.support.own_servers import OwnRabbitCluster, own_servers_available, wait_until

pytestmark = pytest.mark.slow

OCCURRENCES = 100  # per client: enough that nobody runs out before the last phase (a pass
                   # booking takes ~0.5 s here: 40 ran out before the node was back)
BEFORE = 5         # bookings of each kind before the node is lost
BACK_WITHIN = 30   # s: the deadline for bookings of both kinds after the loss (polled)


def _required():
    return "1" in (os.environ.get("CARNET_REQUIRE_CLUSTER"),
                   os.environ.get("CARNET_REQUIRE_POSTGRES"))


class ClusterEnvironment(FaultEnvironment):
    def setup(self):
        env = super().setup()
        env["CARNET_AMQP_QUEUE_TYPE"] = "quorum"  # rpc-<service> and evt-… queues
        return env


@pytest.fixture
def cluster_stack(tmp_path, backend):
    if backend != "postgresql":
        # what it tests is the broker; once per `make test` is enough, and on production's
        # database (the SQLite pass runs the browser tests instead)
        pytest.skip("the broker cluster test runs on the PostgreSQL pass")
    why = own_servers_available()
    if why:
        if _required():
            pytest.fail(f"CARNET_REQUIRE_CLUSTER: cannot start RabbitMQ nodes here: {why}")
        pytest.skip(why)
    cluster = OwnRabbitCluster(tmp_path / "cluster")
    try:
        started = time.monotonic()
        cluster.start()
        cluster.start_seconds = time.monotonic() - started
        # what deploy/README.md asks of production: quorum queue leaders spread over nodes
        policy = cluster.ctl("set_policy", "carnet-leaders", "^(rpc-|evt-)",
                             '{"queue-leader-locator":"balanced"}', "--apply-to", "queues")
        assert policy.returncode == 0, policy.stderr
        environment = ClusterEnvironment(backend, tmp_path, amqp_uri=cluster.amqp_uri)
        running = _start(environment, tmp_path, broker=cluster)
        try:
            yield running
        finally:
            running.stack.stop()
            environment.teardown()
    finally:
        cluster.close()


def _queues(cluster):
    result = cluster.ctl("list_queues", "name", "type", "durable", "exclusive", "leader",
                         "--formatter", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _answering_reply_queues(cluster):
    """The processes' reply queues that a reply can reach: consumed, and bound to Nameko's
    RPC exchange under their routing key, as {process name: count}."""
    listed = cluster.ctl("list_queues", "name", "consumers", "--formatter", "json")
    bound = cluster.ctl("list_bindings", "source_name", "destination_name", "routing_key",
                        "--formatter", "json")
    assert listed.returncode == 0 and bound.returncode == 0, listed.stderr + bound.stderr
    keys = {(b["destination_name"], b["routing_key"]) for b in json.loads(bound.stdout)
            if b["source_name"] == "nameko-rpc"}
    answering = {}
    for queue in json.loads(listed.stdout):
        name = queue["name"]
        if not name.startswith("rpc.reply-") or name.startswith("rpc.reply-standalone"):
            continue
        rest = name[len("rpc.reply-"):]
        owner, key = rest[:-37], rest[-36:]  # "<service>-<uuid4>", the uuid its routing key
        if queue["consumers"] and (name, key) in keys:
            answering[owner] = answering.get(owner, 0) + 1
    return answering


def _ok_since(load, moment, kind):
    return answered_since(load, moment, ok=True, kind=kind)


def test_bookings_survive_the_loss_of_a_cluster_node(cluster_stack, backend):
    cluster = cluster_stack.broker
    lost = cluster.nodes[0]  # first in every AMQP_URI: every process is connected to it

    queues = _queues(cluster)
    shared = [q for q in queues if q["name"].startswith(("rpc-", "evt-"))]
    replies = [q for q in queues if q["name"].startswith("rpc.reply-")]
    assert shared and replies, queues
    assert [q["name"] for q in shared if q["type"] != "quorum"] == []
    assert [q["name"] for q in replies
            if q["type"] != "classic" or q["durable"] or not q["exclusive"]] == []
    leaders_on_lost = sum(1 for q in shared if q["leader"] == lost.node)
    # every service that calls others (billing, registration …) has a reply queue
    reply_owners = set(_answering_reply_queues(cluster))
    assert {"billing", "registration"} <= reply_owners, reply_owners

    setup_begun = time.monotonic()
    org, api = cluster_stack.new_org()
    load = booking_load.prepare(org, api, cluster_stack.stack.rpc, clients=CLIENTS,
                                occurrences=OCCURRENCES)
    setup_seconds = time.monotonic() - setup_begun
    threads = booking_load.run(load, org.admin, seconds=150, http_timeout=HTTP_TIMEOUT)
    moments = {}
    failure = None
    try:
        begun = time.monotonic()
        wait_until(lambda: len(_ok_since(load, begun, "pass")) >= BEFORE
                   and len(_ok_since(load, begun, "card")) >= BEFORE, 60,
                   what="bookings before the node is lost")
        moments["killed"] = killed = time.monotonic()
        lost.kill()
        # booking goes on, on two nodes: bookings of both kinds sent after the loss succeed,
        # and the cluster runs on two nodes for at least the RPC timeout (calls in flight
        # at the loss have ended one way or the other)
        wait_until(lambda: _ok_since(load, killed, "pass") and _ok_since(load, killed, "card"),
                   BACK_WITHIN, what="bookings of both kinds after the node loss")
        wait_until(lambda: time.monotonic() - killed >= RPC_TIMEOUT + 2, RPC_TIMEOUT + 5,
                   what="two nodes for a while")
        moments["survivors"] = cluster.running_nodes()
        # each service's consumer reconnected with a reply queue that replies reach
        # (services/common/rpc.py: _fresh_reply_queue)
        moments["answering_reply_queues"] = _answering_reply_queues(cluster)
        moments["restarting"] = time.monotonic()
        lost.start()
        moments["rejoined"] = rejoined = time.monotonic()
        wait_until(lambda: len(cluster.running_nodes()) == 3, 60, what="the node rejoins")
        wait_until(lambda: len(_ok_since(load, rejoined, "pass")) >= BEFORE
                   and len(_ok_since(load, rejoined, "card")) >= BEFORE, 60,
                   what="bookings after the node is back")
    except AssertionError as error:  # still count and report what happened
        failure = error
    finally:
        moments["ended"] = time.monotonic()
        load.stop.set()
        for thread in threads:
            thread.join(timeout=HTTP_TIMEOUT * 3 + 5)
    interrupted = booking_load.interrupted_pass_bookings(load, cluster_stack.urls["registration"])
    unsettled = booking_load.wait_settled(load, cluster_stack.urls["registration"],
                                          timeout=RECOVERY_SECONDS * 3)
    leftover = booking_load.wait_published(cluster_stack.urls, timeout=30)
    figures = booking_load.audit(load, cluster_stack.urls)

    def phase(start, end):
        within = [a for a in load.attempts if start <= a.started < end]
        return {"2xx": sum(1 for a in within if 200 <= a.status < 300),
                "statuses": booking_load._count(a.status for a in within)}

    end = moments["ended"] + HTTP_TIMEOUT * 3
    killed = moments.get("killed", end)
    rejoined = moments.get("rejoined", end)
    before, during, after = phase(0, killed), phase(killed, rejoined), phase(rejoined, end)
    back = {kind: round(min(a.started + a.elapsed for a in _ok_since(load, killed, kind))
                        - killed, 1) if _ok_since(load, killed, kind) else None
            for kind in ("pass", "card")}
    figures.update({
        "backend": backend, "clients": CLIENTS, "nodes": 3,
        "cluster_start_seconds": round(cluster.start_seconds, 1),
        "setup_seconds": round(setup_seconds, 1),
        "quorum_queues": len(shared), "queue_leaders_on_lost_node": leaders_on_lost,
        "running_nodes_after_loss": len(moments.get("survivors", [])),
        "reply_queues_after_loss": moments.get("answering_reply_queues"),
        "bookings_before": before["2xx"], "bookings_during": during["2xx"],
        "bookings_after": after["2xx"],
        "statuses_before": before["statuses"], "statuses_during": during["statuses"],
        "statuses_after": after["statuses"],
        "first_booking_after_loss_seconds": back,
        # how long one booking took before the loss, for scale (this machine is shared)
        "median_booking_seconds_before": {
            kind: round(statistics.median(a.elapsed for a in load.attempts
                                          if a.kind == kind and a.started < killed
                                          and 200 <= a.status < 300), 1)
            for kind in ("pass", "card")},
        "node_down_seconds": round(rejoined - killed, 1),
        "node_restart_seconds": round(rejoined - moments.get("restarting", rejoined), 1),
        "lost": figures["answered_2xx"] - figures["found_afterwards"],
        "unpublished_events_left": leftover,
        "interrupted_pass_bookings": interrupted, "left_unsettled": unsettled,
        "dead_processes": [p.args for p in cluster_stack.processes() if p.poll() is not None],
        "failure": str(failure) if failure else None,
    })
    report("broker_cluster", figures)

    if failure:
        # what the services said (CARNET_LOG_LEVEL=WARNING): the log folder goes with the
        # run's temporary folder, and CI keeps only this output
        print(*(cluster_stack.stack.tail(name, lines=30)
                for name in ("gateway", "billing", "registration")), sep="\n")
        raise failure
    wait_until(lambda: healthy(cluster_stack.stack.url), 30, what="/health at the end")
    assert figures["running_nodes_after_loss"] == 2, figures
    assert set(figures["reply_queues_after_loss"]) >= reply_owners, figures
    assert figures["dead_processes"] == [], figures  # no process died, none was restarted
    assert figures["no_answer"] == 0, figures        # nothing hung past the HTTP timeout
    assert set(figures["status_counts"]) <= {200, 201, 409, 503}, figures  # no 500
    assert figures["bookings_during"] > 0 and figures["bookings_after"] > 0, figures
    assert figures["lost"] == 0, figures             # every 2xx booking exists afterwards
    assert figures["duplicates"] == 0, figures
    assert figures["left_unsettled"] == 0, figures
    assert figures["seats_vs_registrations"] == [], figures
    assert figures["ledger_mismatches"] == [], figures
    assert not any(figures["unpublished_events_left"].values()), figures
