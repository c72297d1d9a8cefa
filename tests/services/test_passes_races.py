"""passes under concurrent requests served by two instances of the service (R4.1): a
balance never goes below zero, a use is never lost or doubled, a duplicated request never
writes a second entry. Each race starts its threads together on a barrier; the outcome is
checked in the ledger and in the database's cached counters."""
import threading
from contextlib import ExitStack

import pytest

from services.common.rpc import RpcPool
from services.passes.contract.errors import BundleExhausted, PassExhausted
from tests.services.test_passes_support import (bundle_cache_and_ledger,  # noqa: F401
                                                pass_cache_and_ledger, passes_db, unique,
                                                world)

pytestmark = pytest.mark.race

THREADS = 30


@pytest.fixture(scope="module")
def two_instances(stack):
    stack.scale("passes", 2)
    alive = [p for p in stack.procs["passes"] if p.poll() is None]
    assert len(alive) >= 2
    return stack


@pytest.fixture
def wide_rpc(test_env):
    """An RPC pool as wide as the race, its connections opened before the start."""
    pool = RpcPool(amqp_uri=test_env.env["AMQP_URI"], size=THREADS, timeout=120)
    with ExitStack() as opened:
        for _ in range(THREADS):
            opened.enter_context(pool.cluster())
    yield pool
    pool.close()


def race(calls):
    """Run every call at once (threads released together); returns outcomes in order:
    the result, or the exception raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what is checked
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not any(t.is_alive() for t in threads)
    return outcomes


def test_thirty_debits_against_five_uses_leave_exactly_five(world, two_instances, wide_rpc,
                                                             passes_db):
    yoga = world.activity()
    account = world.household(members=2)
    sold = world.sell_pass(world.pass_type([yoga], uses=5, family=True), account)
    members = account["members"]
    calls = [lambda i=i: wide_rpc.call("passes", "debit_pass", world.id, sold["id"], {
        "registration_id": f"reg_{i}", "member_id": members[i % 2]["id"],
        "activity_id": yoga}) for i in range(THREADS)]

    outcomes = race(calls)
    succeeded = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, PassExhausted)]
    assert len(succeeded) == 5 and len(refused) == THREADS - 5, outcomes
    assert len({o["entry"]["id"] for o in succeeded}) == 5

    ledger = world.call("pass_ledger", sold["id"])
    debits = [e for e in ledger["items"] if e["kind"] == "debit"]
    assert len(debits) == 5
    assert {e["registration_id"] for e in debits} == {
        o["entry"]["registration_id"] for o in succeeded}
    assert ledger["pass"]["uses_left"] == 0
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (0, 0, 5)


def test_the_same_debit_sent_thirty_times_at_once_is_written_once(world, two_instances,
                                                                 wide_rpc, passes_db):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    sold = world.sell_pass(world.pass_type([yoga], uses=10), account, marie)
    data = {"registration_id": "reg_dup", "member_id": marie["id"], "activity_id": yoga}
    outcomes = race([lambda: wide_rpc.call("passes", "debit_pass", world.id, sold["id"], data)
                     for _ in range(THREADS)])
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert len({o["entry"]["id"] for o in outcomes}) == 1
    assert sum(1 for o in outcomes if not o["replayed"]) == 1
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (9, 9, 1)

    # And its credit, sent thirty times at once: one use comes back, once.
    outcomes = race([lambda: wide_rpc.call("passes", "credit_pass", world.id, sold["id"],
                                           {"registration_id": "reg_dup"})
                     for _ in range(THREADS)])
    assert all(isinstance(o, dict) and o["credited"] for o in outcomes), outcomes
    assert len({o["entry"]["id"] for o in outcomes}) == 1
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (10, 10, 1)


def test_bundle_bookings_and_checkouts_past_the_remaining_never_go_below_zero(
        world, two_instances, wide_rpc, passes_db):
    cut = world.service("Coupe")
    kind = world.rpc.call("catalog", "create_bundle_type", world.id, {
        "name": "4 coupes", "divisions": [{"name": "4", "items": [
            {"service_id": cut, "count": 4}]}]})
    account = world.household()
    sold = world.call("sell_bundle", {
        "bundle_type_id": kind["id"], "division": "4", "account_id": account["id"],
        "member_id": account["members"][0]["id"], "invoice_id": unique("inv")})
    # Half book an appointment, half apply the bundle straight at checkout (R4.6, R4.7).
    calls = [lambda i=i: wide_rpc.call(
        "passes", "book_bundle" if i % 2 else "use_bundle", world.id, sold["id"],
        {"appointment_id": f"apt_{i}", "service_id": cut}) for i in range(THREADS)]

    outcomes = race(calls)
    succeeded = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, BundleExhausted)]
    assert len(succeeded) == 4 and len(refused) == THREADS - 4, outcomes

    counts = world.call("get_bundle", sold["id"])["items"][0]
    assert counts["total"] == 4 and counts["remaining"] == 0
    assert counts["booked"] + counts["used"] == 4
    entries = [e for e in world.call("bundle_ledger", sold["id"])["items"]
               if e["kind"] in ("book", "use")]
    assert len(entries) == 4
    for cached, summed in bundle_cache_and_ledger(passes_db, sold["id"]).values():
        assert cached == summed == (4, counts["booked"], counts["used"])
