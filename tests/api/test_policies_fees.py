"""Late-cancellation and no-show fees over HTTP (R8.1): the window and the fee per à la
carte offer and per service, a fee in money as an invoice (taken from the credit the
cancellation gave back, or owed and paid at the counter), a pass booking's use lost,
no-shows marked by staff, a fee waived with a reason, and the fee lines in the reports
with their accounting code."""
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.api import test_checkout_support as shop
from tests.support.client import error_of

PASSWORD = "correct horse battery"
DAY = 24 * 60


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def staff(org):
    return org.client("staff")


def customer(api, org):
    account = shop.household(api, org, 1, password=PASSWORD)
    token = api.ok("POST", "/auth/login", json={"org_id": org.id, "email": account["email"],
                                                "password": PASSWORD})["token"]
    return account, api.with_token(token)


def with_fees(org, activity, fees):
    org.admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
                 json={"a_la_carte": {"fees": fees}})


def soon(org, activity, seconds=8):
    """An occurrence of ``activity`` starting in a few seconds (to be marked a no-show)."""
    at = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)
    return org.admin.ok("POST", org.path(f"/activities/{activity['id']}/occurrences"),
                        json={"starts_at": at.isoformat(), "duration_minutes": 30})


def until_started(call, deadline=60):
    """``call()`` again until it is no longer refused as too early (the start is real time)."""
    end = time.monotonic() + deadline
    while True:
        response = call()
        if response.status_code != 409 or time.monotonic() > end or \
                response.json()["error"]["code"] not in ("no_show_too_early",
                                                         "appointment_not_started"):
            return response
        time.sleep(0.5)


def fee_invoice(client, org, account_id, kind, deadline=20):
    """The account's fee of ``kind`` once billing has invoiced it."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        fees = client.ok("GET", org.path(f"/accounts/{account_id}/fees"))
        found = [f for f in fees["items"] if f["kind"] == kind]
        if found:
            return found[0], client.ok("GET", org.path(f"/invoices/{found[0]['invoice_id']}")), \
                fees
        time.sleep(0.2)
    raise AssertionError(f"no {kind} fee for {account_id}")


def credit_of(client, org, account_id, expected=None, deadline=20):
    end = time.monotonic() + deadline
    while True:
        balance = client.ok("GET", org.path(f"/accounts/{account_id}/credit"))["balance"]
        if expected is None or balance == expected or time.monotonic() > end:
            return balance
        time.sleep(0.2)


def test_a_late_cancellation_in_money_keeps_the_fee_from_the_credit_and_staff_can_waive_it(
        org, staff, api):
    activity, occurrence = shop.setup_activity(org.admin, org, a_la_carte_price=2000,
                                               accounting_code="4150")
    with_fees(org, activity, {"window_minutes_before": 30 * DAY,
                              "late_cancel_fee": {"type": "percent", "percent": 25},
                              "no_show_fee": {"type": "fixed", "amount": 1000}})
    shown = staff.ok("GET", org.path(f"/activities/{activity['id']}"))["a_la_carte"]["fees"]
    assert shown["late_cancel_fee"] == {"type": "percent", "percent": 25, "amount": None} or \
        shown["late_cancel_fee"]["percent"] == 25
    error_of(org.admin.patch(org.path(f"/activities/{activity['id']}"), json={
        "a_la_carte": {"fees": {"window_minutes_before": 60,
                                "late_cancel_fee": {"type": "fixed"}}}}), 400,
             "validation_error")

    account, client = customer(api, org)
    cart = shop.new_cart(client, org, account["id"])
    assert shop.add_a_la_carte(client, org, cart["id"], account["members"][0]["id"],
                               occurrence["id"]).status_code == 201
    paid = shop.pay(client, org, cart["id"], card_token="tok_ok")
    assert paid.status_code == 200, paid.text
    (registration,) = paid.json()["registrations"]

    cancelled = client.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"),
                          json={})
    assert cancelled["fee"] == {"kind": "late_cancel", "use_lost": False, "amount": 500}
    fee, invoice, fees = fee_invoice(client, org, account["id"], "late_cancel")
    assert (fee["amount"], fee["status"]) == (500, "paid")
    assert invoice["status"] == "paid" and invoice["total"] == 500
    (line,) = invoice["lines"]
    assert (line["type"], line["accounting_code"], line["amount"]) == \
        ("late_cancel_fee", "4150", 500)
    assert [p["method"] for p in invoice["payments"]] == ["account_credit"]
    assert fees["owed"] == 0
    assert credit_of(client, org, account["id"], 1500) == 1500  # 2000 back, 500 kept

    today = datetime.now(timezone.utc).date()
    params = {"from": (today - timedelta(days=1)).isoformat(),
              "to": (today + timedelta(days=2)).isoformat()}
    detail = staff.ok("GET", org.path("/reports/sales-detail"), params=params)["items"]
    assert [(r["type"], r["amount"], r["accounting_code"]) for r in detail
            if r["invoice_number"] == invoice["number"]] == [("late_cancel_fee", 500, "4150")]

    # the customer cannot waive it; staff can, with a reason: void, the 500 back to credit
    error_of(client.post(org.path(f"/invoices/{invoice['id']}/waive"),
                         json={"reason": "mine"}), 403)
    error_of(staff.post(org.path(f"/invoices/{invoice['id']}/waive"), json={}), 400,
             "validation_error")
    waived = staff.ok("POST", org.path(f"/invoices/{invoice['id']}/waive"),
                      json={"reason": "sick child, note from the doctor"})
    assert waived["status"] == "void" and "sick child" in waived["void_reason"]
    assert credit_of(client, org, account["id"], 2000) == 2000
    fees = client.ok("GET", org.path(f"/accounts/{account['id']}/fees"))["items"]
    assert [(f["status"], f["waived_reason"]) for f in fees] == \
        [("waived", "sick child, note from the doctor")]
    detail = staff.ok("GET", org.path("/reports/sales-detail"), params=params)["items"]
    assert sum(r["amount"] for r in detail if r["invoice_number"] == invoice["number"]) == 0


def test_outside_the_window_a_cancellation_costs_nothing(org, staff, api):
    activity, occurrence = shop.setup_activity(org.admin, org)
    with_fees(org, activity, {"window_minutes_before": 24 * 60,
                              "late_cancel_fee": {"type": "fixed", "amount": 800}})
    account, client = customer(api, org)
    done = shop.book(staff, org, account["id"], account["members"][0]["id"],
                     occurrence_id=occurrence["id"])
    registration = done.json()["registrations"][0]
    cancelled = client.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"),
                          json={})
    assert cancelled["fee"] is None
    assert credit_of(client, org, account["id"], 1500) == 1500
    assert client.ok("GET", org.path(f"/accounts/{account['id']}/fees"))["items"] == []


def test_a_late_cancellation_of_a_pass_booking_loses_the_use(org, staff, api, rpc):
    activity, late = shop.setup_activity(org.admin, org)
    with_fees(org, activity, {"window_minutes_before": 30 * DAY,
                              "late_cancel_fee": {"type": "fixed", "amount": 800}})
    other, early = shop.setup_activity(org.admin, org)  # no fees: the use comes back
    pass_type = org.admin.ok("POST", org.path("/pass-types"), json={
        "name": f"Carte {uuid.uuid4().hex[:4]}", "price": 5000, "uses": 5, "valid_days": 60,
        "family": True, "eligible_activity_ids": [activity["id"], other["id"]],
        "credit_on_cancel": True, "accounting_code": "4300"})
    account, client = customer(api, org)
    (granted,) = staff.ok("POST", org.path("/pass-grants"), expect=201, json={
        "pass_type_id": pass_type["id"], "account_ids": [account["id"]]})["items"]
    member = account["members"][0]["id"]

    def uses_left():
        passes = client.ok("GET", org.path(f"/accounts/{account['id']}/passes"))["items"]
        return next(p for p in passes if p["id"] == granted["id"])["uses_left"]

    booked = [client.ok("POST", org.path("/registrations"), expect=201, json={
        "member_id": member, "occurrence_id": o["id"], "pass_id": granted["id"]})
        for o in (late, early)]
    assert uses_left() == 3
    lost = client.ok("POST", org.path(f"/registrations/{booked[0]['id']}/cancel"), json={})
    assert lost["fee"] == {"kind": "late_cancel", "use_lost": True, "amount": 0}
    back = client.ok("POST", org.path(f"/registrations/{booked[1]['id']}/cancel"), json={})
    assert back["fee"] is None
    end = time.monotonic() + 20
    while uses_left() != 4 and time.monotonic() < end:
        time.sleep(0.2)
    assert uses_left() == 4  # one use back, the late one lost
    assert client.ok("GET", org.path(f"/accounts/{account['id']}/fees"))["items"] == []


def test_a_no_show_marked_by_staff_is_owed_then_paid_at_the_counter(org, staff, api):
    activity, _ = shop.setup_activity(org.admin, org, accounting_code="4170")
    with_fees(org, activity, {"window_minutes_before": 60,
                              "no_show_fee": {"type": "fixed", "amount": 1000}})
    occurrence = soon(org, activity)
    account, client = customer(api, org)
    done = shop.book(staff, org, account["id"], account["members"][0]["id"],
                     occurrence_id=occurrence["id"])
    assert done.status_code == 200, done.text
    registration = done.json()["registrations"][0]
    path = org.path(f"/registrations/{registration['id']}/no-show")

    error_of(client.post(path, json={}), 403)
    marked = until_started(lambda: staff.post(path, json={"note": "did not come"}))
    assert marked.status_code == 200, marked.text
    assert marked.json()["no_show_at"] and marked.json()["status"] == "confirmed"
    assert marked.json()["fee"] == {"kind": "no_show", "use_lost": False, "amount": 1000}
    assert staff.ok("POST", path, json={})["no_show_at"] == marked.json()["no_show_at"]

    fee, invoice, fees = fee_invoice(client, org, account["id"], "no_show")
    assert (fee["status"], invoice["status"], fees["owed"]) == ("owed", "open", 1000)
    assert invoice["lines"][0]["accounting_code"] == "4170"
    error_of(client.post(org.path(f"/invoices/{invoice['id']}/pay"),
                         json={"method": "cash"}), 403)
    error_of(client.post(org.path(f"/invoices/{invoice['id']}/pay"),
                         json={"method": "account_credit"}), 409, "insufficient_credit")
    error_of(client.post(org.path(f"/invoices/{invoice['id']}/pay"),
                         json={"method": "card", "card_token": "tok_decline"}), 402)
    paid = staff.ok("POST", org.path(f"/invoices/{invoice['id']}/pay"),
                    json={"method": "cash"})
    assert paid["status"] == "paid" and paid["payments"][0]["method"] == "cash"
    assert client.ok("GET", org.path(f"/accounts/{account['id']}/fees"))["owed"] == 0

    today = datetime.now(timezone.utc).date()
    codes = staff.ok("GET", org.path("/reports/payments-by-accounting-code"), params={
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=2)).isoformat()})["items"]
    assert any(r["accounting_code"] == "4170" and r["payments"] >= 1000 for r in codes)


def test_an_appointment_no_show_costs_the_service_fee(org, staff, api):
    service = org.admin.ok("POST", org.path("/services"), json={
        "name": "Coupe", "duration_minutes": 30, "price": 4000, "accounting_code": "4500",
        "fees": {"window_minutes_before": 120,
                 "no_show_fee": {"type": "percent", "percent": 50}}})
    assert service["fees"]["no_show_fee"]["percent"] == 50
    account, client = customer(api, org)
    at = (datetime.now(timezone.utc) + timedelta(seconds=8)).replace(microsecond=0)
    appointment = staff.ok("POST", org.path("/appointments"), expect=201, json={
        "member_id": account["members"][0]["id"], "service_id": service["id"],
        "starts_at": at.isoformat()})
    path = org.path(f"/appointments/{appointment['id']}/no-show")
    marked = until_started(lambda: staff.post(path, json={}))
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "no_show"
    fee, invoice, fees = fee_invoice(client, org, account["id"], "no_show")
    assert (fee["amount"], fee["source_type"], fees["owed"]) == (2000, "appointment", 2000)
    assert (invoice["lines"][0]["type"], invoice["lines"][0]["accounting_code"]) == \
        ("no_show_fee", "4500")
