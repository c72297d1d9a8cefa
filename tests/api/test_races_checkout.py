"""Never sell a seat twice (R3.1), with two registration instances and 50 clients at once,
each doing what a web shop does: create a cart, add a seat, check out. Then invoices,
registrations and seat counts must tell the same story.

The second test runs the same race against registration instances whose capacity check is
the naive one (count, then insert: ``CARNET_UNSAFE_CAPACITY_CHECK=1``, a test-only switch)
and shows that the checks of the first test catch the oversell: the race test can fail.
"""
import signal
import threading
from collections import Counter

import pytest

from tests.api import test_checkout_support as shop

CLIENTS = 50
CAPACITY = 7
ALREADY_SOLD = 2          # so that 5 seats remain when the race starts
REMAINING = CAPACITY - ALREADY_SOLD


@pytest.fixture
def registration_instances(stack):
    """Set the number (and kind) of registration instances; the stack is put back to one
    normal instance afterwards."""
    def use(count, extra_env=None):
        stack.kill_service("registration", sig=signal.SIGTERM)
        for _ in range(count):
            stack.start_service("registration", extra_env=extra_env)
    yield use
    stack.kill_service("registration", sig=signal.SIGTERM)
    stack.scale("registration", 1)


def shoppers_for(org, admin):
    """The race's people: two who bought before it, and the 50 shoppers (reused by every
    round: each round sells a new activity)."""
    return shop.people(admin, org, ALREADY_SOLD), shop.people(admin, org, CLIENTS)


def race(org, api, admin, people):
    """50 concurrent shoppers for the last 5 seats of a new activity's occurrence; returns
    what each got."""
    early, shoppers = people
    activity, occurrence = shop.setup_activity(admin, org, session_capacity=None,
                                               a_la_carte_capacity=CAPACITY)
    for account_id, member_id in early:
        assert shop.book(admin, org, account_id, member_id,
                         occurrence_id=occurrence["id"]).status_code == 200
    carts = [shop.new_cart(admin, org, account_id)["id"] for account_id, _ in shoppers]
    start = threading.Barrier(CLIENTS)
    outcomes = [None] * CLIENTS

    def shopper(index):
        client = api.with_token(admin.token)  # one HTTP session per client
        member_id = shoppers[index][1]
        try:
            start.wait()
            added = shop.add_a_la_carte(client, org, carts[index], member_id, occurrence["id"])
            if added.status_code != 201:
                outcomes[index] = added.json()["error"]["code"]
                return
            paid = shop.pay(client, org, carts[index], "card", "tok_ok")
            outcomes[index] = "paid" if paid.status_code == 200 \
                else paid.json()["error"]["code"]
        except Exception as error:  # reported in the outcomes, never lost
            outcomes[index] = repr(error)

    threads = [threading.Thread(target=shopper, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"activity": activity, "occurrence": occurrence, "outcomes": Counter(outcomes),
            "shopper_accounts": {a for a, _ in shoppers},
            "accounts": {a for a, _ in shoppers} | {a for a, _ in early}}


def story(rpc, org, admin, result):
    """What billing and registration say about the race's occurrence afterwards, and every
    invoice number the org has issued."""
    occurrence = result["occurrence"]
    every_invoice = [i for account in result["accounts"]
                     for i in shop.invoices_of(admin, org, account)]
    invoices = [i for i in every_invoice
                if i["lines"][0]["reference"].get("occurrence_id") == occurrence["id"]
                and i["account_id"] in result["shopper_accounts"]]
    registrations, cursor = [], None
    while True:
        page = rpc.call("registration", "list_registrations", org.id,
                        occurrence_id=occurrence["id"], limit=200, cursor=cursor)
        registrations += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    confirmed = [r for r in registrations if r["status"] == "confirmed"
                 and r["account_id"] in result["shopper_accounts"]]
    taken = rpc.call("registration", "seat_counts", org.id,
                     {occurrence["id"]: result["activity"]["id"]})[occurrence["id"]]
    numbers = sorted(i["number"] for i in every_invoice)
    return invoices, confirmed, taken["a_la_carte_taken"], numbers


def assert_the_story_holds(rpc, org, admin, result):
    outcomes = result["outcomes"]
    assert outcomes == Counter({"paid": REMAINING, "sold_out": CLIENTS - REMAINING}), outcomes
    invoices, confirmed, taken, numbers = story(rpc, org, admin, result)
    assert len(invoices) == REMAINING
    assert all(i["status"] == "paid" and len(i["lines"]) == 1 for i in invoices)
    assert len(confirmed) == REMAINING
    assert {r["invoice_id"] for r in confirmed} == {i["id"] for i in invoices}
    assert {r["id"] for r in confirmed} == {i["lines"][0]["registration_id"] for i in invoices}
    assert taken == CAPACITY
    assert numbers == list(range(1, len(numbers) + 1))  # no gap, none twice


ROUNDS = 3            # the safe race is run several times: every round must hold
UNSAFE_ROUNDS = 8     # the unsafe race is run until it oversells (it does not every time)


def test_fifty_concurrent_checkouts_for_five_seats_sell_exactly_five(
        new_org, api, rpc, registration_instances):
    registration_instances(2)
    org = new_org()
    people = shoppers_for(org, org.admin)
    for _ in range(ROUNDS):
        result = race(org, api, org.admin, people)
        assert_the_story_holds(rpc, org, org.admin, result)


def test_the_race_catches_an_unsafe_capacity_check(new_org, api, rpc, registration_instances):
    """With the naive check, two holds can both count a free seat before either is
    written. It does not happen in every round (the window is one RPC long), so rounds are
    run until one oversells; the checks of the safe test must then fail."""
    registration_instances(2, extra_env={"CARNET_UNSAFE_CAPACITY_CHECK": "1"})
    org = new_org()
    people = shoppers_for(org, org.admin)
    for _ in range(UNSAFE_ROUNDS):
        result = race(org, api, org.admin, people)
        if result["outcomes"]["paid"] > REMAINING:
            break
    else:
        pytest.fail(f"the unsafe check never oversold in {UNSAFE_ROUNDS} rounds")
    with pytest.raises(AssertionError):
        assert_the_story_holds(rpc, org, org.admin, result)
    invoices, confirmed, taken, _ = story(rpc, org, org.admin, result)
    assert taken > CAPACITY and len(confirmed) > REMAINING        # oversold …
    # … and billing and registration still agree with each other on what was sold
    assert {r["invoice_id"] for r in confirmed} == {i["id"] for i in invoices}
