"""Subscription notices (R7.4) from the billing worker's runs (``POST /billing-runs
{as_of}``): a renewal charged, a renewal declined while retries remain, and the end after
the last decline; all in English for an ``en`` org.

A run never bills after now (R6.8), and an org on a test clock is not e-mailed, so the
subscriptions are bought on a test clock 45 days back (the checkout receipts are then
skipped, as for any test-clock org), the clock is removed, and the runs bill those past
periods in real time."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.api.test_sales_cart import Shop
from tests.services import test_notifications_support as support
from tests.support.events import EventListener


@pytest.fixture(scope="module")
def shop(api, rpc):
    return Shop(support.org_in(api, rpc, "en"), api)


def subscribe(shop, plan, card_token):
    account, client = shop.customer()
    cart = shop.cart(client, account)
    shop.add(client, cart, type="subscription", member_id=account["members"][0]["id"],
             plan_id=plan["id"])
    (subscription,) = shop.checkout(client, cart, card_token=card_token)["subscriptions"]
    return account, subscription


def subjects(mail, account, count):
    return sorted(m["Subject"].split(" —")[0] for m in mail.wait_for(account["email"], count))


def test_renewals_charged_declined_and_ended_are_told(stack, rpc, shop):
    mail = stack.mail
    plan = shop.admin.ok("POST", shop.path("/subscription-plans"), expect=201, json={
        "name": f"Swim {uuid.uuid4().hex[:4]}", "monthly_price": 4000,
        "activity_ids": [shop.activity()[0]["id"]],
        "accounting_code": "4700"})
    past = datetime.now(timezone.utc) - timedelta(days=45)
    shop.admin.ok("PUT", shop.path("/test-clock"), json={"now": past.isoformat()})
    paying, kept = subscribe(shop, plan, "tok_ok")
    declining, lost = subscribe(shop, plan, "tok_decline_renewals")
    for account in (paying, declining):  # skipped while the clock is set
        support.wait_notice(rpc, shop.org.id, account["id"],
                            lambda n: n["kind"] == "receipt" and n["state"] != "pending")
    shop.admin.ok("DELETE", shop.path("/test-clock"), expect=(200, 204))
    due = datetime.fromisoformat(kept["current_period_end"]).astimezone(timezone.utc)
    listener = EventListener(stack.env["AMQP_URI"], "billing", ("subscription_cancelled",))
    try:
        for days in (0, 1, 3, 7):  # the renewal, then the retries (1, 3, 7 days after)
            as_of = (due + timedelta(days=days, minutes=1)).isoformat()
            shop.admin.ok("POST", shop.path("/billing-runs"), json={"as_of": as_of})
        listener.wait_for("subscription_cancelled",
                          lambda e: e["data"]["subscription_id"] == lost["id"])
    finally:
        listener.close()

    (renewed,) = subjects(mail, paying, 1)
    assert renewed == "Subscription renewed"
    told = subjects(mail, declining, 4)
    assert told.count("Payment declined for your subscription") == 3
    assert "Subscription ended" in told
    (end,) = [m for m in mail.to(declining["email"])
              if m["Subject"].startswith("Subscription ended")]
    assert "because payment failed" in end.get_body(("plain",)).get_content()
    log = support.notices(rpc, shop.org.id, declining["id"])
    assert sorted((n["kind"], n["state"]) for n in log) == [("receipt", "skipped")] + [
        ("renewal_declined", "sent")] * 3 + [("subscription_cancelled", "sent")]
