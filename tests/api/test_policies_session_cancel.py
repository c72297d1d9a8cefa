"""A session registration cancelled by the client (R8.2) over HTTP: allowed per activity,
before its deadline (counted from the last occurrence), refunded to the account's credit
whole, prorated on the occurrences left, or not at all."""
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.api import test_checkout_support as shop
from tests.support.client import error_of

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def staff(org):
    return org.client("staff")


def session_with(org, cancellation, past=0, future=0):
    """An activity (session 12000) with its scheduled occurrence in two weeks, ``past``
    occurrences already held and ``future`` more to come."""
    activity, _ = shop.setup_activity(org.admin, org, session_capacity=5, session_price=12000)
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    for days in [-(i + 1) for i in range(past)] + [i + 2 for i in range(future)]:
        org.admin.ok("POST", org.path(f"/activities/{activity['id']}/occurrences"), json={
            "starts_at": (now + timedelta(days=days)).isoformat(), "duration_minutes": 60})
    if cancellation is not None:
        org.admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
                     json={"session": {"cancellation": cancellation}})
    return activity


def registered(api, org, activity):
    account = shop.household(api, org, 1, password=PASSWORD)
    client = api.with_token(api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": account["email"], "password": PASSWORD})["token"])
    cart = shop.new_cart(client, org, account["id"])
    added = shop.add_session(client, org, cart["id"], account["members"][0]["id"],
                             activity["id"])
    assert added.status_code == 201, added.text
    paid = shop.pay(client, org, cart["id"], card_token="tok_ok")
    assert paid.status_code == 200, paid.text
    return account, client, paid.json()["registrations"][0]


def credit(client, org, account_id, expected, deadline=20):
    end = time.monotonic() + deadline
    while True:
        balance = client.ok("GET", org.path(f"/accounts/{account_id}/credit"))["balance"]
        if balance == expected or time.monotonic() > end:
            return balance
        time.sleep(0.2)


def test_prorated_on_the_occurrences_left(org, api):
    activity = session_with(org, {"allowed": True, "deadline_minutes_before": 60,
                                  "refund": "prorated"}, past=2, future=1)
    account, client, registration = registered(api, org, activity)
    done = client.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"), json={})
    assert done["status"] == "cancelled" and done["cancelled_by"] == "client"
    assert done["refund_to_credit"] == 6000  # 2 of 4 occurrences left
    assert credit(client, org, account["id"], 6000) == 6000


def test_whole_or_nothing_and_the_refusals(org, staff, api):
    whole = session_with(org, {"allowed": True, "deadline_minutes_before": 0,
                               "refund": "whole"}, past=1)
    account, client, registration = registered(api, org, whole)
    done = client.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"), json={})
    assert done["refund_to_credit"] == 12000
    assert credit(client, org, account["id"], 12000) == 12000

    nothing = session_with(org, {"allowed": True, "refund": "none"})
    account, client, registration = registered(api, org, nothing)
    done = client.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"), json={})
    assert done["status"] == "cancelled" and not done["refund_to_credit"]

    late = session_with(org, {"allowed": True, "deadline_minutes_before": 30 * 24 * 60,
                              "refund": "whole"})
    _, client, registration = registered(api, org, late)
    error_of(client.post(org.path(f"/registrations/{registration['id']}/cancel"), json={}),
             409, "cancellation_deadline_passed")

    closed = session_with(org, None)
    account, client, registration = registered(api, org, closed)
    error_of(client.post(org.path(f"/registrations/{registration['id']}/cancel"), json={}),
             409, "cancellation_not_allowed")
    # staff still can (R3.6): the whole price to credit, or refund the card from the invoice
    done = staff.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"), json={})
    assert done["refund_to_credit"] == 12000
