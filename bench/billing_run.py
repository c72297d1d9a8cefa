"""The billing worker's throughput (R6.4): subscriptions charged per second for 10,000 due
subscriptions, with one worker and with two, against baselines measured in the same run.

    .venv/bin/python -m bench.billing_run        (CARNET_BENCH_DB=postgresql for PG)

Each configuration gets a fresh billing database (carnet/stack.py: IsolatedEnvironment)
seeded with CARNET_BENCH_SUBS due subscriptions (default 10,000; bench/seed.py),
then starts its ``billing_worker`` processes (``nameko run services.billing.worker``) and
waits until every one is charged. The rate is measured from the database's own
timestamps (first to last renewal payment), so process start-up is not counted.

Baselines, same run, same machine:
- ``provider only``: the sandbox provider's ``charge`` called in a loop in-process (one
  idempotent insert each): what a renewal costs at the very least;
- ``in-process run``: ``BillingRun.run`` called in this process on its own database (no
  broker, no worker process): the renewal code itself.
Ratios are printed against the in-process run.
"""
import contextlib
import os
import time
from datetime import datetime, timezone

from sqlalchemy import func, select

import services.billing.adapters.models as m
from bench.common import isolated_environment
from bench.seed import billing_engine, in_process_run, seed_due_subscriptions
from carnet.stack import Stack
from services.billing.adapters.sandbox_provider import SandboxPaymentProvider

N = int(os.environ.get("CARNET_BENCH_SUBS", "10000"))
BACKEND = os.environ.get("CARNET_BENCH_DB", "sqlite")
ORG = "org_bench_billing"


@contextlib.contextmanager
def fresh(label):
    with isolated_environment(BACKEND, label) as (environment, env):
        engine = billing_engine(env["BILLING_DATABASE_URL"])
        try:
            yield environment, env, engine
        finally:
            engine.dispose()


def payment_window(engine, org_id=ORG):
    with engine.connect() as conn:
        first, last, count = conn.execute(select(
            func.min(m.Payment.created_at), func.max(m.Payment.created_at),
            func.count()).where(m.Payment.org_id == org_id)).one()
    return first, last, count


def rate_from(engine, org_id=ORG):
    first, last, count = payment_window(engine, org_id)
    first, last = (datetime.fromisoformat(str(v)) if not isinstance(v, datetime) else v
                   for v in (first, last))
    return count / max((last - first).total_seconds(), 1e-6)


def provider_only(n):
    with fresh("provider") as (_environment, _env, engine):
        provider = SandboxPaymentProvider(engine)
        start = time.perf_counter()
        for i in range(n):
            provider.charge(amount=2500, currency="CAD", card_token="tok_ok",
                            idempotency_key=f"bench:{i}", off_session=True)
        return n / (time.perf_counter() - start)


def in_process(n):
    with fresh("inproc") as (_environment, _env, engine):
        seed_due_subscriptions(engine, ORG, n)
        run = in_process_run(engine, lease_seconds=60)
        start = time.perf_counter()
        result = run.run(datetime.now(timezone.utc), org_id=ORG)
        elapsed = time.perf_counter() - start
        assert result.charged == n, result
        return n / elapsed


def workers(n, count):
    with fresh(f"workers{count}") as (environment, env, engine):
        return _workers(n, count, environment, env, engine)


def _workers(n, count, environment, env, engine):
    env = dict(env, CARNET_BILLING_INTERVAL="0.5", CARNET_TEST_CLOCKS="0")
    stack = Stack(env, environment.workdir / "logs")
    try:
        # the workers ask catalog for a renewal's taxes (R7.2), as in production
        stack.start_service("catalog")
        org_id = stack.rpc.call("catalog", "create_org", {
            "name": "Bench billing", "timezone": "America/Montreal", "currency": "CAD"})["id"]
        seed_due_subscriptions(engine, org_id, n)
        for _ in range(count):
            stack.start_service("billing_worker", wait=False)
        deadline = time.monotonic() + 3600
        while payment_window(engine, org_id)[2] < n:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not finish within an hour")
            time.sleep(0.5)  # polling for completion; the rate comes from the timestamps
        with engine.connect() as conn:
            invoices = conn.execute(select(func.count()).where(
                m.Invoice.org_id == org_id)).scalar()
        assert invoices == n, f"{invoices} invoices for {n} subscriptions"
        return rate_from(engine, org_id)
    finally:
        stack.stop()


def main():
    print(f"billing run benchmark: {N} due subscriptions, {BACKEND}")
    provider = provider_only(min(N, 2000))
    baseline = in_process(N)
    one = workers(N, 1)
    two = workers(N, 2)
    print(f"{'provider only (charges/s)':<34} {provider:9.1f}   {provider / baseline:5.2f}x")
    print(f"{'in-process run (subs/s), baseline':<34} {baseline:9.1f}   1.00x")
    print(f"{'one billing worker (subs/s)':<34} {one:9.1f}   {one / baseline:5.2f}x")
    print(f"{'two billing workers (subs/s)':<34} {two:9.1f}   {two / baseline:5.2f}x"
          f"   (two/one: {two / one:.2f}x)")


if __name__ == "__main__":
    main()
