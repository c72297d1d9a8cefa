"""Billing: invoice lines and payments of a checkout (R6.1), and what a cancelled
registration gives back as account credit (R3.5, R6.5)."""
from types import SimpleNamespace

from services.billing.domain import credit, invoice
from services.billing.domain.payment import PaymentPlan

ITEMS = [
    {"id": "itm_1", "type": "session", "price": 12000, "description": "Swim — winter session",
     "accounting_code": "4100", "member_id": "mem_1", "registration_id": "reg_1",
     "reference": {"activity_id": "act_1"}},
    {"id": "itm_2", "type": "a_la_carte", "price": 1500, "description": "Swim — 2027-01-12",
     "accounting_code": "4110", "member_id": "mem_2", "registration_id": "reg_2",
     "reference": {"occurrence_id": "occ_1"}},
]


def test_one_line_per_item_with_code_and_how_it_was_paid():
    lines = invoice.lines_for(ITEMS, PaymentPlan("card", 13500, "tok_ok"))
    assert [(l["position"], l["type"], l["amount"], l["accounting_code"]) for l in lines] == \
        [(1, "session", 12000, "4100"), (2, "a_la_carte", 1500, "4110")]
    assert all(l["paid_with"] == "money" and l["payment_method"] == "card" for l in lines)
    assert [l["registration_id"] for l in lines] == ["reg_1", "reg_2"]
    assert lines[0]["description"] == "Swim — winter session"
    assert invoice.total_of(lines) == 13500


def test_a_payment_records_the_money_and_none_for_a_zero_total():
    assert invoice.payments_for(PaymentPlan("card", 13500, "tok_ok"), "ch_1") == \
        [{"method": "card", "amount": 13500, "charge_id": "ch_1"}]
    assert invoice.payments_for(PaymentPlan("cash", 0), None) == []


def paid(status="paid", void_requested_at=None):
    return SimpleNamespace(status=status, void_requested_at=void_requested_at)


def test_cancellation_credit_never_exceeds_the_line_and_needs_a_paid_invoice():
    line = SimpleNamespace(amount=1500)
    assert invoice.credit_for_cancellation(paid(), line, 1500) == 1500
    assert invoice.credit_for_cancellation(paid(), line, 9999) == 1500
    assert invoice.credit_for_cancellation(paid(), line, 0) == 0
    assert invoice.credit_for_cancellation(None, line, 1500) == 0        # never issued
    assert invoice.credit_for_cancellation(paid(), None, 1500) == 0      # not on it
    assert invoice.credit_for_cancellation(paid("void"), line, 1500) == 0
    assert invoice.credit_for_cancellation(paid(void_requested_at="now"), line, 1500) == 0


def test_credit_ledger_entries_add_up_and_refuse_non_positive_amounts():
    entries = [credit.credit(1500, credit.CANCELLATION, "reg_1"),
               credit.debit(1000, credit.CHECKOUT, "chk_1")]
    assert credit.balance_of(entries) == 500
    assert credit.covers(500, 500) and not credit.covers(500, 501)
    for bad in (0, -5, 1.5, True):
        try:
            credit.credit(bad, credit.CANCELLATION, "x")
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")
