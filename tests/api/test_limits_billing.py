"""Billing runs are bounded (R6.8; issue 11, item 4): a run never bills after now (or
after the org's test clock), creates at most ``CARNET_BILLING_RUN_MAX_PERIODS`` (3)
periods per subscription, stops when its caller gives up, and a subscription's charges
are paged."""
import time
import uuid

import pytest

from tests.api.test_sales_cart import Shop
from tests.support.client import error_of

PRICE = 2500


@pytest.fixture(scope="module")
def shop(new_org, api):
    return Shop(new_org(name="Facturation bornée", timezone="America/Montreal"), api)


@pytest.fixture
def clock(shop):
    def set_to(instant):
        shop.admin.ok("PUT", shop.path("/test-clock"), json={"now": instant})
    yield set_to
    shop.admin.ok("DELETE", shop.path("/test-clock"))


def subscribe(shop):
    activity, _ = shop.activity()
    plan = shop.admin.ok("POST", shop.path("/subscription-plans"), json={
        "name": f"Natation {uuid.uuid4().hex[:4]}", "monthly_price": PRICE,
        "activity_ids": [activity["id"]], "accounting_code": "4700"}, expect=201)
    account, client = shop.customer()
    cart = shop.cart(client, account)
    client.ok("POST", shop.path(f"/carts/{cart['id']}/items"), json={
        "type": "subscription", "member_id": account["members"][0]["id"],
        "plan_id": plan["id"]}, expect=201)
    (subscription,) = shop.checkout(client, cart)["subscriptions"]
    return client, subscription


def run(shop, **body):
    return shop.admin.ok("POST", shop.path("/billing-runs"), json=body)


def test_a_run_never_bills_after_now_or_after_the_orgs_test_clock(shop, clock):
    refused = shop.admin.post(shop.path("/billing-runs"), json={"as_of": "2036-01-01T00:00:00Z"})
    error = error_of(refused, 409, "billing_run_in_future")
    assert set(error["details"]) == {"as_of", "now"}
    assert run(shop, as_of="2026-01-01T00:00:00Z")["complete"] is True

    clock("2027-01-31T15:00:00Z")
    error_of(shop.admin.post(shop.path("/billing-runs"), json={"as_of": "2027-02-28T12:00:00Z"}),
             409, "billing_run_in_future")
    assert run(shop, as_of="2027-01-31T15:00:00Z")["as_of"].startswith("2027-01-31T15:00")


def test_a_run_creates_at_most_three_periods_per_subscription_and_charges_are_paged(
        shop, clock):
    clock("2027-01-31T15:00:00Z")
    client, sub = subscribe(shop)
    clock("2028-01-31T15:00:00Z")  # 12 periods due: Feb 2027 .. Jan 2028
    runs = []
    while not runs or not runs[-1]["complete"]:
        runs.append(run(shop))
        assert len(runs) <= 5, runs
    assert [r["charged"] for r in runs] == [3, 3, 3, 3]
    assert [r["complete"] for r in runs] == [False, False, False, True]

    shown = client.ok("GET", shop.path(f"/subscriptions/{sub['id']}"))
    assert shown["charges_count"] == 13
    assert len(shown["charges"]) == 12  # the newest, oldest first
    assert (shown["charges"][0]["period"], shown["charges"][-1]["period"]) == \
        ("2027-02-28", "2028-01-31")

    periods, cursor = [], None
    while True:
        page = client.ok("GET", shop.path(f"/subscriptions/{sub['id']}/charges"),
                         params={"limit": 5, **({"cursor": cursor} if cursor else {})})
        assert len(page["items"]) <= 5
        periods += [c["period"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(periods) == 13 and periods[0] == "2027-01-31" and periods == sorted(periods)
    assert len({*periods}) == 13

    _, stranger = shop.customer()
    error_of(stranger.get(shop.path(f"/subscriptions/{sub['id']}/charges")), 403, "forbidden")
    error_of(shop.staff.get(shop.path("/subscriptions/sub_nope/charges")), 404, "not_found")


def test_a_run_stops_when_its_caller_gives_up(shop, clock, rpc):
    clock("2027-03-15T15:00:00Z")
    _, sub = subscribe(shop)
    clock("2027-05-20T15:00:00Z")  # April and May are due
    gave_up = rpc.call("billing", "run_billing", shop.org.id, {}, deadline=time.time() - 1)
    assert (gave_up["charged"], gave_up["complete"]) == (0, False)
    assert len(shop.staff.ok("GET", shop.path(f"/subscriptions/{sub['id']}"))["charges"]) == 1
    done = run(shop)
    assert (done["charged"], done["complete"]) == (2, True)
