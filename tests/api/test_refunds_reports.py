"""Refunds, account credit and the month-end reports over HTTP with every service running
(docs/http-api.md "Billing" and "Reports"; R3.5, R3.8, R6.5, R6.6).

The reconciliation a month-end close relies on: the sales detail adds up to the sales
summary, payments minus refunds by accounting code add up to the money received, the CSV
says what the JSON says, and the range is read in the org's timezone."""
import csv
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.common.money import to_major
from tests.api import test_checkout_support as shop
from tests.support.client import error_of

TZ = "America/Montreal"


class Desk:
    """An org with an admin, a staff member, and helpers to sell and refund."""

    def __init__(self, org, api):
        self.org, self.api, self.admin = org, api, org.admin
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Desk"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])

    def path(self, suffix):
        return self.org.path(suffix)

    def customer(self, members=1):
        email = f"{uuid.uuid4().hex[:10]}@example.org"
        account = self.api.ok("POST", self.path("/accounts"), json={
            "email": email, "password": "correct horse battery", "name": "Tremblay",
            "members": [{"first_name": f"Léa{i}", "last_name": "Tremblay",
                         "birth_date": "1990-04-05"} for i in range(members)]})
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": email,
            "password": "correct horse battery"})["token"]
        return account, self.api.with_token(token)

    def membership_type(self, price=2500, code="4400"):
        return self.admin.ok("POST", self.path("/membership-types"), json={
            "name": f"Membre {uuid.uuid4().hex[:4]}", "price": price, "duration_days": 365,
            "accounting_code": code})

    def sell(self, account, items, method="card", client=None):
        """A cart of ``items`` for the account, checked out; returns the invoice."""
        client = client or self.staff
        cart = client.ok("POST", self.path("/carts"), json={"account_id": account["id"]})
        for item in items:
            client.ok("POST", self.path(f"/carts/{cart['id']}/items"), json=item, expect=201)
        payment = {"method": method}
        if method == "card":
            payment["card_token"] = "tok_ok"
        return client.ok("POST", self.path(f"/carts/{cart['id']}/checkout"),
                         json={"payment": payment},
                         headers={"Idempotency-Key": uuid.uuid4().hex})["invoice"]

    def refund(self, invoice, amount, to="original", client=None, key=None):
        return (client or self.staff).post(
            self.path(f"/invoices/{invoice['id']}/refunds"), json={"amount": amount, "to": to},
            headers={"Idempotency-Key": key or uuid.uuid4().hex})

    def report(self, name, start, end, fmt=None):
        params = {"from": start, "to": end, **({"format": fmt} if fmt else {})}
        response = self.staff.get(self.path(f"/reports/{name}"), params=params)
        assert response.status_code == 200, response.text
        if fmt == "csv":
            assert response.headers["Content-Type"].startswith("text/csv")
            return list(csv.DictReader(io.StringIO(response.text)))
        return response.json()


@pytest.fixture
def desk(new_org, api):
    return Desk(new_org(timezone=TZ), api)


# -- R6.5: refunds ----------------------------------------------------------------------------
def test_a_card_payment_is_refunded_in_parts_to_the_card_and_to_credit_never_beyond(desk):
    account, client = desk.customer()
    member = account["members"][0]
    kind = desk.membership_type(price=2500)
    invoice = desk.sell(account, [{"type": "membership", "member_id": member["id"],
                                   "membership_type_id": kind["id"]}])
    assert [(p["method"], p["amount"]) for p in invoice["payments"]] == [("card", 2500)]

    key = uuid.uuid4().hex
    first = desk.refund(invoice, 1000, "original", key=key)
    assert first.status_code == 201, first.text
    refund = first.json()
    assert (refund["amount"], refund["to"], refund["method"], refund["status"]) == \
        (1000, "original", "card", "completed")
    assert refund["provider_refund_id"] and refund["invoice_id"] == invoice["id"]
    again = desk.refund(invoice, 1000, "original", key=key)  # a retry refunds nothing more
    assert (again.status_code, again.json()["id"]) == (201, refund["id"])

    to_credit = desk.refund(invoice, 1500, "account_credit")
    assert to_credit.status_code == 201, to_credit.text
    assert (to_credit.json()["method"], to_credit.json()["status"]) == \
        ("account_credit", "completed")
    credit = client.ok("GET", desk.path(f"/accounts/{account['id']}/credit"))
    assert credit["balance"] == 1500
    assert [(e["amount"], e["reason"], e["ref"]) for e in credit["entries"]] == \
        [(1500, "refund", to_credit.json()["id"])]

    refused = error_of(desk.refund(invoice, 1), 409, "refund_exceeds_paid")
    assert refused["details"]["refundable"] == 0
    listed = client.ok("GET", desk.path(f"/invoices/{invoice['id']}/refunds"))["items"]
    assert [(r["amount"], r["method"]) for r in listed] == [(1000, "card"),
                                                            (1500, "account_credit")]

    # the credit pays a later purchase (R6.2)
    paid = desk.sell(account, [{"type": "membership", "member_id": member["id"],
                                "membership_type_id": desk.membership_type(price=1500)["id"]}],
                     method="account_credit")
    assert paid["payments"][0]["method"] == "account_credit"
    assert client.ok("GET", desk.path(f"/accounts/{account['id']}/credit"))["balance"] == 0


def test_a_cash_refund_is_recorded_and_a_refund_larger_than_paid_is_409(desk):
    account, _ = desk.customer()
    invoice = desk.sell(account, [{"type": "membership", "member_id": account["members"][0]["id"],
                                   "membership_type_id": desk.membership_type(2000)["id"]}],
                        method="cash")
    error_of(desk.refund(invoice, 2001), 409, "refund_exceeds_paid")
    error_of(desk.refund(invoice, 2001, "account_credit"), 409, "refund_exceeds_paid")
    refund = desk.refund(invoice, 2000)
    assert refund.status_code == 201, refund.text
    assert (refund.json()["method"], refund.json()["status"]) == ("cash", "completed")


def test_only_staff_refund_and_the_request_is_validated(desk):
    account, client = desk.customer()
    invoice = desk.sell(account, [{"type": "membership", "member_id": account["members"][0]["id"],
                                   "membership_type_id": desk.membership_type()["id"]}])
    error_of(desk.refund(invoice, 100, client=client), 403, "forbidden")
    error_of(desk.refund(invoice, 0), 400, "validation_error")
    error_of(desk.refund(invoice, 100, to="wallet"), 400, "validation_error")
    error_of(desk.staff.post(desk.path("/invoices/inv_nope/refunds"),
                             json={"amount": 100, "to": "original"}), 404, "not_found")
    other, other_client = desk.customer()
    error_of(other_client.get(desk.path(f"/accounts/{account['id']}/credit")), 403)
    error_of(desk.staff.get(desk.path("/accounts/acc_nope/credit")), 404, "not_found")


def test_concurrent_refunds_never_exceed_what_was_paid(desk):
    account, _ = desk.customer()
    invoice = desk.sell(account, [{"type": "membership", "member_id": account["members"][0]["id"],
                                   "membership_type_id": desk.membership_type(3000)["id"]}])
    targets = ["original", "account_credit"] * 4
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        answers = list(pool.map(lambda to: desk.refund(invoice, 1000, to), targets))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 3 + [409] * 5, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "refund_exceeds_paid"
    listed = desk.staff.ok("GET", desk.path(f"/invoices/{invoice['id']}/refunds"))["items"]
    assert sum(r["amount"] for r in listed if r["status"] == "completed") == 3000
    credited = sum(r["amount"] for r in listed if r["method"] == "account_credit")
    assert desk.staff.ok("GET", desk.path(f"/accounts/{account['id']}/credit"))["balance"] \
        == credited


# -- R6.6: reconciliation -----------------------------------------------------------------------
def csv_agrees(desk, name, start, end, json_rows, money):
    rows = desk.report(name, start, end, fmt="csv")
    assert len(rows) == len(json_rows)
    for row, item in zip(rows, json_rows):
        assert row["currency"] == "CAD"
        for column, value in item.items():
            if column not in row:
                continue
            if column in money:
                assert row[column] == to_major(value, "CAD"), (column, row, item)
            else:
                expected = "" if value is None else str(value)
                assert row[column].lstrip("'") == expected, (column, row, item)
    return rows


def test_a_month_of_every_kind_of_sale_reconciles(desk):
    admin, staff = desk.admin, desk.staff
    activity, occurrence = shop.setup_activity(admin, desk.org, session_price=12000,
                                               a_la_carte_price=1500, accounting_code="4100")
    pass_type = admin.ok("POST", desk.path("/pass-types"), json={
        "name": "Carte 10", "price": 9000, "uses": 10, "valid_days": 90, "family": False,
        "eligible_activity_ids": [activity["id"]], "credit_on_cancel": True,
        "accounting_code": "4900"})
    service = admin.ok("POST", desk.path("/services"), json={
        "name": "Massage", "duration_minutes": 60, "price": 8000, "accounting_code": "4300"})
    bundle_type = admin.ok("POST", desk.path("/bundle-types"), json={
        "name": "5 massages", "accounting_code": "4310",
        "divisions": [{"name": "5", "items": [{"service_id": service["id"], "count": 5}]}]})
    membership_type = desk.membership_type(price=2500, code="4400")
    plan = admin.ok("POST", desk.path("/subscription-plans"), json={
        "name": "Illimité", "monthly_price": 4999, "activity_ids": [activity["id"]],
        "accounting_code": "4500"})
    a, _ = desk.customer(members=2)
    b, _ = desk.customer()
    ma, ma2, mb = a["members"][0]["id"], a["members"][1]["id"], b["members"][0]["id"]

    # seats (session and à la carte), a pass, a bundle, a membership, a subscription
    seats = desk.sell(a, [{"type": "session", "member_id": ma, "activity_id": activity["id"]},
                          {"type": "a_la_carte", "member_id": ma2,
                           "occurrence_id": occurrence["id"]}], method="card")
    goods = desk.sell(b, [{"type": "pass", "member_id": mb, "pass_type_id": pass_type["id"]},
                          {"type": "bundle", "member_id": mb,
                           "bundle_type_id": bundle_type["id"], "division": "5"},
                          {"type": "membership", "member_id": mb,
                           "membership_type_id": membership_type["id"]}], method="cash")
    # -- subscriptions: sold at checkout by card (R6.3); a line of type `subscription` is
    # -- just another invoice line for the reports.
    subscription = desk.sell(b, [{"type": "subscription", "member_id": mb,
                                  "plan_id": plan["id"]}], method="card")
    sold_pass = next(l for l in goods["lines"] if l["type"] == "pass")["reference"]["pass_id"]
    by_pass = desk.sell(b, [{"type": "a_la_carte", "member_id": mb,
                             "occurrence_id": occurrence["id"],
                             "pay_with": {"pass_id": sold_pass}}], method="none")
    # a partial refund of the seats, a void of the subscription's invoice, and credit spent
    refund = desk.refund(seats, 4321, "original")
    assert refund.status_code == 201, refund.text
    to_credit = desk.refund(seats, 2500, "account_credit")
    assert to_credit.status_code == 201, to_credit.text
    staff.ok("POST", desk.path(f"/invoices/{subscription['id']}/void"),
             json={"reason": "sold by mistake"}, headers={"Idempotency-Key": uuid.uuid4().hex})
    on_credit = desk.sell(a, [{"type": "membership", "member_id": ma,
                               "membership_type_id": membership_type["id"]}],
                          method="account_credit")
    error_of(desk.refund(seats, 13500 - 4321 - 2500 + 1), 409, "refund_exceeds_paid")

    invoices = [staff.ok("GET", desk.path(f"/invoices/{i['id']}"))
                for i in (seats, goods, subscription, by_pass, on_credit)]
    refunds = [r for i in invoices for r in
               staff.ok("GET", desk.path(f"/invoices/{i['id']}/refunds"))["items"]]
    money_received = sum(p["amount"] for i in invoices for p in i["payments"]) \
        - sum(r["amount"] for r in refunds if r["status"] == "completed")
    bundle_price = next(l for l in goods["lines"] if l["type"] == "bundle")["amount"]
    assert bundle_price > 0 and goods["total"] == 9000 + bundle_price + 2500
    assert money_received == 13500 + goods["total"] + 4999 + 2500 - 4321 - 2500

    today = datetime.now(ZoneInfo(TZ)).date()
    start, end = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=2)).isoformat()

    detail = desk.report("sales-detail", start, end)
    summary = desk.report("sales-summary", start, end)
    payments = desk.report("payments-by-accounting-code", start, end)

    # every line sold is in the detail, the voided invoice's lines once more, negative
    sold = [(i["number"], l["type"], l["amount"]) for i in invoices for l in i["lines"]]
    assert sorted((r["invoice_number"], r["type"], r["amount"]) for r in detail["items"]
                  if r["entry"] == "sale") == sorted(sold)
    assert [(r["invoice_number"], r["type"], r["amount"]) for r in detail["items"]
            if r["entry"] == "void"] == [(subscription["number"], "subscription", -4999)]
    assert {r["type"] for r in detail["items"]} == {
        "session", "a_la_carte", "pass", "bundle", "membership", "subscription"}
    assert {r["paid_with"] for r in detail["items"]} == {"card", "cash", "pass",
                                                        "account_credit"}
    assert all(r["date"] in (today.isoformat(), (today - timedelta(days=1)).isoformat(),
                             (today + timedelta(days=1)).isoformat())
               for r in detail["items"])

    # sum(sales detail) == sales summary total
    assert sum(r["amount"] for r in detail["items"]) == detail["total"] == summary["total"]
    assert sum(i["amount"] for i in summary["items"]) == summary["total"]
    assert summary["total"] == sum(i["total"] for i in invoices) - 4999
    per_type = {}
    for item in summary["items"]:
        per_type[item["type"]] = per_type.get(item["type"], 0) + item["quantity"]
    assert per_type == {"session": 1, "a_la_carte": 2, "pass": 1, "bundle": 1,
                        "membership": 2, "subscription": 0}

    # payments − refunds by accounting code == money received
    total = payments["total"]
    assert total["payments"] - total["refunds"] == total["net"] == money_received
    assert sum(r["payments"] for r in payments["items"]) == total["payments"]
    assert sum(r["refunds"] for r in payments["items"]) == total["refunds"] == 4321 + 2500
    assert sum(r["net"] for r in payments["items"]) == money_received
    codes = {r["accounting_code"]: r for r in payments["items"]}
    assert codes["4500"]["payments"] == 4999  # the void moved no money
    assert codes["4100"]["refunds"] == 4321 + 2500  # the seats' refunds: the seats' code
    assert codes["4900"]["payments"] == 9000 and codes["4400"]["payments"] == 5000

    # CSV and JSON agree
    csv_agrees(desk, "sales-detail", start, end, detail["items"], ("amount",))
    csv_agrees(desk, "sales-summary", start, end, summary["items"], ("amount",))
    csv_agrees(desk, "payments-by-accounting-code", start, end, payments["items"],
               ("payments", "refunds", "net"))

    # R3.8: registration counts per occurrence (the void cancelled nothing of these seats)
    counts = staff.ok("GET", desk.path("/reports/registrations"),
                      params={"activity_id": activity["id"]})
    (row,) = [o for o in counts["items"] if o["occurrence_id"] == occurrence["id"]]
    assert (row["session_count"], row["a_la_carte_count"]) == (1, 2)
    rows = list(csv.DictReader(io.StringIO(staff.get(
        desk.path("/reports/registrations"),
        params={"activity_id": activity["id"], "format": "csv"}).text)))
    assert [(r["occurrence_id"], r["session_count"], r["a_la_carte_count"]) for r in rows] \
        == [(o["occurrence_id"], str(o["session_count"]), str(o["a_la_carte_count"]))
            for o in counts["items"]]

    # an earlier month has none of it
    empty = desk.report("sales-detail", "2025-01-01", "2025-02-01")
    assert (empty["items"], empty["total"]) == ([], 0)


def test_a_sale_at_2330_local_on_the_31st_belongs_to_that_month(desk):
    desk.admin.ok("PUT", desk.path("/test-clock"),
                  json={"now": "2026-01-31T23:30:00-05:00"})
    try:
        account, _ = desk.customer()
        invoice = desk.sell(account, [{"type": "membership",
                                       "member_id": account["members"][0]["id"],
                                       "membership_type_id": desk.membership_type(2500)["id"]}],
                            method="cash")
        assert desk.refund(invoice, 500).status_code == 201
    finally:
        desk.admin.ok("DELETE", desk.path("/test-clock"))
    january = desk.report("sales-detail", "2026-01-01", "2026-02-01")
    assert [(r["date"], r["invoice_number"], r["amount"]) for r in january["items"]] == \
        [("2026-01-31", invoice["number"], 2500)]
    assert desk.report("sales-detail", "2026-02-01", "2026-03-01")["items"] == []
    paid = desk.report("payments-by-accounting-code", "2026-01-01", "2026-02-01")
    assert paid["total"] == {"payments": 2500, "refunds": 500, "net": 2000}
    assert desk.report("payments-by-accounting-code", "2026-02-01", "2026-03-01")["total"] \
        == {"payments": 0, "refunds": 0, "net": 0}
    # the same instant in UTC is already February 1st
    utc_view = desk.report("sales-detail", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z")
    assert [r["invoice_number"] for r in utc_view["items"]] == [invoice["number"]]


def test_reports_are_for_staff_and_need_a_valid_range(desk):
    _, client = desk.customer()
    error_of(client.get(desk.path("/reports/sales-detail"),
                        params={"from": "2026-01-01", "to": "2026-02-01"}), 403, "forbidden")
    error_of(desk.staff.get(desk.path("/reports/sales-summary"), params={"from": "2026-01-01"}),
             400, "validation_error")
    error_of(desk.staff.get(desk.path("/reports/payments-by-accounting-code"),
                            params={"from": "2026-02-01", "to": "2026-01-01"}),
             400, "validation_error")
    error_of(desk.staff.get(desk.path("/reports/sales-detail"),
                            params={"from": "January", "to": "2026-01-01"}),
             400, "validation_error")
