"""The checkout saga on billing's real records (``SqlCheckoutStore``) and the sandbox
provider, on the session's backend, in-process.

A card's charge is not written in a transaction of its own (issue #14): it is written with
the record's next move. These tests hold the store to what that must not change (R6.1,
R6.2): a checkout completed in one go records its charge on the invoice; one whose seats
cannot be confirmed now is postponed with its charge recorded; one whose driver died right
after the charge is still ``pending`` and is finished by the next driver with the card
debited once; one refused after the charge refunds that charge. Registration's side is a
stand-in with its contract (all-or-nothing confirm); the store and the provider are real.
The same crash with real processes killed is tests/api/test_recovery_checkout.py.
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

import services.billing.adapters.models as m
from services.billing.adapters.repositories import CheckoutRepository, checkout_record
from services.billing.adapters.sandbox_provider import SandboxPaymentProvider
from services.billing.domain import cart as cart_rules
from services.billing.domain import checkout as saga
from services.billing.domain.payment import PaymentPlan
from services.billing.usecases.checkout_records import SqlCheckoutStore, new_checkout
from services.common.uow import DatabaseAccess
from tests.support.subscriptions import OutboxOnly, billing_engine

LEASE = 30


@pytest.fixture(scope="module")
def engine(test_env):
    engine = billing_engine(test_env.env["BILLING_DATABASE_URL"])
    yield engine
    engine.dispose()


class Clock:
    def __init__(self):
        self.at = datetime.now(timezone.utc)

    def now(self):
        return self.at


class Seats:
    """Registration's confirm: all or nothing, idempotent for the invoice."""

    def __init__(self, refuse=False):
        self.down, self.refuse, self.confirmed = False, refuse, {}

    def confirm(self, org_id, registration_ids, invoice_id):
        if self.down:
            raise saga.StepUnavailable("registration did not answer")
        if self.refuse:
            raise saga.StepRefused({"code": "hold_expired", "message": "hold expired"})
        for registration_id in registration_ids:
            self.confirmed[registration_id] = invoice_id
        return [{"id": r, "status": "confirmed"} for r in registration_ids]

    def cancel_for_invoice(self, org_id, invoice_id):
        raise saga.StepRefused({"code": "not_found", "message": "nothing confirmed"})


@pytest.fixture
def world(engine):
    clock = Clock()
    store = SqlCheckoutStore(DatabaseAccess(OutboxOnly(engine)), clock, LEASE)
    provider = SandboxPaymentProvider(engine, clock.now)
    return engine, clock, store, provider


def start(world, owner="A", amount=2500):
    """A card checkout recorded as ``checkout`` records it: the cart, then the record."""
    engine, clock, store, _ = world
    org_id, now = f"org_{uuid.uuid4().hex[:10]}", clock.now()
    cart = m.Cart(id=f"crt_{uuid.uuid4().hex[:12]}", org_id=org_id, account_id="acc_1",
                  status=cart_rules.CHECKING_OUT, currency="CAD", created_at=now,
                  updated_at=now)
    item = m.CartItem(id=f"itm_{uuid.uuid4().hex[:12]}", org_id=org_id, cart_id=cart.id,
                      position=1, type="a_la_carte", status=cart_rules.ACTIVE,
                      member_id="mem_1", price=amount, description="Natation",
                      accounting_code="4100", registration_id=f"reg_{uuid.uuid4().hex[:8]}",
                      reference={}, pay_with=None, release_pending=False, created_at=now)
    plan = PaymentPlan("card", amount, "tok_ok")
    row = new_checkout(org_id, cart, [item], plan, saga.PENDING, None, "fp", owner, now,
                       store.lease)
    cart.checkout_id = row.id
    with store.db.uow() as uow:
        uow.session.add(cart)
        uow.session.add(row)
        uow.commit()
    store.remember(row.id)
    with store.db.uow(readonly=True) as uow:
        return checkout_record(CheckoutRepository(uow.session).get(row.id))


def stored(engine, checkout_id):
    with engine.connect() as conn:
        return conn.execute(select(m.Checkout.state, m.Checkout.charge_id)
                            .where(m.Checkout.id == checkout_id)).one()


def charges(engine, checkout_id):
    table = m.SandboxCharge.__table__
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(
            table.c.idempotency_key == saga.charge_key(checkout_id),
            table.c.kind == "charge")).scalar()


def invoice_payments(engine, invoice_id):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(m.Payment.method, m.Payment.amount, m.Payment.charge_id)
            .where(m.Payment.invoice_id == invoice_id))]


def test_a_card_checkout_done_in_one_go_records_its_charge_on_the_invoice(world):
    engine, clock, store, provider = world
    record = start(world)
    done = saga.CheckoutSaga(store, provider, Seats()).drive(record, "A")
    assert done.state == saga.COMPLETED
    state, charge_id = stored(engine, record.id)
    assert state == saga.COMPLETED and charge_id and charge_id == done.charge_id
    assert charges(engine, record.id) == 1
    assert invoice_payments(engine, record.invoice_id) == [("card", 2500, charge_id)]


def test_a_checkout_postponed_after_the_charge_has_its_charge_recorded(world):
    engine, clock, store, provider = world
    record = start(world)
    seats = Seats()
    seats.down = True
    with pytest.raises(saga.Postponed):
        saga.CheckoutSaga(store, provider, seats).drive(record, "A")
    state, charge_id = stored(engine, record.id)
    assert (state, charges(engine, record.id)) == (saga.CHARGED, 1) and charge_id

    seats.down = False
    resumed = store.claim(record.id, "recovery")
    assert (resumed.state, resumed.charge_id) == (saga.CHARGED, charge_id)
    done = saga.CheckoutSaga(store, provider, seats).drive(resumed, "recovery")
    assert done.state == saga.COMPLETED and charges(engine, record.id) == 1
    assert invoice_payments(engine, record.invoice_id) == [("card", 2500, charge_id)]


def test_a_driver_dying_right_after_the_charge_leaves_it_pending_and_the_card_is_debited_once(
        world):
    engine, clock, store, provider = world
    record = start(world)
    charged = saga.CheckoutSaga(store, provider, Seats())._charge(record, "A")
    assert charged.state == saga.CHARGED  # …and the process dies here
    assert stored(engine, record.id) == (saga.PENDING, None)
    assert store.claim(record.id, "recovery") is None  # A's lease still runs

    clock.at += timedelta(seconds=LEASE + 1)
    resumed = store.claim(record.id, "recovery")
    assert resumed.state == saga.PENDING
    done = saga.CheckoutSaga(store, provider, Seats()).drive(resumed, "recovery")
    assert done.state == saga.COMPLETED and done.charge_id == charged.charge_id
    assert charges(engine, record.id) == 1
    assert invoice_payments(engine, record.invoice_id) == [("card", 2500, charged.charge_id)]
    with pytest.raises(saga.LeaseLost):  # the dead driver's record cannot move it any more
        store.complete(charged, "A", [])


def test_a_refusal_after_the_charge_refunds_the_charge_it_recorded(world):
    engine, clock, store, provider = world
    record = start(world)
    done = saga.CheckoutSaga(store, provider, Seats(refuse=True)).drive(record, "A")
    assert done.state == saga.FAILED
    state, charge_id = stored(engine, record.id)
    assert state == saga.FAILED and charge_id
    table = m.SandboxCharge.__table__
    with engine.connect() as conn:
        refunds = conn.execute(select(table.c.amount).where(
            table.c.idempotency_key == saga.refund_key(record.id))).scalars().all()
    assert refunds == [2500]
