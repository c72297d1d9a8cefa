"""A crash in the middle of checkouts leaves whole checkouts or none (R6.1, R6.2): never an
invoice without its confirmed registrations, never a confirmed registration without its
invoice, once the services are back and billing's recovery has settled.

Services are killed for real (SIGKILL: no cleanup, messages in flight stay unacknowledged)
while checkouts run, then started again; the test then polls the public state until no
checkout is left half-way, and checks it from both sides (billing and registration).
"""
import threading
import time
import uuid

import pytest

from tests.api import test_checkout_support as shop

SHOPPERS = 24
SETTLE_SECONDS = 120


@pytest.fixture
def org(new_org):
    return new_org()


def prepare(org, admin, count=SHOPPERS):
    """``count`` carts, each holding one à la carte seat of a roomy occurrence."""
    activity, occurrence = shop.setup_activity(admin, org, session_capacity=None,
                                               a_la_carte_capacity=count + 10)
    carts = []
    for account_id, member_id in shop.people(admin, org, count):
        cart = shop.new_cart(admin, org, account_id)
        assert shop.add_a_la_carte(admin, org, cart["id"], member_id,
                                   occurrence["id"]).status_code == 201
        carts.append({"id": cart["id"], "account_id": account_id,
                      "key": f"checkout-{uuid.uuid4()}"})
    return activity, occurrence, carts


def check_out_all_and_crash(api, org, admin, carts, crash):
    """Every cart checked out by its own client; ``crash()`` runs once the first answer is
    back, while the others are still in flight. Returns the HTTP statuses."""
    first_answer = threading.Event()
    start = threading.Barrier(len(carts))
    statuses = [None] * len(carts)

    def client(index):
        http = api.with_token(admin.token)
        start.wait()
        try:
            statuses[index] = shop.pay(http, org, carts[index]["id"], "card", "tok_ok",
                                       key=carts[index]["key"]).status_code
        except Exception as error:
            statuses[index] = repr(error)
        first_answer.set()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(carts))]
    for thread in threads:
        thread.start()
    assert first_answer.wait(60), "no checkout answered"
    crash()
    for thread in threads:
        thread.join()
    return statuses


def wait_until_settled(admin, org, carts):
    """Poll the carts until none is still being checked out (recovery has finished)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        states = [admin.ok("GET", org.path(f"/carts/{c['id']}")) for c in carts]
        if all(s["status"] != "checking_out" for s in states):
            return states
        if time.monotonic() > deadline:
            pending = [s["id"] for s in states if s["status"] == "checking_out"]
            raise AssertionError(f"checkouts still unfinished after {SETTLE_SECONDS}s: "
                                 f"{pending}")
        time.sleep(0.5)  # polling interval between two looks, not a synchronisation


def registrations_of(rpc, org, occurrence):
    items, cursor = [], None
    while True:
        page = rpc.call("registration", "list_registrations", org.id,
                        occurrence_id=occurrence["id"], limit=200, cursor=cursor)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def assert_whole_or_nothing(admin, rpc, org, occurrence, carts, states):
    registrations = {r["id"]: r for r in registrations_of(rpc, org, occurrence)}
    invoices = {i["id"]: i for c in carts for i in shop.invoices_of(admin, org, c["account_id"])}
    for cart in states:
        item = cart["items"][0]
        registration = registrations[item["registration_id"]]
        if cart["status"] == "checked_out":
            invoice = invoices[cart["invoice_id"]]
            assert invoice["status"] == "paid"
            assert [l["registration_id"] for l in invoice["lines"]] == [registration["id"]]
            assert registration["status"] == "confirmed", registration
            assert registration["invoice_id"] == invoice["id"]
        else:
            assert cart["status"] == "open"
            assert registration["status"] != "confirmed", registration
            assert not [i for i in invoices.values() if i["cart_id"] == cart["id"]]
    # and from registration's side: every confirmed seat has its paid invoice
    for registration in registrations.values():
        if registration["status"] == "confirmed":
            invoice = invoices.get(registration["invoice_id"])
            assert invoice is not None and invoice["status"] == "paid", registration
            assert registration["id"] in [l["registration_id"] for l in invoice["lines"]]
    numbers = sorted(i["number"] for i in invoices.values())
    assert numbers == list(range(1, len(numbers) + 1))


def assert_retries_get_the_outcome(admin, org, carts, states):
    """A client that got no answer retries with its key and learns what happened."""
    for cart, state in zip(carts, states):
        again = shop.pay(admin, org, cart["id"], "card", "tok_ok", key=cart["key"])
        if state["status"] == "checked_out":
            assert again.status_code == 200, again.text
            assert again.json()["invoice"]["id"] == state["invoice_id"]
        else:  # never recorded, or undone: a retry is a new attempt, refused or paid now
            assert again.status_code == 200 or 400 <= again.status_code < 500, again.text


def test_killing_registration_mid_checkout_leaves_whole_checkouts_or_none(org, api, rpc,
                                                                          stack):
    admin = org.admin
    _, occurrence, carts = prepare(org, admin)
    statuses = check_out_all_and_crash(
        api, org, admin, carts, crash=lambda: stack.kill_service("registration"))
    stack.scale("registration", 1)
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses, "the crash came too late to interrupt any checkout"

    states = wait_until_settled(admin, org, carts)
    assert_whole_or_nothing(admin, rpc, org, occurrence, carts, states)
    assert_retries_get_the_outcome(admin, org, carts, states)
    # the holds were live, so recovery could finish every interrupted checkout
    assert all(s["status"] == "checked_out" for s in states)


def test_killing_billing_mid_checkout_is_resumed_by_the_next_instance(org, api, rpc, stack):
    """Billing dies between steps (its lease on each checkout then lapses); a new instance
    finds the interrupted checkouts and finishes them, charging no card twice."""
    admin = org.admin
    _, occurrence, carts = prepare(org, admin, count=16)

    statuses = check_out_all_and_crash(api, org, admin, carts,
                                       crash=lambda: stack.kill_service("billing"))
    stack.scale("billing", 1)
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses, "the crash came too late to interrupt any checkout"

    states = wait_until_settled(admin, org, carts)
    assert_whole_or_nothing(admin, rpc, org, occurrence, carts, states)
    assert_retries_get_the_outcome(admin, org, carts, states)
