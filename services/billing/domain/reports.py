"""The reports an accountant closes the month with (R6.6): sales detail, sales summary and
payments by accounting code, over a range of the org's local time.

Plain functions over plain values (invoices, lines, payments and refunds as dicts), so the
rules below are tested without a database (tests/domain/test_billing_reports.py).

Range: ``from`` inclusive, ``to`` exclusive (docs/http-api.md conventions), each a date (local
midnight in the org's timezone) or an RFC 3339 date-time; a whole month is
``from=2026-03-01&to=2026-04-01``. Dates shown are local dates in the org's timezone.

Sales detail: every line of every invoice *issued* in the range, dated by the invoice
(``entry: sale``). A voided invoice keeps its lines on the date it was issued, and its
void appears as the same lines with negative amounts (``entry: void``) on the date it was
voided: a sale and its void in the same range cancel out, a void in a later month
reverses that month, and nothing already reported ever changes.

Sales summary: the detail grouped by (type, item): ``quantity`` is the number of lines
(a void line counts -1) and ``amount`` their sum; ``total`` is the sum of the detail.

Payments by accounting code: each payment of an invoice issued in the range (a payment is
taken in the invoice's transaction, so it is dated by the invoice) and each refund made in
the range (dated when it was made) is allocated to the accounting codes of the invoice's
lines paid in money, pro rata by line amount (:func:`allocate_to_lines`). A void moves no
money, so it changes nothing here; a refund does. ``net = payments - refunds`` per code;
the totals are the sums of the payments and refunds themselves.

Rounding (deterministic, no cent lost): a payment of ``P`` over money lines with amounts
``a_i`` (sum ``A``) gives line ``i`` the floor of ``P * a_i / A``; the cents left over go
one each to the lines with the largest remainders ``P * a_i mod A``, the earlier line
(by position) first on a tie. The allocations therefore add up exactly to ``P``.
"""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.clock import ensure_utc
from services.common.money import allocate
from services.common.timeutil import parse_bound

from ..contract.errors import InvalidBillingInput
from .taxes import gross_of, sum_by_code

SALE = "sale"
VOID = "void"
MAX_DAYS = 366
MONEY = "money"

# The id of what a line sells, per line type (from the line's ``reference``).
ITEM_KEYS = {
    "session": "activity_id", "a_la_carte": "activity_id", "pass": "pass_type_id",
    "bundle": "bundle_type_id", "membership": "membership_type_id",
    "subscription": "plan_id", "appointment": "service_id",
}

from ..contract.vocabulary import DETAIL_COLUMNS, PAYMENTS_COLUMNS, SUMMARY_COLUMNS  # noqa: F401,E501

_DATE_SUFFIX = re.compile(r"\s\(\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?\)$")


# -- the range ----------------------------------------------------------------------------------
def period(from_text: str, to_text: str, tz_name: str):
    """``(start, end)`` in UTC of ``[from, to)`` read in the org's timezone, or
    ``validation_error`` naming the field."""
    tz = ZoneInfo(tz_name)
    bounds = {}
    for name, text in (("from", from_text), ("to", to_text)):
        try:
            bounds[name] = parse_bound(text or "", tz)
        except (ValueError, TypeError):
            raise InvalidBillingInput("the request is not valid", {
                name: ["a date (YYYY-MM-DD, in the org's timezone) or an RFC 3339 date-time"]})
    start, end = bounds["from"], bounds["to"]
    if end <= start:
        raise InvalidBillingInput("the request is not valid", {"to": ["must be after from"]})
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidBillingInput("the request is not valid", {
            "to": [f"at most {MAX_DAYS} days after from"]})
    return start, end


def local_date(at: datetime, tz_name: str) -> str:
    return ensure_utc(at).astimezone(ZoneInfo(tz_name)).date().isoformat()


def within(at, start, end) -> bool:
    return at is not None and start <= ensure_utc(at) < end


# -- sales detail -----------------------------------------------------------------------------
def paid_with_of(line: dict) -> str:
    """How a line was paid, for an accountant: the payment method of a line paid in money
    (``cash``, ``card``, ``account_credit``), else ``pass``, ``bundle``, ``subscription``."""
    if line["paid_with"] == MONEY:
        return line.get("payment_method") or MONEY
    return line["paid_with"]


def item_id_of(line: dict):
    key = ITEM_KEYS.get(line["type"])
    return (line.get("reference") or {}).get(key) if key else None


def sales_detail(invoices, start, end, tz_name):
    """The detail rows of ``invoices`` (dicts with ``issued_at``, ``voided_at``,
    ``status``, ``lines``) in ``[start, end)``, ordered by time, invoice number, entry
    (sale first) and line position."""
    rows = []
    for invoice in invoices:
        entries = []
        if within(invoice["issued_at"], start, end):
            entries.append((SALE, invoice["issued_at"], 1))
        if invoice["status"] == VOID and within(invoice.get("voided_at"), start, end):
            entries.append((VOID, invoice["voided_at"], -1))
        for entry, at, sign in entries:
            for line in sorted(invoice["lines"], key=lambda l: l["position"]):
                rows.append((ensure_utc(at), invoice["number"], entry == VOID, line["position"], {
                    "date": local_date(at, tz_name),
                    "invoice_number": invoice["number"],
                    "account_id": invoice["account_id"],
                    "member_id": line.get("member_id"),
                    "description": line["description"],
                    "type": line["type"],
                    "amount": sign * line["amount"],
                    "paid_with": paid_with_of(line),
                    "accounting_code": line.get("accounting_code"),
                    "entry": entry,
                    "item_id": item_id_of(line),
                    "invoice_id": invoice["id"],
                    # R7.2: the line's net and taxes (negative on a void line)
                    "net": sign * line.get("net", line["amount"]),
                    "tax": sign * sum(t["amount"] for t in line.get("taxes") or []),
                    "taxes": [{"code": t["code"], "amount": sign * t["amount"]}
                              for t in line.get("taxes") or []],
                }))
    rows.sort(key=lambda r: r[:4])
    return [r[4] for r in rows]


# -- sales summary ----------------------------------------------------------------------------
def item_description(description: str) -> str:
    """A line's description without the occurrence's or period's date it may end with
    (``Yoga (2026-03-04 10:00)`` → ``Yoga``), so that one item has one description."""
    return _DATE_SUFFIX.sub("", description or "")


def sales_summary(detail_rows):
    """Totals per (type, item) of the detail rows: quantity (void lines count -1) and
    amount; the description is the item's first line's, without a trailing date. Items
    without an id are told apart by description. Ordered by type, then description."""
    groups = {}
    for row in detail_rows:
        description = item_description(row["description"])
        key = (row["type"], row["item_id"] or "", "" if row["item_id"] else description)
        group = groups.setdefault(key, {"type": row["type"], "item_id": row["item_id"],
                                        "description": description, "quantity": 0,
                                        "amount": 0, "tax": 0})
        group["quantity"] += -1 if row["entry"] == VOID else 1
        group["amount"] += row["amount"]
        group["tax"] += row.get("tax", 0)
    items = sorted(groups.values(), key=lambda g: (g["type"], g["description"],
                                                   g["item_id"] or ""))
    return {"items": items, "total": sum(row["amount"] for row in detail_rows),
            "taxes": sum_by_code(row.get("taxes") for row in detail_rows)}


# -- payments by accounting code --------------------------------------------------------------
def allocate_to_lines(amount: int, lines):
    """``[(accounting_code, share)]`` of ``amount`` over an invoice's lines: pro rata by
    amount over the lines paid in money (largest remainder, earlier line first on a tie;
    the shares add up to ``amount``). An invoice with no money line of positive amount
    (not expected) puts it all on the code of its first line."""
    lines = sorted(lines, key=lambda l: l["position"])
    money = [l for l in lines if l["paid_with"] == MONEY and l["amount"] > 0]
    if not money:
        return [(lines[0].get("accounting_code") if lines else None, amount)]
    # by what the client paid for each line, taxes included (R7.2)
    shares = allocate(amount, [gross_of(l) for l in money])
    return [(l.get("accounting_code"), share) for l, share in zip(money, shares)]


def payments_by_accounting_code(invoices, refunds, start, end):
    """Rows ``{accounting_code, payments, refunds, net}`` and ``total`` of the same.

    ``invoices``: every invoice that has a payment or refund to report (dicts with
    ``id``, ``issued_at``, ``lines``, ``payments``); ``refunds``: dicts with
    ``invoice_id``, ``amount``, ``created_at`` (completed refunds)."""
    by_id = {invoice["id"]: invoice for invoice in invoices}
    codes = {}

    def add(code, column, value):
        row = codes.setdefault(code, {"accounting_code": code, "payments": 0, "refunds": 0,
                                      "net": 0})
        row[column] += value
        row["net"] += value if column == "payments" else -value

    total_payments = total_refunds = 0
    for invoice in invoices:
        if not within(invoice["issued_at"], start, end):
            continue
        for payment in invoice["payments"]:
            if payment["amount"] <= 0:
                continue
            total_payments += payment["amount"]
            for code, share in allocate_to_lines(payment["amount"], invoice["lines"]):
                add(code, "payments", share)
    for refund in refunds:
        if not within(refund["created_at"], start, end):
            continue
        total_refunds += refund["amount"]
        for code, share in allocate_to_lines(refund["amount"],
                                             by_id[refund["invoice_id"]]["lines"]):
            add(code, "refunds", share)
    items = sorted(codes.values(), key=lambda r: (r["accounting_code"] is None,
                                                  r["accounting_code"] or ""))
    return {"items": items, "total": {"payments": total_payments, "refunds": total_refunds,
                                      "net": total_payments - total_refunds}}


# -- taxes (R7.2) -------------------------------------------------------------------------------
def tax_report(invoices, refunds, credits, start, end, org_taxes=()):
    """Per tax code: ``collected`` (taxes of the invoices issued in the range),
    ``refunded`` (taxes given back in the range: refunds completed in it, each with the
    taxes it reverses; voids in it, reversing what refunds and credits of the invoice had
    not already given back; cancellation credits in it) and ``net``; plus ``total``.

    ``invoices``: dicts with ``id``, ``issued_at``, ``voided_at``, ``status``, ``taxes``
    (every invoice issued or voided in the range); ``refunds``: completed refunds with
    ``invoice_id``, ``created_at`` (their completion), ``taxes``; ``credits``: cancellation
    credits with ``invoice_id``, ``created_at``, ``taxes``; both lists also hold those of
    the voided invoices outside the range (a void reverses only what they did not).
    ``org_taxes``: the org's taxes now (names and rates, and their order)."""
    rows = {}
    for tax in org_taxes:
        rows[tax["code"]] = {"code": tax["code"], "name": tax.get("name"),
                             "rate": tax.get("rate"), "collected": 0, "refunded": 0,
                             "voided": 0}

    def add(code, column, amount):
        row = rows.setdefault(code, {"code": code, "name": None, "rate": None,
                                     "collected": 0, "refunded": 0, "voided": 0})
        row[column] += amount

    given_back = {}  # invoice id -> {code: taxes given back by refunds and credits}
    for entry in list(refunds) + list(credits):
        per_code = given_back.setdefault(entry["invoice_id"], {})
        for tax in entry.get("taxes") or []:
            per_code[tax["code"]] = per_code.get(tax["code"], 0) + tax["amount"]
        if within(entry["created_at"], start, end):
            for tax in entry.get("taxes") or []:
                add(tax["code"], "refunded", tax["amount"])
    for invoice in invoices:
        taxes = invoice.get("taxes") or []
        if within(invoice["issued_at"], start, end):
            for tax in taxes:
                add(tax["code"], "collected", tax["amount"])
        if invoice["status"] == VOID and within(invoice.get("voided_at"), start, end):
            before = given_back.get(invoice["id"], {})
            for tax in taxes:
                reversed_ = max(0, tax["amount"] - before.get(tax["code"], 0))
                add(tax["code"], "refunded", reversed_)
                add(tax["code"], "voided", reversed_)
    items = []
    for row in rows.values():
        row["net"] = row["collected"] - row["refunded"]
        items.append(row)
    total = {name: sum(r[name] for r in items) for name in ("collected", "refunded", "net")}
    return {"items": items, "total": total}
