"""Billing's database guarantees, on the session's backend (SQLite or PostgreSQL), with
concurrent transactions: invoice numbers without gaps or duplicates, a credit balance that
never goes negative and always equals the sum of its entries, one credit entry per cause,
and the sandbox payment provider's idempotency."""
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from services.billing.adapters.repositories import (CreditLedger, DuplicateCause,
                                                    InvoiceRepository)
from services.billing.adapters.sandbox_provider import (IdempotencyMismatch,
                                                        SandboxPaymentProvider)
from services.billing.domain import credit
from services.billing.domain.payment import CardDeclined
from services.common import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "services/billing/migrations"
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def engine(test_env):
    engine = db.make_engine(test_env.env["BILLING_DATABASE_URL"], pool_size=20, max_overflow=0)
    db.migrate(engine, MIGRATIONS, "billing")
    yield engine
    engine.dispose()


def org():
    return f"org_{uuid.uuid4().hex[:12]}"


def in_transaction(engine, work):
    """Run ``work(session)`` in one write transaction (BEGIN IMMEDIATE on SQLite)."""
    with Session(bind=engine, expire_on_commit=False) as session:
        session.begin()
        result = work(session)
        session.commit()
        return result


def concurrently(count, work):
    start = threading.Barrier(count)
    results = [None] * count

    def run(index):
        start.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# -- R6.1: invoice numbers --------------------------------------------------------------------------
def test_concurrent_invoices_take_distinct_numbers_without_gaps(engine):
    org_id = org()
    numbers = concurrently(30, lambda _: in_transaction(
        engine, lambda s: InvoiceRepository(s).next_number(org_id)))
    assert sorted(numbers) == list(range(1, 31))


def test_a_rolled_back_invoice_gives_its_number_back(engine):
    org_id = org()
    assert in_transaction(engine, lambda s: InvoiceRepository(s).next_number(org_id)) == 1
    with Session(bind=engine) as session:
        session.begin()
        assert InvoiceRepository(session).next_number(org_id) == 2
        session.rollback()
    assert in_transaction(engine, lambda s: InvoiceRepository(s).next_number(org_id)) == 2


def test_numbers_are_per_org(engine):
    first, second = org(), org()
    assert in_transaction(engine, lambda s: InvoiceRepository(s).next_number(first)) == 1
    assert in_transaction(engine, lambda s: InvoiceRepository(s).next_number(second)) == 1
    assert in_transaction(engine, lambda s: InvoiceRepository(s).next_number(first)) == 2


# -- account credit ---------------------------------------------------------------------------------
def test_a_cause_credits_once(engine):
    org_id, account = org(), "acc_1"
    entry = credit.credit(1500, credit.CANCELLATION, "reg_1")
    assert in_transaction(engine, lambda s: CreditLedger(s).credit(org_id, account, entry,
                                                                   NOW)) == 1500
    assert in_transaction(engine, lambda s: CreditLedger(s).credit(org_id, account, entry,
                                                                   NOW)) is None
    assert in_transaction(engine, lambda s: CreditLedger(s).balance(org_id, account)) == 1500


def test_concurrent_credits_of_one_cause_write_one_entry(engine):
    org_id, account = org(), "acc_1"
    entry = credit.credit(700, credit.CANCELLATION, "reg_9")
    results = concurrently(10, lambda _: in_transaction(
        engine, lambda s: CreditLedger(s).credit(org_id, account, entry, NOW)))
    assert [r for r in results if r is not None and not isinstance(r, DuplicateCause)] == [700]
    assert not [r for r in results if isinstance(r, Exception)
                and not isinstance(r, DuplicateCause)]
    entries = in_transaction(engine, lambda s: CreditLedger(s).entries(org_id, account))
    assert [e.amount for e in entries] == [700]


def test_concurrent_debits_never_take_the_balance_below_zero(engine):
    org_id, account = org(), "acc_1"
    in_transaction(engine, lambda s: CreditLedger(s).credit(
        org_id, account, credit.credit(3000, credit.CANCELLATION, "reg_1"), NOW))
    results = concurrently(12, lambda i: in_transaction(engine, lambda s: CreditLedger(s).debit(
        org_id, account, credit.debit(1000, credit.CHECKOUT, f"chk_{i}"), NOW)))
    assert sorted(r for r in results if r is not None) == [0, 1000, 2000]
    assert results.count(None) == 9

    def state(session):
        ledger = CreditLedger(session)
        return ledger.balance(org_id, account), [e.amount for e in ledger.entries(org_id,
                                                                                  account)]
    balance, amounts = in_transaction(engine, state)
    assert balance == 0 == sum(amounts)
    assert sorted(amounts) == [-1000, -1000, -1000, 3000]


def test_a_debit_without_credit_writes_nothing(engine):
    org_id = org()
    assert in_transaction(engine, lambda s: CreditLedger(s).debit(
        org_id, "acc_1", credit.debit(1, credit.CHECKOUT, "chk_1"), NOW)) is None
    assert in_transaction(engine, lambda s: CreditLedger(s).entries(org_id, "acc_1")) == []


# -- the sandbox payment provider -------------------------------------------------------------------
@pytest.fixture
def provider(engine):
    return SandboxPaymentProvider(engine)


def key():
    return f"checkout:{uuid.uuid4().hex}"


def test_a_charge_asked_again_with_its_key_is_the_same_charge(provider):
    k = key()
    first = provider.charge(amount=1500, currency="CAD", card_token="tok_ok", idempotency_key=k)
    again = provider.charge(amount=1500, currency="CAD", card_token="tok_ok", idempotency_key=k)
    assert first == again
    assert len(provider.charges(k)) == 1


def test_concurrent_charges_with_one_key_charge_once(provider):
    k = key()
    charges = concurrently(10, lambda _: provider.charge(
        amount=900, currency="CAD", card_token="tok_ok", idempotency_key=k))
    assert len({c.id for c in charges}) == 1
    assert len(provider.charges(k)) == 1


def test_a_decline_is_replayed_and_the_same_key_cannot_charge_another_amount(provider):
    k = key()
    for _ in range(2):
        with pytest.raises(CardDeclined) as declined:
            provider.charge(amount=1500, currency="CAD", card_token="tok_decline",
                            idempotency_key=k)
        assert declined.value.code == "card_declined"
    with pytest.raises(IdempotencyMismatch):
        provider.charge(amount=99, currency="CAD", card_token="tok_decline", idempotency_key=k)


def test_tok_decline_renewals_declines_charges_made_without_the_client(provider):
    provider.charge(amount=1500, currency="CAD", card_token="tok_decline_renewals",
                    idempotency_key=key())
    with pytest.raises(CardDeclined):
        provider.charge(amount=1500, currency="CAD", card_token="tok_decline_renewals",
                        idempotency_key=key(), off_session=True)


def test_refunds_are_idempotent_and_never_exceed_the_charge(provider):
    charge = provider.charge(amount=1000, currency="CAD", card_token="tok_ok",
                             idempotency_key=key())
    k = f"refund:{uuid.uuid4().hex}"
    refund = provider.refund(charge_id=charge.id, amount=600, idempotency_key=k)
    assert provider.refund(charge_id=charge.id, amount=600, idempotency_key=k) == refund
    with pytest.raises(ValueError):
        provider.refund(charge_id=charge.id, amount=500, idempotency_key=f"refund:{uuid.uuid4()}")
    provider.refund(charge_id=charge.id, amount=400, idempotency_key=f"refund:{uuid.uuid4()}")
