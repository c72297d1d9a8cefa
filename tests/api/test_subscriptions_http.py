"""Monthly subscriptions over HTTP only (R2.13, R6.3, R6.4; docs/http-api.md "Subscriptions"), with
the org's test clock and ``POST /billing-runs {as_of}``: bought on Jan 31, charged on
Feb 28, Mar 31 and Apr 30; a second run for the same instant charges nothing; a withdrawal
in March stops the charges after the paid month; a card that starts declining walks the
subscription through past_due to cancelled on the retry schedule (1, 3, 7 days); seats of
an included activity are paid with the subscription."""
import uuid

import pytest

from tests.api.test_sales_cart import Shop
from tests.support.client import error_of
from tests.support.events import EventListener

PRICE = 4000


@pytest.fixture(scope="module")
def shop(new_org, api):
    return Shop(new_org(name="Abonnements", timezone="America/Montreal"), api)


def run(shop, as_of):
    """A billing run as of ``as_of``, the org's test clock moved there first (a run never
    bills after the clock, R6.8)."""
    shop.admin.ok("PUT", shop.path("/test-clock"), json={"now": as_of})
    return shop.admin.ok("POST", shop.path("/billing-runs"), json={"as_of": as_of})


def subscribe(shop, card_token="tok_ok", plan=None):
    account, client = shop.customer()
    cart = shop.cart(client, account)
    item = client.ok("POST", shop.path(f"/carts/{cart['id']}/items"), json={
        "type": "subscription", "member_id": account["members"][0]["id"],
        "plan_id": plan["id"]}, expect=201)
    assert item["price"] == PRICE
    result = shop.checkout(client, cart, card_token=card_token)
    (subscription,) = result["subscriptions"]
    return account, client, subscription, result


def charges(shop, subscription_id):
    sub = shop.staff.ok("GET", shop.path(f"/subscriptions/{subscription_id}"))
    return sub, [(c["period"], c["status"], c["attempts"]) for c in sub["charges"]]


def _seat(shop, client, account, occurrence):
    """One seat of an included activity, checked out (paid with the subscription)."""
    cart = shop.cart(client, account)
    client.ok("POST", shop.path(f"/carts/{cart['id']}/items"), json={
        "type": "a_la_carte", "member_id": account["members"][0]["id"],
        "occurrence_id": occurrence["id"]}, expect=201)
    (registration,) = shop.checkout(client, cart, method="cash",
                                    card_token=None)["registrations"]
    assert registration["paid_with"]["type"] == "subscription"
    return registration


def _included_activity(shop, *starts):
    activity = shop.admin.ok("POST", shop.path("/activities"), json={
        "program_id": shop.program["id"], "name": f"Aquaforme {uuid.uuid4().hex[:4]}",
        "accounting_code": "4200",
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 5,
                       "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    occurrences = [shop.admin.ok("POST", shop.path(f"/activities/{activity['id']}/occurrences"),
                                 json={"starts_at": at, "duration_minutes": 45})
                   for at in starts]
    plan = shop.admin.ok("POST", shop.path("/subscription-plans"), json={
        "name": f"Aquaforme {uuid.uuid4().hex[:4]}", "monthly_price": PRICE,
        "activity_ids": [activity["id"]], "accounting_code": "4700"}, expect=201)
    return activity, occurrences, plan


def _taken(shop, occurrence):
    return shop.staff.ok("GET", shop.path(f"/occurrences/{occurrence['id']}"))[
        "a_la_carte"]["taken"]


def test_a_subscription_renews_on_its_anniversary_once_per_period(shop, stack):
    _, (occurrence,), plan = _included_activity(shop, "2027-02-10T15:00:00Z")
    # Jan 31, 10:00 in Montréal
    clock = shop.admin.ok("PUT", shop.path("/test-clock"),
                          json={"now": "2027-01-31T15:00:00Z"})
    assert clock["frozen"] is True

    listener = EventListener(stack.env["AMQP_URI"], "billing", (
        "subscription_charged", "subscription_charge_failed", "subscription_past_due",
        "subscription_cancelled"))
    try:
        keeper_account, keeper, kept, first = subscribe(shop, plan=plan)
        _, leaver, left, _ = subscribe(shop, plan=plan)
        _, _, declining, _ = subscribe(shop, card_token="tok_decline_renewals", plan=plan)

        # the month bought is paid at checkout; the anniversary is the 31st, clamped
        assert kept["status"] == "active" and kept["started_on"] == "2027-01-31"
        assert kept["current_period_end"].startswith("2027-02-28T05:00")
        assert [(c["period"], c["status"], c["invoice_id"]) for c in kept["charges"]] == \
            [("2027-01-31", "paid", first["invoice"]["id"])]
        assert [line["type"] for line in first["invoice"]["lines"]] == ["subscription"]

        # a seat of an included activity is paid with the subscription
        cart = shop.cart(keeper, keeper_account)
        seat = keeper.ok("POST", shop.path(f"/carts/{cart['id']}/items"), json={
            "type": "a_la_carte", "member_id": keeper_account["members"][0]["id"],
            "occurrence_id": occurrence["id"]}, expect=201)
        assert seat["price"] == 0
        booked = shop.checkout(keeper, cart, method="cash", card_token=None)
        (registration,) = booked["registrations"]
        assert registration["paid_with"] == {"type": "subscription", "id": kept["id"]}
        assert booked["invoice"]["lines"][0]["paid_with"] == "subscription"

        # a subscription is paid by card: its card is charged every month
        account, client = shop.customer()
        cart = shop.cart(client, account)
        shop.add(client, cart, type="subscription", member_id=account["members"][0]["id"],
                 plan_id=plan["id"])
        refused = client.post(shop.path(f"/carts/{cart['id']}/checkout"),
                              json={"payment": {"method": "cash"}})
        assert "payment" in error_of(refused, 400, "validation_error")["details"]

        # nothing is due the day before; on Feb 28 every subscription is due
        assert run(shop, "2027-02-27T12:00:00Z")["charged"] == 0
        feb = run(shop, "2027-02-28T12:00:00Z")
        assert (feb["charged"], feb["failed"]) == (2, 1)
        again = run(shop, "2027-02-28T12:00:00Z")
        assert (again["charged"], again["failed"]) == (0, 0)
        listener.wait_for("subscription_charged",
                          lambda e: e["data"]["subscription_id"] == kept["id"])
        listener.wait_for("subscription_past_due",
                          lambda e: e["data"]["subscription_id"] == declining["id"])

        sub, history = charges(shop, kept["id"])
        assert history == [("2027-01-31", "paid", 1), ("2027-02-28", "paid", 1)]
        renewal = shop.staff.ok("GET", shop.path(f"/invoices/{sub['charges'][1]['invoice_id']}"))
        assert renewal["total"] == PRICE and renewal["status"] == "paid"
        assert [(p["method"], p["amount"]) for p in renewal["payments"]] == [("card", PRICE)]
        assert renewal["lines"][0]["accounting_code"] == "4700"

        # declined: past_due, retried 1, 3 and 7 days after the due date, then cancelled
        sub, history = charges(shop, declining["id"])
        assert sub["status"] == "past_due"
        assert history[-1] == ("2027-02-28", "retrying", 1)
        assert run(shop, "2027-03-01T12:00:00Z")["failed"] == 1
        assert run(shop, "2027-03-02T12:00:00Z")["failed"] == 0
        assert run(shop, "2027-03-03T12:00:00Z")["failed"] == 1
        assert charges(shop, declining["id"])[0]["status"] == "past_due"
        assert run(shop, "2027-03-07T12:00:00Z")["failed"] == 1
        sub, history = charges(shop, declining["id"])
        assert sub["status"] == "cancelled" and sub["cancel_reason"] == "payment_failed"
        assert history[-1] == ("2027-02-28", "failed", 4)
        listener.wait_for("subscription_cancelled",
                          lambda e: e["data"]["subscription_id"] == declining["id"])
        assert run(shop, "2027-03-31T00:00:00Z")["failed"] == 0  # nothing more

        # withdrawal in March: active until the end of the paid month, then ended
        shop.admin.ok("PUT", shop.path("/test-clock"), json={"now": "2027-03-10T15:00:00Z"})
        withdrawn = leaver.ok("POST", shop.path(f"/subscriptions/{left['id']}/cancel"),
                              headers={"Idempotency-Key": uuid.uuid4().hex})
        assert withdrawn["status"] == "active" and withdrawn["cancel_at_period_end"] is True
        assert withdrawn["current_period_end"].startswith("2027-03-31T04:00")  # EDT by then

        march = run(shop, "2027-03-31T12:00:00Z")
        assert (march["charged"], march["skipped"]) == (1, 1)
        april = run(shop, "2027-04-30T12:00:00Z")
        assert april["charged"] == 1

        sub, history = charges(shop, kept["id"])
        assert history == [("2027-01-31", "paid", 1), ("2027-02-28", "paid", 1),
                           ("2027-03-31", "paid", 1), ("2027-04-30", "paid", 1)]
        assert len({c["invoice_id"] for c in sub["charges"]}) == 4
        assert sub["status"] == "active"
        sub, history = charges(shop, left["id"])
        assert sub["status"] == "cancelled" and sub["cancel_reason"] == "withdrawn"
        assert [h[0] for h in history] == ["2027-01-31", "2027-02-28"]

        listed = keeper.ok("GET", shop.path(f"/accounts/{keeper_account['id']}/subscriptions"))
        assert [s["id"] for s in listed["items"]] == [kept["id"]]
    finally:
        listener.close()
        shop.admin.ok("DELETE", shop.path("/test-clock"))


def test_only_admins_bill_as_of_another_instant_and_customers_see_their_own(shop):
    refused = shop.staff.post(shop.path("/billing-runs"), json={"as_of": "2030-01-01T00:00:00Z"})
    error_of(refused, 403, "forbidden")
    now = shop.staff.ok("POST", shop.path("/billing-runs"), json={})
    assert set(now) == {"as_of", "charged", "failed", "skipped", "complete"}
    error_of(shop.staff.get(shop.path("/subscriptions/sub_nope")), 404, "not_found")
    _, stranger = shop.customer()
    other, _ = shop.customer()
    error_of(stranger.get(shop.path(f"/accounts/{other['id']}/subscriptions")), 403,
             "forbidden")


def test_voiding_the_invoice_that_sold_a_subscription_ends_it(shop):
    activity, _ = shop.activity()
    plan = shop.admin.ok("POST", shop.path("/subscription-plans"), json={
        "name": "Aquaforme", "monthly_price": PRICE, "activity_ids": [activity["id"]],
        "accounting_code": "4700"}, expect=201)
    _, _, sub, bought = subscribe(shop, plan=plan)
    shop.staff.ok("POST", shop.path(f"/invoices/{bought['invoice']['id']}/void"),
                  json={"reason": "sold by mistake"},
                  headers={"Idempotency-Key": uuid.uuid4().hex})
    ended = shop.staff.ok("GET", shop.path(f"/subscriptions/{sub['id']}"))
    assert (ended["status"], ended["cancel_reason"], ended["next_charge_at"]) == \
        ("cancelled", "voided", None)


def test_seats_after_a_withdrawn_subscription_ends_are_cancelled_at_once(shop, stack):
    """Bought June 10: the paid month ends July 10. Withdrawing cancels the seats it paid
    from July 10 on (and releases one still in a cart); the June seat stays."""
    _, (june, july, august), plan = _included_activity(
        shop, "2027-06-20T15:00:00Z", "2027-07-15T15:00:00Z", "2027-08-15T15:00:00Z")
    shop.admin.ok("PUT", shop.path("/test-clock"), json={"now": "2027-06-10T15:00:00Z"})
    listener = EventListener(stack.env["AMQP_URI"], "registration",
                             ("registration_cancelled", "registration_released"))
    try:
        account, client, sub, _ = subscribe(shop, plan=plan)
        kept = _seat(shop, client, account, june)
        lost = _seat(shop, client, account, july)
        cart = shop.cart(client, account)
        held = client.ok("POST", shop.path(f"/carts/{cart['id']}/items"), json={
            "type": "a_la_carte", "member_id": account["members"][0]["id"],
            "occurrence_id": august["id"]}, expect=201)
        assert held["price"] == 0 and _taken(shop, august) == 1

        withdrawn = client.ok("POST", shop.path(f"/subscriptions/{sub['id']}/cancel"),
                              headers={"Idempotency-Key": uuid.uuid4().hex})
        assert withdrawn["current_period_end"].startswith("2027-07-10T04:00")

        event = listener.wait_for("registration_cancelled", lambda e: e["data"]["id"] == lost["id"])
        assert event["data"]["cancel_reason"] == "subscription_ended"
        listener.wait_for("registration_released",
                          lambda e: e["data"]["cart_item_id"] == held["id"])
        after = client.ok("GET", shop.path(f"/registrations/{lost['id']}"))
        assert (after["status"], after["cancelled_by"]) == ("cancelled", "subscription_end")
        assert client.ok("GET", shop.path(f"/registrations/{kept['id']}"))["status"] == \
            "confirmed"
        assert (_taken(shop, june), _taken(shop, july), _taken(shop, august)) == (1, 0, 0)
        # nothing was paid for the seat: nothing is credited
        credit = shop.staff.ok("GET", shop.path(f"/accounts/{account['id']}/credit"))
        assert credit["balance"] == 0
    finally:
        listener.close()
        shop.admin.ok("DELETE", shop.path("/test-clock"))


def test_voiding_a_subscription_cancels_the_seats_it_paid_from_the_void_on(shop, stack):
    _, (june, july), plan = _included_activity(shop, "2027-06-20T15:00:00Z",
                                               "2027-07-15T15:00:00Z")
    shop.admin.ok("PUT", shop.path("/test-clock"), json={"now": "2027-06-10T15:00:00Z"})
    listener = EventListener(stack.env["AMQP_URI"], "registration",
                             ("registration_cancelled",))
    try:
        account, client, sub, bought = subscribe(shop, plan=plan)
        seats = [_seat(shop, client, account, o) for o in (june, july)]
        shop.staff.ok("POST", shop.path(f"/invoices/{bought['invoice']['id']}/void"),
                      json={"reason": "sold by mistake"},
                      headers={"Idempotency-Key": uuid.uuid4().hex})
        for seat in seats:
            listener.wait_for("registration_cancelled", lambda e: e["data"]["id"] == seat["id"])
        assert {client.ok("GET", shop.path(f"/registrations/{s['id']}"))["cancelled_by"]
                for s in seats} == {"subscription_end"}
        assert (_taken(shop, june), _taken(shop, july)) == (0, 0)
        ended = shop.staff.ok("GET", shop.path(f"/subscriptions/{sub['id']}"))
        assert ended["cancel_reason"] == "voided"
    finally:
        listener.close()
        shop.admin.ok("DELETE", shop.path("/test-clock"))
