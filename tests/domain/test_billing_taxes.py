"""R7.2: taxes per line and per invoice, the rounding rule (docs/taxes.md), refunds."""
from decimal import Decimal

import pytest

from services.billing.domain.taxes import (Tax, applicable, invoice_totals, parse_rate,
                                           rate_text, refund_taxes, tax_line, taxes_of)

def amounts(taxes):
    return [{"code": t["code"], "amount": t["amount"]} for t in taxes]


QUEBEC = [Tax("GST", Decimal("5"), "TPS"), Tax("QST", Decimal("9.975"), "TVQ")]
LUXEMBOURG = [Tax("VAT", Decimal("17"), "TVA")]


def test_quebec_tax_excluded_per_line_half_up():
    seat = tax_line(1500, QUEBEC, prices_include_tax=False)
    card = tax_line(6000, QUEBEC, prices_include_tax=False)
    assert (seat["net"], seat["gross"]) == (1500, 1725)
    assert seat["taxes"] == [{"code": "GST", "amount": 75, "rate": "5"},
                             {"code": "QST", "amount": 150, "rate": "9.975"}]
    # 60.00 × 9.975 % = 5.985 → 5.99 (half up)
    assert amounts(card["taxes"]) == [{"code": "GST", "amount": 300},
                                      {"code": "QST", "amount": 599}]
    totals = invoice_totals([seat, card])
    assert (totals["subtotal"], totals["total"]) == (7500, 8624)
    assert totals["taxes"] == [{"code": "GST", "amount": 375, "rate": "5"},
                               {"code": "QST", "amount": 749, "rate": "9.975"}]


def test_luxembourg_vat_included_55_is_47_01_plus_7_99():
    line = tax_line(5500, LUXEMBOURG, prices_include_tax=True)
    assert (line["amount"], line["net"], line["gross"]) == (5500, 4701, 5500)
    assert amounts(line["taxes"]) == [{"code": "VAT", "amount": 799}]


def test_included_split_between_two_taxes_loses_no_cent():
    for amount in (1, 99, 1000, 1725, 12345, 99999):
        line = tax_line(amount, QUEBEC, prices_include_tax=True)
        assert line["net"] + sum(t["amount"] for t in line["taxes"]) == amount
        assert line["gross"] == amount


def test_zero_amount_and_exempt_lines_carry_no_tax():
    assert tax_line(0, QUEBEC, False)["taxes"] == []
    assert tax_line(1500, [], False) == {"amount": 1500, "net": 1500, "gross": 1500,
                                         "taxes": []}


def test_item_tax_codes_default_to_all_and_empty_is_exempt():
    assert applicable(QUEBEC, None) == QUEBEC
    assert applicable(QUEBEC, []) == []
    assert applicable(QUEBEC, ["QST", "GONE"]) == [QUEBEC[1]]


def test_rates_are_exact_decimal_strings():
    assert parse_rate("9.975") == Decimal("9.975")
    assert rate_text(parse_rate("5.000")) == "5"
    assert rate_text(parse_rate("9.9750")) == "9.975"
    for bad in (9.975, "abc", "-1", "101", "1.0000001", "NaN"):
        with pytest.raises(ValueError):
            parse_rate(bad)
    assert taxes_of([{"code": "GST", "rate": "5", "name": "TPS"}])[0].rate == Decimal(5)


def test_partial_refunds_reverse_taxes_in_proportion_and_add_up():
    taxes = [{"code": "GST", "amount": 375}, {"code": "QST", "amount": 749}]
    half = refund_taxes(taxes, 8624, 0, 4312)
    assert half == [{"code": "GST", "amount": 188}, {"code": "QST", "amount": 375}]
    parts, before = [], 0
    for amount in (1000, 3, 2500, 8624 - 3503):
        parts.append(refund_taxes(taxes, 8624, before, amount))
        before += amount
    for index, code in enumerate(("GST", "QST")):
        assert sum(p[index]["amount"] for p in parts) == taxes[index]["amount"]
    assert refund_taxes([], 8624, 0, 100) == []
