"""The checkout saga (R6.1, R6.2): a cart becomes one paid invoice with its seats confirmed,
or nothing stays done — also when a step is refused, a service does not answer, or the
process driving it dies between two steps.

The saga is the thing under test and runs as it does in the service. Its collaborators
are in-memory stand-ins with the same contracts as the real ones (idempotent provider
keyed on the request's key, registration's all-or-nothing confirm, records that only the
lease holder may move).
"""
from dataclasses import replace

import pytest

from services.billing.domain import checkout as saga
from services.billing.domain.checkout import (CheckoutRecord, CheckoutSaga, LeaseLost,
                                              Postponed, StepRefused, StepUnavailable)
from services.billing.domain.payment import CardDeclined, Charge, ProviderUnavailable
from services.billing.contract.errors import (CardPaymentDeclined, CheckoutHoldExpired,
                                         CheckoutRefused)


class MemoryStore:
    def __init__(self):
        self.rows = {}
        self.invoices = []
        self.credits = []
        self.open_carts = []
        self.crash_on = set()

    def add(self, record, owner):
        self.rows[record.id] = {"record": record, "owner": owner, "attempts": 0}
        return record

    def current(self, checkout_id):
        return self.rows[checkout_id]["record"]

    def _move(self, checkout, owner, from_state, release=False, **changes):
        row = self.rows[checkout.id]
        if row["owner"] != owner or row["record"].state != from_state:
            raise LeaseLost(checkout.id)
        row["record"] = replace(row["record"], **changes)
        if release:
            row["owner"] = None
        return row["record"]

    def _maybe_crash(self, step):
        if step in self.crash_on:
            self.crash_on.discard(step)
            raise SystemExit(f"process died before recording {step}")

    def renew(self, checkout, owner):
        return self._move(checkout, owner, checkout.state)

    def mark_charged(self, checkout, owner, charge_id):
        self._maybe_crash("charged")
        return self._move(checkout, owner, saga.PENDING, state=saga.CHARGED, charge_id=charge_id)

    def mark_declined(self, checkout, owner, error):
        record = self._move(checkout, owner, saga.PENDING, release=True, state=saga.DECLINED,
                            error=error)
        self.open_carts.append(checkout.cart_id)
        return record

    def complete(self, checkout, owner, registrations):
        self._maybe_crash("completed")
        record = self._move(checkout, owner, saga.CHARGED, release=True, state=saga.COMPLETED,
                            registrations=registrations)
        self.invoices.append({"id": checkout.invoice_id, "number": len(self.invoices) + 1,
                              "amount": checkout.amount})
        return record

    def start_compensation(self, checkout, owner, error):
        return self._move(checkout, owner, saga.CHARGED, state=saga.COMPENSATING, error=error)

    def mark_failed(self, checkout, owner):
        record = self._move(checkout, owner, saga.COMPENSATING, release=True, state=saga.FAILED)
        if checkout.method == "account_credit":
            self.credits.append(checkout.amount)
        self.open_carts.append(checkout.cart_id)
        return record

    def postpone(self, checkout, owner, problem):
        row = self.rows[checkout.id]
        if row["owner"] == owner:
            row["owner"] = None
            row["attempts"] += 1

    def claim(self, checkout_id, owner, lease_expired=False):
        row = self.rows[checkout_id]
        if row["record"].done or (row["owner"] is not None and not lease_expired):
            return None
        row["owner"] = owner
        return row["record"]


class MemoryProvider:
    """Idempotent on the key, like the sandbox and real processors."""

    def __init__(self):
        self.by_key = {}
        self.down = False

    def charge(self, *, amount, currency, card_token, idempotency_key, description="",
               off_session=False):
        if self.down:
            raise ProviderUnavailable("timeout")
        if idempotency_key not in self.by_key:
            declined = card_token != "tok_ok"
            self.by_key[idempotency_key] = ("decline" if declined else "charge",
                                            f"ch_{len(self.by_key) + 1}", amount)
        kind, charge_id, charged = self.by_key[idempotency_key]
        if kind == "decline":
            raise CardDeclined()
        return Charge(charge_id, charged, currency)

    def refund(self, *, charge_id, amount, idempotency_key):
        if self.down:
            raise ProviderUnavailable("timeout")
        self.by_key.setdefault(idempotency_key, ("refund", charge_id, amount))
        return f"re_{charge_id}"

    def charges(self):
        return [v for v in self.by_key.values() if v[0] == "charge"]

    def refunds(self):
        return [v for v in self.by_key.values() if v[0] == "refund"]


class MemorySeats:
    """Registration's confirm: all or nothing, idempotent for the same invoice."""

    def __init__(self, held=("reg_1", "reg_2")):
        self.held = set(held)
        self.confirmed = {}
        self.expired = set()
        self.down = False
        self.cancelled_invoices = []

    def confirm(self, org_id, registration_ids, invoice_id):
        if self.down:
            raise StepUnavailable("registration did not answer")
        if any(r in self.expired for r in registration_ids):
            raise StepRefused({"code": "hold_expired", "message": "hold expired",
                               "details": {}})
        for r in registration_ids:
            if self.confirmed.get(r, invoice_id) != invoice_id:
                raise StepRefused({"code": "registration_not_held", "message": "no",
                                   "details": {}})
        for r in registration_ids:
            self.confirmed[r] = invoice_id
        return [{"id": r, "status": "confirmed", "invoice_id": invoice_id}
                for r in registration_ids]

    def cancel_for_invoice(self, org_id, invoice_id):
        if self.down:
            raise StepUnavailable("registration did not answer")
        self.cancelled_invoices.append(invoice_id)
        gone = [r for r, inv in self.confirmed.items() if inv == invoice_id]
        for r in gone:
            del self.confirmed[r]
        return [{"id": r} for r in gone]


def record(method="card", amount=13500, token="tok_ok", items=None):
    items = items if items is not None else [
        {"id": "itm_1", "price": 12000, "registration_id": "reg_1"},
        {"id": "itm_2", "price": 1500, "registration_id": "reg_2"}]
    state = saga.PENDING if method == "card" and amount > 0 else saga.CHARGED
    return CheckoutRecord(id="chk_1", org_id="org_1", cart_id="crt_1", account_id="acc_1",
                          invoice_id="inv_1", state=state, method=method, amount=amount,
                          currency="CAD", card_token=token, items=items)


@pytest.fixture
def world():
    store, provider, seats = MemoryStore(), MemoryProvider(), MemorySeats()
    return store, provider, seats, CheckoutSaga(store, provider, seats)


def test_a_card_checkout_charges_once_confirms_the_seats_and_issues_one_invoice(world):
    store, provider, seats, checkout_saga = world
    done = checkout_saga.drive(store.add(record(), "A"), "A")
    assert done.state == saga.COMPLETED
    assert provider.charges() == [("charge", "ch_1", 13500)]
    assert provider.by_key.keys() == {"checkout:chk_1"}
    assert seats.confirmed == {"reg_1": "inv_1", "reg_2": "inv_1"}
    assert [i["id"] for i in store.invoices] == ["inv_1"]
    assert [r["id"] for r in done.registrations] == ["reg_1", "reg_2"]


def test_a_declined_card_confirms_nothing_issues_nothing_and_reopens_the_cart(world):
    store, provider, seats, checkout_saga = world
    done = checkout_saga.drive(store.add(record(token="tok_decline"), "A"), "A")
    assert done.state == saga.DECLINED
    assert done.error["code"] == "payment_declined"
    assert seats.confirmed == {} and store.invoices == []
    assert seats.held == {"reg_1", "reg_2"}  # R6.2: the holds stay
    assert store.open_carts == ["crt_1"]
    assert isinstance(saga.outcome_error(done), CardPaymentDeclined)


def test_cash_goes_straight_to_the_seats(world):
    store, provider, seats, checkout_saga = world
    done = checkout_saga.drive(store.add(record(method="cash", token=None), "A"), "A")
    assert done.state == saga.COMPLETED and provider.by_key == {}


def test_an_expired_hold_after_the_charge_refunds_it_and_leaves_no_invoice(world):
    store, provider, seats, checkout_saga = world
    seats.expired.add("reg_2")
    done = checkout_saga.drive(store.add(record(), "A"), "A")
    assert done.state == saga.FAILED
    assert provider.refunds() == [("refund", "ch_1", 13500)]
    assert seats.confirmed == {} and store.invoices == []
    assert seats.cancelled_invoices == ["inv_1"]
    assert store.open_carts == ["crt_1"]
    error = saga.outcome_error(done)
    assert isinstance(error, CheckoutHoldExpired) and error.code == "hold_expired"


def test_credit_debited_for_an_undone_checkout_is_given_back(world):
    store, provider, seats, checkout_saga = world
    seats.expired.add("reg_1")
    done = checkout_saga.drive(store.add(record(method="account_credit", token=None), "A"),
                               "A")
    assert done.state == saga.FAILED and store.credits == [13500]
    assert provider.by_key == {}


def test_other_refusals_keep_their_code(world):
    store, provider, seats, checkout_saga = world
    seats.confirmed["reg_1"] = "inv_other"
    done = checkout_saga.drive(store.add(record(), "A"), "A")
    error = saga.outcome_error(done)
    assert isinstance(error, CheckoutRefused) and error.code == "registration_not_held"
    assert seats.confirmed == {"reg_1": "inv_other"}  # not ours: left alone


def test_registration_not_answering_postpones_and_a_later_driver_completes_it(world):
    store, provider, seats, checkout_saga = world
    seats.down = True
    with pytest.raises(Postponed):
        checkout_saga.drive(store.add(record(), "A"), "A")
    assert store.current("chk_1").state == saga.CHARGED
    assert store.invoices == [] and seats.confirmed == {}

    seats.down = False
    resumed = store.claim("chk_1", "recovery")
    done = checkout_saga.drive(resumed, "recovery")
    assert done.state == saga.COMPLETED
    assert len(provider.charges()) == 1 and provider.refunds() == []
    assert [i["id"] for i in store.invoices] == ["inv_1"]


def test_a_crash_after_the_charge_is_resumed_without_charging_twice(world):
    store, provider, seats, checkout_saga = world
    store.crash_on.add("charged")
    with pytest.raises(SystemExit):
        checkout_saga.drive(store.add(record(), "A"), "A")
    assert store.current("chk_1").state == saga.PENDING  # the charge was not recorded
    resumed = store.claim("chk_1", "recovery", lease_expired=True)
    done = checkout_saga.drive(resumed, "recovery")
    assert done.state == saga.COMPLETED
    assert provider.charges() == [("charge", "ch_1", 13500)]
    assert done.charge_id == "ch_1"


def test_a_crash_after_confirming_is_resumed_to_one_invoice(world):
    store, provider, seats, checkout_saga = world
    store.crash_on.add("completed")
    with pytest.raises(SystemExit):
        checkout_saga.drive(store.add(record(), "A"), "A")
    assert seats.confirmed == {"reg_1": "inv_1", "reg_2": "inv_1"} and store.invoices == []
    done = checkout_saga.drive(store.claim("chk_1", "recovery", lease_expired=True),
                               "recovery")
    assert done.state == saga.COMPLETED
    assert [i["id"] for i in store.invoices] == ["inv_1"]
    assert len(provider.charges()) == 1


def test_undo_waits_for_the_provider_and_is_finished_later(world):
    store, provider, seats, checkout_saga = world
    seats.expired.add("reg_1")
    store.add(record(), "A")
    checkout = checkout_saga._charge(store.current("chk_1"), "A")
    provider.down = True
    with pytest.raises(Postponed):
        checkout_saga.drive(checkout, "A")
    assert store.current("chk_1").state == saga.COMPENSATING
    provider.down = False
    done = checkout_saga.drive(store.claim("chk_1", "recovery"), "recovery")
    assert done.state == saga.FAILED and provider.refunds() == [("refund", "ch_1", 13500)]


def test_a_driver_that_lost_its_lease_cannot_move_the_checkout(world):
    store, provider, seats, checkout_saga = world
    store.add(record(), "A")
    store.claim("chk_1", "B", lease_expired=True)
    with pytest.raises(LeaseLost):
        checkout_saga.drive(store.current("chk_1"), "A")
    assert store.current("chk_1").state == saga.PENDING


def test_a_checkout_without_seats_needs_no_confirmation(world):
    store, provider, seats, checkout_saga = world
    done = checkout_saga.drive(store.add(record(items=[{"id": "itm_1", "price": 13500}]), "A"),
                               "A")
    assert done.state == saga.COMPLETED and seats.confirmed == {}


def test_retry_delays_grow_and_stay_bounded():
    delays = [saga.retry_delay_seconds(n) for n in range(1, 10)]
    assert delays == sorted(delays) and delays[0] == 1 and max(delays) == 10
