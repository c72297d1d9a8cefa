"""R6.4 with real processes: two billing workers start at once over 1,000 due
subscriptions and one of them is killed (SIGKILL) midway. Every subscription ends with
exactly one invoice and one provider charge for the period: leases split the work, a dead
worker's leases lapse and the other worker finishes them, asking the provider again with
the same idempotency key, and (subscription_id, period) is unique in the database.

On PostgreSQL (the production database, where two workers really run in parallel);
SQLite serialises writers and runs the same code in test_subscription_billing_run."""
import signal
import time

import pytest
from sqlalchemy import text

from tests.support.environment import TestEnvironment
from tests.support.stack import Stack
from tests.support.subscriptions import billing_engine, renewal_counts, seed_due_subscriptions

COUNT = 1000


@pytest.fixture
def worker_env(backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("the two-worker race runs on PostgreSQL")
    environment = TestEnvironment(backend, tmp_path)
    env = environment.setup()
    env.update(CARNET_BILLING_INTERVAL="0.2", CARNET_SUBSCRIPTION_LEASE_SECONDS="3",
               CARNET_TEST_CLOCKS="0")
    yield environment, env
    environment.teardown()


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)  # polling the database for the condition, not waiting it out
    raise AssertionError(f"timed out waiting for {what}")


def test_two_workers_one_killed_midway_bill_each_subscription_once(worker_env):
    environment, env = worker_env
    engine = billing_engine(env["BILLING_DATABASE_URL"])
    stack = Stack(env, environment.workdir / "logs")
    try:
        # the workers ask catalog for a renewal's taxes (R7.2), as in production
        stack.start_service("catalog")
        org_id = stack.rpc.call("catalog", "create_org", {
            "name": "Worker race", "timezone": "America/Montreal", "currency": "CAD"})["id"]
        seed_due_subscriptions(engine, org_id, COUNT)
        doomed = stack.start_service("billing_worker", wait=False)
        stack.start_service("billing_worker", wait=False)
        at_kill = wait_until(lambda: (lambda n: n if n >= 50 else 0)(
            renewal_counts(engine, org_id)[0]), 180, "the first invoices")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        assert at_kill < COUNT, "the workers finished before one could be killed midway"
        print(f"killed one worker at {at_kill}/{COUNT} invoices")
        wait_until(lambda: renewal_counts(engine, org_id)[2] == COUNT, 300,
                   "every subscription to be charged")
        invoices, distinct, paid, provider = renewal_counts(engine, org_id)
        assert (invoices, distinct, paid, provider) == (COUNT, COUNT, COUNT, COUNT)
        with engine.connect() as conn:
            numbers = [n for (n,) in conn.execute(text(
                "SELECT number FROM invoices WHERE org_id = :org ORDER BY number"),
                {"org": org_id})]
            leftover = conn.execute(text(
                "SELECT count(*) FROM subscriptions WHERE org_id = :org AND "
                "(periods_paid != 2 OR status != 'active')"), {"org": org_id}).scalar()
        assert numbers == list(range(1, COUNT + 1))  # gapless, no duplicates
        assert leftover == 0
    finally:
        stack.stop()
        engine.dispose()
