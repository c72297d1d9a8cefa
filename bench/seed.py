"""Bench setups written straight into a service's database, faster than thousands of API
calls (a bench shortcut, never how the services are used): due subscriptions for
``bench/billing_run.py``. ``bench/history.py`` does the same for registrations and pass
ledgers.

Each subscription is anchored 40 days ago, so exactly one period (period 1) is due now and
the next is weeks away, whatever day it runs. (Kept in step with the tests' own copy,
``tests/support/subscriptions.py``; bench/ does not import tests/.)
"""
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

import services.billing.adapters.models as m
from services.billing.adapters.sandbox_provider import SandboxPaymentProvider
from services.billing.usecases.billing_run import BillingRun
from services.billing.domain import subscriptions as rules
from services.common import db
from services.common.uow import DatabaseAccess

MIGRATIONS = Path(m.__file__).resolve().parent.parent / "migrations"
TZ = "America/Montreal"


class OutboxOnly:
    """Billing's database as its units of work see it, outside Nameko: events stay in the
    outbox (the relay is not what these runs are about)."""

    def __init__(self, engine):
        self.engine = engine
        self.outbox = m.metadata.tables["outbox"]
        self.processed_events = m.metadata.tables["processed_events"]

    def publish(self, rows):
        pass


def utcnow():
    return datetime.now(timezone.utc)


def in_process_run(engine, now=utcnow, lease_seconds=30):
    """The billing worker's run, called in this process on ``engine``."""
    return BillingRun(DatabaseAccess(OutboxOnly(engine)), SandboxPaymentProvider(engine, now),
                      now, lease_seconds=lease_seconds)


def billing_engine(url):
    engine = db.make_engine(url, pool_size=2, max_overflow=2)
    db.migrate(engine, MIGRATIONS, "billing")
    return engine


def seed_due_subscriptions(engine, org_id, count, price=2500, card_token="tok_ok"):
    now = datetime.now(timezone.utc)
    anchor = rules.anchor_of(now - timedelta(days=40), TZ)
    due = rules.period_start(anchor, 1, TZ)
    assert due <= now < rules.period_start(anchor, 2, TZ)
    subs, charges = [], []
    for index in range(count):
        sub_id = f"sub_seed_{org_id[-6:]}_{index:06d}"
        subs.append(dict(
            id=sub_id, org_id=org_id, account_id=f"acc_{index}", member_id=f"mem_{index}",
            plan_id="sbp_seed", description="Natation illimitée", monthly_price=price,
            currency="CAD", accounting_code="4700", activity_ids=[], card_token=card_token,
            invoice_id=f"inv_seed_{index}", cart_item_id=f"itm_{sub_id}",
            status=rules.ACTIVE, timezone=TZ, anchor_date=anchor.isoformat(), periods_paid=1,
            current_period_end=due, next_charge_at=due, cancel_at_period_end=False,
            created_at=now, updated_at=now))
        charges.append(dict(
            id=f"sbc_{sub_id}", org_id=org_id, subscription_id=sub_id, period=0,
            period_start=anchor.isoformat(), due_at=now - timedelta(days=40),
            status=rules.PAID, attempts=1, invoice_id=f"inv_seed_{index}", created_at=now,
            updated_at=now))
    with engine.begin() as conn:
        for start in range(0, count, 500):
            conn.execute(insert(m.Subscription.__table__), subs[start:start + 500])
            conn.execute(insert(m.SubscriptionCharge.__table__), charges[start:start + 500])
    return due
