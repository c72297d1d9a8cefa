"""The billing run's database guarantees (R6.4) on the session's backend, in-process: a
run charges each due subscription once and a second run charges nothing; a worker that
died after the provider charged (and before billing recorded it) is finished by the next
run with the same provider key, so the card is debited once; a run that finds the period
already invoiced (another worker recorded it) writes nothing; each step is an outbox
event. The two-worker race with real processes is test_billing_worker_race."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import services.billing.adapters.models as m
from services.billing.adapters.sandbox_provider import SandboxPaymentProvider
from services.billing.domain.leases import LeaseLost
from services.billing.domain import subscriptions as rules
from tests.support.subscriptions import (billing_engine, in_process_run, renewal_counts,
                                         seed_due_subscriptions, utcnow)


@pytest.fixture(scope="module")
def engine(test_env):
    engine = billing_engine(test_env.env["BILLING_DATABASE_URL"])
    yield engine
    engine.dispose()


def billing_run(engine, now=None):
    return in_process_run(engine, now or utcnow)


def events(engine, event_type, subscription_ids):
    outbox = m.metadata.tables["outbox"]
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.event_type == event_type))
        return [p for (p,) in rows if p["data"].get("subscription_id") in subscription_ids]


def org():
    return f"org_{uuid.uuid4().hex[:10]}"


def test_a_run_charges_each_due_subscription_once(engine):
    org_id = org()
    seed_due_subscriptions(engine, org_id, 30)
    now = datetime.now(timezone.utc)
    first = billing_run(engine).run(now, org_id=org_id)
    assert first.as_dict() == {"charged": 30, "failed": 0, "skipped": 0}
    assert billing_run(engine).run(now, org_id=org_id).as_dict() == \
        {"charged": 0, "failed": 0, "skipped": 0}
    assert renewal_counts(engine, org_id) == (30, 30, 30, 30)
    ids = {f"sub_seed_{org_id[-6:]}_{i:06d}" for i in range(30)}
    assert len(events(engine, "subscription_charged", ids)) == 30


def test_a_charge_made_by_a_worker_that_died_is_recorded_not_made_again(engine):
    org_id = org()
    seed_due_subscriptions(engine, org_id, 1)
    sub_id = f"sub_seed_{org_id[-6:]}_{0:06d}"
    provider = SandboxPaymentProvider(engine)
    # the dead worker got this far: the provider charged, billing recorded nothing
    provider.charge(amount=2500, currency="CAD", card_token="tok_ok",
                    idempotency_key=rules.charge_key(sub_id, 1, 0), off_session=True)
    result = billing_run(engine).run(datetime.now(timezone.utc), org_id=org_id)
    assert result.charged == 1
    assert renewal_counts(engine, org_id) == (1, 1, 1, 1)  # one debit of the card


def test_a_period_invoiced_meanwhile_is_not_invoiced_again(engine):
    org_id = org()
    seed_due_subscriptions(engine, org_id, 1)
    slow = billing_run(engine)
    now = datetime.now(timezone.utc)
    (leased,) = slow._lease_batch(now, org_id, "own_slow")
    # the slow worker's lease lapses; another worker takes over and records the period
    later = billing_run(engine, now=lambda: datetime.now(timezone.utc) + timedelta(minutes=5))
    assert later.run(now + timedelta(minutes=5), org_id=org_id).charged == 1
    # the slow worker comes back: the provider answers the same charge (same key) and
    # recording it again is refused
    with pytest.raises(LeaseLost):
        slow._charge(leased, 1, now, "own_slow")
    assert renewal_counts(engine, org_id) == (1, 1, 1, 1)


def test_a_declining_card_walks_through_past_due_to_cancelled(engine):
    org_id = org()
    due = seed_due_subscriptions(engine, org_id, 1, card_token="tok_decline_renewals")
    sub_id = f"sub_seed_{org_id[-6:]}_{0:06d}"
    statuses = []
    for days in (0, 1, 3, 7):
        at = due + timedelta(days=days)
        result = billing_run(engine, now=lambda: at).run(at, org_id=org_id)
        assert result.failed == 1
        with engine.connect() as conn:
            statuses.append(conn.execute(select(m.Subscription.status).where(
                m.Subscription.id == sub_id)).scalar())
    assert statuses == ["past_due", "past_due", "past_due", "cancelled"]
    assert len(events(engine, "subscription_charge_failed", {sub_id})) == 4
    assert len(events(engine, "subscription_past_due", {sub_id})) == 1
    assert len(events(engine, "subscription_cancelled", {sub_id})) == 1
    assert renewal_counts(engine, org_id)[0] == 0
