"""A checkout step refused after the card was charged is undone (R6.2): the hold lapsed,
someone else took the seat, so registration refuses to confirm (``hold_expired``); billing
refunds the charge, issues no invoice, and reopens the cart.

Registration runs here with holds of 2 seconds (``CARNET_HOLD_TTL_SECONDS``) so a hold can
lapse during the test; the test waits for that by polling the seat, not by sleeping.
"""
import signal
import time

import pytest

from services.billing.adapters.sandbox_provider import SandboxPaymentProvider
from services.common import db
from tests.api import test_checkout_support as shop
from tests.support.client import error_of


@pytest.fixture
def short_holds(stack):
    stack.kill_service("registration", sig=signal.SIGTERM)
    stack.start_service("registration", extra_env={"CARNET_HOLD_TTL_SECONDS": "2",
                                                   "CARNET_HOLD_SWEEP_INTERVAL": "1"})
    yield
    stack.kill_service("registration", sig=signal.SIGTERM)
    stack.scale("registration", 1)


@pytest.fixture
def sandbox(test_env):
    """The sandbox provider's own records (what a real provider's dashboard would show)."""
    engine = db.make_engine(test_env.env["BILLING_DATABASE_URL"], pool_size=2)
    yield SandboxPaymentProvider(engine)
    engine.dispose()


def test_a_refused_confirmation_after_the_charge_refunds_it(new_org, short_holds, sandbox):
    org = new_org()
    admin = org.admin
    _, occurrence = shop.setup_activity(admin, org, session_capacity=None, a_la_carte_capacity=1)
    (account_id, member_id), (other_account, other_member) = shop.people(admin, org, 2)
    cart = shop.new_cart(admin, org, account_id)
    assert shop.add_a_la_carte(admin, org, cart["id"], member_id,
                               occurrence["id"]).status_code == 201

    # once the hold has lapsed, the other client takes the only seat
    other_cart = shop.new_cart(admin, org, other_account)
    deadline = time.monotonic() + 30
    while True:
        taken = shop.add_a_la_carte(admin, org, other_cart["id"], other_member,
                                    occurrence["id"])
        if taken.status_code == 201:
            break
        error_of(taken, 409, "sold_out")
        assert time.monotonic() < deadline, "the hold never lapsed"
        time.sleep(0.2)  # polling interval between two attempts

    refused = error_of(shop.pay(admin, org, cart["id"], "card", "tok_ok"), 409, "hold_expired")
    checkout_id = refused["details"]["checkout_id"]
    charges = sandbox.charges(f"checkout:{checkout_id}")
    refunds = sandbox.charges(f"refund:{checkout_id}")
    assert [(c["kind"], c["status"], c["amount"]) for c in charges] == \
        [("charge", "succeeded", 1500)]
    assert [(r["kind"], r["amount"], r["charge_id"]) for r in refunds] == \
        [("refund", 1500, charges[0]["id"])]

    assert shop.invoices_of(admin, org, account_id) == []
    assert admin.ok("GET", org.path(f"/carts/{cart['id']}"))["status"] == "open"
    # the other client's checkout goes through, and takes invoice number 1: no gap
    paid = shop.pay(admin, org, other_cart["id"], "cash")
    assert paid.status_code == 200 and paid.json()["invoice"]["number"] == 1
