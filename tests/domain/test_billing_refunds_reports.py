"""Billing: refund limits (R6.5) and the reports' rules (R6.6): the range read in the
org's timezone, void lines, summary totals, and the allocation of payments and refunds to
accounting codes with a rounding rule that loses no cent."""
from datetime import datetime, timezone

import pytest

from services.billing.domain import refunds, reports
from services.billing.domain.refunds import PaymentView
from services.billing.contract.errors import InvalidBillingInput, RefundExceedsPaid

CARD = PaymentView("pay_1", "card", 5000, "ch_1")
CASH = PaymentView("pay_2", "cash", 3000)
CREDIT = PaymentView("pay_3", "account_credit", 2000)
TZ = "America/Montreal"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# -- refunds ----------------------------------------------------------------------------------
def test_a_card_payment_is_refunded_through_the_provider_and_partial_refunds_add_up():
    plan = refunds.plan_refund(2000, "original", [CARD], {})
    assert (plan.method, plan.charge_id, plan.payment_id, plan.through_provider) == \
        ("card", "ch_1", "pay_1", True)
    assert refunds.plan_refund(3000, "original", [CARD], {"pay_1": 2000}).amount == 3000
    with pytest.raises(RefundExceedsPaid) as refused:
        refunds.plan_refund(1, "original", [CARD], {"pay_1": 5000})
    assert refused.value.code == "refund_exceeds_paid"
    assert refused.value.details == {"amount": 1, "paid": 5000, "refunded": 5000,
                                     "refundable": 0}


def test_never_more_than_was_paid_whatever_the_destination():
    for to in ("original", "account_credit"):
        with pytest.raises(RefundExceedsPaid):
            refunds.plan_refund(5001, to, [CARD], {})
        with pytest.raises(RefundExceedsPaid):
            refunds.plan_refund(2001, to, [CARD], {"pay_1": 3000})
    with pytest.raises(RefundExceedsPaid):  # nothing was paid (a 0.00 invoice)
        refunds.plan_refund(1, "account_credit", [], {})


def test_where_the_money_goes_back():
    assert refunds.plan_refund(100, "original", [CASH], {}).method == "cash"
    assert refunds.plan_refund(100, "original", [CREDIT], {}).credits_account
    to_credit = refunds.plan_refund(100, "account_credit", [CARD], {})
    assert (to_credit.method, to_credit.charge_id, to_credit.through_provider) == \
        ("account_credit", None, False)


def test_a_refund_is_a_positive_amount_to_a_known_destination():
    with pytest.raises(ValueError):
        refunds.plan_refund(0, "original", [CARD], {})
    with pytest.raises(ValueError):
        refunds.plan_refund(100, "elsewhere", [CARD], {})
    assert refunds.refundable([CARD, CASH], {"pay_1": 1000}) == 7000
    assert refunds.provider_key("rfd_1") == "refund:rfd_1"


# -- the range --------------------------------------------------------------------------------
def test_dates_are_read_in_the_orgs_timezone_from_inclusive_to_exclusive():
    start, end = reports.period("2026-01-01", "2026-02-01", TZ)
    assert (start, end) == (utc(2026, 1, 1, 5), utc(2026, 2, 1, 5))
    late_on_the_31st = utc(2026, 2, 1, 4, 30)  # 23:30 on January 31st in Montreal
    assert reports.within(late_on_the_31st, start, end)
    assert reports.local_date(late_on_the_31st, TZ) == "2026-01-31"
    assert not reports.within(end, start, end)
    assert reports.period("2026-07-01T00:00:00+00:00", "2026-07-02", TZ)[0] == \
        utc(2026, 7, 1)


@pytest.mark.parametrize("bounds,field", [
    (("2026-13-01", "2026-02-01"), "from"), (("2026-01-01", "soon"), "to"),
    (("2026-02-01", "2026-02-01"), "to"), (("2025-01-01", "2026-02-01"), "to")])
def test_a_bad_range_is_a_validation_error_naming_the_field(bounds, field):
    with pytest.raises(InvalidBillingInput) as refused:
        reports.period(*bounds, TZ)
    assert field in refused.value.details


# -- sales detail and summary -----------------------------------------------------------------
def line(position, type_, amount, code, paid_with="money", method="card", **reference):
    return {"position": position, "type": type_, "description": f"{type_} {position}",
            "amount": amount, "accounting_code": code, "paid_with": paid_with,
            "payment_method": method if paid_with == "money" else None,
            "member_id": "mem_1", "reference": reference}


def invoice(number, issued_at, lines, payments=(), status="paid", voided_at=None):
    return {"id": f"inv_{number}", "number": number, "account_id": "acc_1", "status": status,
            "issued_at": issued_at, "voided_at": voided_at, "lines": lines,
            "payments": [{"id": f"pay_{number}_{i}", "method": "card", "amount": a}
                         for i, a in enumerate(payments)]}


JAN = reports.period("2026-01-01", "2026-02-01", TZ)
FEB = reports.period("2026-02-01", "2026-03-01", TZ)


def test_a_void_keeps_the_sale_on_its_date_and_reverses_it_on_the_void_date():
    sold = invoice(1, utc(2026, 1, 10, 15), [line(1, "pass", 5000, "4900",
                                                  pass_type_id="pty_1")],
                   payments=[5000], status="void", voided_at=utc(2026, 2, 3, 15))
    january = reports.sales_detail([sold], *JAN, TZ)
    assert [(r["date"], r["entry"], r["amount"], r["item_id"]) for r in january] == \
        [("2026-01-10", "sale", 5000, "pty_1")]
    february = reports.sales_detail([sold], *FEB, TZ)
    assert [(r["date"], r["entry"], r["amount"]) for r in february] == \
        [("2026-02-03", "void", -5000)]
    both = reports.sales_detail([sold], JAN[0], FEB[1], TZ)
    summary = reports.sales_summary(both)
    assert summary["total"] == 0
    assert [(i["type"], i["quantity"], i["amount"]) for i in summary["items"]] == \
        [("pass", 0, 0)]


def test_the_summary_groups_per_type_and_item_and_its_total_is_the_detail_sum():
    seat_a = line(1, "a_la_carte", 1200, "4200", activity_id="act_1")
    seat_a["description"] = "Yoga (2026-01-12 10:00)"
    seat_b = line(2, "a_la_carte", 1200, "4200", activity_id="act_1")
    seat_b["description"] = "Yoga (2026-01-19 10:00)"
    by_pass = line(3, "a_la_carte", 0, "4200", paid_with="pass", activity_id="act_1")
    membership = line(4, "membership", 2500, "4400", membership_type_id="mty_1")
    detail = reports.sales_detail([invoice(7, utc(2026, 1, 5, 15),
                                           [seat_a, seat_b, by_pass, membership],
                                           payments=[4900])], *JAN, TZ)
    assert [r["paid_with"] for r in detail] == ["card", "card", "pass", "card"]
    summary = reports.sales_summary(detail)
    assert [(i["type"], i["item_id"], i["description"], i["quantity"], i["amount"])
            for i in summary["items"]] == [
        ("a_la_carte", "act_1", "Yoga", 3, 2400),
        ("membership", "mty_1", "membership 4", 1, 2500)]
    assert summary["total"] == sum(r["amount"] for r in detail) == 4900


# -- allocation to accounting codes -----------------------------------------------------------
def test_a_payment_is_allocated_pro_rata_to_the_money_lines_and_no_cent_is_lost():
    lines = [line(1, "a_la_carte", 1000, "A"), line(2, "a_la_carte", 1000, "B"),
             line(3, "a_la_carte", 1000, "C"), line(4, "a_la_carte", 0, "D", paid_with="pass")]
    # 100 over three equal lines: 33 each, the cent left goes to the earliest line
    assert reports.allocate_to_lines(100, lines) == [("A", 34), ("B", 33), ("C", 33)]
    # the largest remainder first: 1000 * 700/1000 = 700, 1000 * 299/1000 = 299, 1/1000 …
    uneven = [line(1, "pass", 700, "A"), line(2, "pass", 299, "B"), line(3, "pass", 1, "C")]
    assert reports.allocate_to_lines(333, uneven) == [("A", 233), ("B", 100), ("C", 0)]
    for amount in (1, 7, 99, 333, 1001, 5000):
        assert sum(s for _, s in reports.allocate_to_lines(amount, uneven)) == amount


def test_payments_minus_refunds_per_code_add_up_to_the_money_received():
    paid = invoice(1, utc(2026, 1, 10, 15), [line(1, "pass", 5000, "4900"),
                                             line(2, "a_la_carte", 1200, "4200"),
                                             line(3, "a_la_carte", 0, "4200",
                                                  paid_with="pass")], payments=[6200])
    earlier = invoice(2, utc(2025, 12, 30, 15), [line(1, "membership", 2500, "4400")],
                      payments=[2500])
    refunds_ = [{"invoice_id": "inv_1", "amount": 1001, "created_at": utc(2026, 1, 20)},
                {"invoice_id": "inv_2", "amount": 500, "created_at": utc(2026, 1, 21)},
                {"invoice_id": "inv_2", "amount": 700, "created_at": utc(2026, 2, 21)}]
    report = reports.payments_by_accounting_code([paid, earlier], refunds_, *JAN)
    rows = {r["accounting_code"]: r for r in report["items"]}
    assert report["total"] == {"payments": 6200, "refunds": 1501, "net": 4699}
    assert sum(r["payments"] for r in rows.values()) == 6200
    assert sum(r["refunds"] for r in rows.values()) == 1501
    assert sum(r["net"] for r in rows.values()) == 4699
    # 1001 over 5000 and 1200: 807.25… and 193.74… -> 807 + 194 (the larger remainder)
    assert (rows["4900"]["refunds"], rows["4200"]["refunds"]) == (807, 194)
    assert rows["4400"] == {"accounting_code": "4400", "payments": 0, "refunds": 500,
                            "net": -500}
