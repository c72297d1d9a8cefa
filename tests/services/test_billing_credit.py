"""billing through the real broker: carts, checkout and account credit (R3.5, R6.2).

Money of a registration cancelled by the client or staff reaches the account's credit
through registration's ``registration_cancelled`` event (``refund_to_credit``); a checkout
paid with credit debits it, never below zero, also when several checkouts race for it.
"""
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.billing.contract.errors import InsufficientCredit
from services.common.rpc import RpcPool
from tests.support.events import EventListener

PRICE = 1500


@pytest.fixture(scope="module")
def world(rpc):
    """An org, an activity whose occurrence has room, and a household of 12."""
    org = rpc.call("catalog", "create_org", {"name": "Credit test", "timezone": "UTC",
                                              "currency": "CAD", "locale": "en"})
    program = rpc.call("catalog", "create_program", org["id"], {"name": "Saison"})
    now = datetime.now(timezone.utc)
    day = (now + timedelta(days=14)).date()
    activity = rpc.call("catalog", "create_activity", org["id"], {
        "program_id": program["id"], "name": "Yoga", "accounting_code": "4300",
        "schedule": {"start_date": day.isoformat(), "end_date": day.isoformat(),
                     "slots": [{"weekday": day.weekday(), "start_time": "10:00",
                                "duration_minutes": 60}], "excluded_dates": []},
        "session": {"enabled": False},
        "a_la_carte": {"enabled": True, "price": PRICE, "capacity": 50, "pass_only": False,
                       "opens_minutes_before": None, "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    occurrence = rpc.call("catalog", "list_occurrences", org["id"], activity["id"])["items"][0]
    return {"org": org["id"], "occurrence": occurrence["id"], "rpc": rpc}


def household(rpc, org_id, members):
    tag = uuid.uuid4().hex[:8]
    return rpc.call("accounts", "create_account", org_id, {
        "email": f"credit-{tag}@example.org", "name": f"Credit {tag}",
        "members": [{"first_name": f"M{i}", "last_name": tag, "birth_date": "1990-01-01"}
                    for i in range(members)]})


def cart_with_seat(rpc, world, account, member):
    cart = rpc.call("billing", "create_cart", world["org"], {"account_id": account["id"]})
    item = rpc.call("billing", "add_item", world["org"], cart["id"], {
        "type": "a_la_carte", "member_id": member["id"], "occurrence_id": world["occurrence"]})
    return cart, item


def bought(rpc, world, account, member, method="cash"):
    cart, _ = cart_with_seat(rpc, world, account, member)
    return rpc.call("billing", "checkout", world["org"], cart["id"],
                    {"payment": {"method": method}})


@pytest.fixture
def credited_events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "billing")
    yield listener
    listener.close()


def test_money_of_a_cancelled_registration_goes_to_the_accounts_credit(world, rpc,
                                                                       credited_events):
    account = household(rpc, world["org"], 2)
    first, second = account["members"]
    paid = bought(rpc, world, account, first)
    registration = paid["registrations"][0]

    rpc.call("registration", "cancel", world["org"], registration["id"], {"by_staff": True})
    event = credited_events.wait_for(
        "account_credited", lambda e: e["data"]["ref"] == registration["id"])
    assert event["data"]["amount"] == PRICE and event["data"]["balance"] == PRICE
    assert event["data"]["invoice_id"] == paid["invoice"]["id"]
    balance = rpc.call("billing", "get_account_credit", world["org"], account["id"])
    assert balance["balance"] == PRICE
    assert [(e["amount"], e["reason"], e["ref"]) for e in balance["entries"]] == \
        [(PRICE, "registration_cancelled", registration["id"])]

    # the credit pays the next checkout
    spent = bought(rpc, world, account, second, method="account_credit")
    assert [(p["method"], p["amount"]) for p in spent["invoice"]["payments"]] == \
        [("account_credit", PRICE)]
    assert spent["invoice"]["lines"][0]["payment_method"] == "account_credit"
    debited = credited_events.wait_for("account_debited",
                                       lambda e: e["data"]["account_id"] == account["id"])
    assert debited["data"]["balance"] == 0
    balance = rpc.call("billing", "get_account_credit", world["org"], account["id"])
    assert balance["balance"] == 0 == sum(e["amount"] for e in balance["entries"])


def test_racing_checkouts_never_spend_more_credit_than_there_is(world, rpc, test_env,
                                                                credited_events):
    account = household(rpc, world["org"], 11)
    members = account["members"]
    for member in members[:3]:
        registration = bought(rpc, world, account, member)["registrations"][0]
        rpc.call("registration", "cancel", world["org"], registration["id"], {"by_staff": True})
        credited_events.wait_for("account_credited",
                                 lambda e, r=registration["id"]: e["data"]["ref"] == r)
    assert rpc.call("billing", "get_account_credit", world["org"],
                    account["id"])["balance"] == 3 * PRICE

    carts = [cart_with_seat(rpc, world, account, m)[0] for m in members[3:]]
    pool = RpcPool(amqp_uri=test_env.env["AMQP_URI"], size=len(carts), timeout=30)
    start = threading.Barrier(len(carts))
    outcomes = [None] * len(carts)

    def pay(index):
        start.wait()
        try:
            pool.call("billing", "checkout", world["org"], carts[index]["id"],
                      {"payment": {"method": "account_credit"}})
            outcomes[index] = "paid"
        except InsufficientCredit:
            outcomes[index] = "insufficient_credit"
        except Exception as error:  # noqa: BLE001 - reported below
            outcomes[index] = repr(error)

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(len(carts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pool.close()

    assert sorted(outcomes) == ["insufficient_credit"] * 5 + ["paid"] * 3, outcomes
    balance = rpc.call("billing", "get_account_credit", world["org"], account["id"])
    assert balance["balance"] == 0 == sum(e["amount"] for e in balance["entries"])
    # the refused carts are open again, their holds still there
    for cart in carts:
        seen = rpc.call("billing", "get_cart", world["org"], cart["id"])
        assert seen["status"] in ("open", "checked_out") and len(seen["items"]) == 1


def test_a_void_moves_no_money(world, rpc):
    account = household(rpc, world["org"], 1)
    paid = bought(rpc, world, account, account["members"][0], method="cash")
    voided = rpc.call("billing", "void_invoice", world["org"], paid["invoice"]["id"],
                      {"reason": "entered twice"})
    assert voided["status"] == "void" and voided["payments"] == paid["invoice"]["payments"]
    registration = rpc.call("registration", "get_registration", world["org"],
                            paid["registrations"][0]["id"])
    assert registration["status"] == "cancelled"
    assert "refund_to_credit" not in registration or not registration["refund_to_credit"]
    assert rpc.call("billing", "get_account_credit", world["org"],
                    account["id"])["balance"] == 0
