"""A crash in the middle of checkouts that sell passes (R6.3, R3.10): once the services are
back and billing's recovery has settled, every pass line of an invoice has its pass (sold on
that invoice, once), no pass is sold on an invoice that does not exist, and the seat paid
with the pass bought in the same cart is confirmed with that pass debited.

The passes service is killed for real (SIGKILL) while the checkouts run, then started
again; the test then polls the public state until no checkout is left half-way.
"""
import uuid

from tests.api import test_checkout_support as shop
from tests.api.test_recovery_checkout import check_out_all_and_crash, wait_until_settled
from tests.api.test_sales_cart import Shop

SHOPPERS = 12


def test_killing_passes_mid_checkout_leaves_every_sale_whole(new_org, api, rpc, stack):
    centre = Shop(new_org(), api)
    org, admin = centre.org, centre.org.admin
    activity, occurrence = centre.activity(pass_only=True, capacity=SHOPPERS + 5)
    kind = centre.pass_type([activity], uses=4, family=True, price=3000)
    carts = []
    for account_id, member_id in shop.people(admin, org, SHOPPERS, per_household=1):
        cart = shop.new_cart(admin, org, account_id)
        pass_item = admin.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201,
                             json={"type": "pass", "pass_type_id": kind["id"]})
        admin.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201, json={
            "type": "a_la_carte", "member_id": member_id, "occurrence_id": occurrence["id"],
            "pay_with": {"cart_item_id": pass_item["id"]}})
        carts.append({"id": cart["id"], "account_id": account_id,
                      "key": f"checkout-{uuid.uuid4()}"})

    statuses = check_out_all_and_crash(api, org, admin, carts,
                                       crash=lambda: stack.kill_service("passes"))
    stack.scale("passes", 1)
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses, "the crash came too late to interrupt any checkout"

    states = wait_until_settled(admin, org, carts)
    # the holds were live: recovery finished every interrupted checkout
    assert [s["status"] for s in states] == ["checked_out"] * len(carts)
    for cart, state in zip(carts, states):
        (invoice,) = shop.invoices_of(admin, org, cart["account_id"])
        assert invoice["id"] == state["invoice_id"] and invoice["status"] == "paid"
        lines = {line["type"]: line for line in invoice["lines"]}
        passes = admin.ok("GET", org.path(f"/accounts/{cart['account_id']}/passes"))["items"]
        (sold,) = passes  # one pass, sold once, on this invoice
        assert lines["pass"]["reference"]["pass_id"] == sold["id"]
        assert rpc.call("passes", "get_pass", org.id, sold["id"])["uses_left"] == 3
        registration = rpc.call("registration", "get_registration", org.id,
                                lines["a_la_carte"]["registration_id"])
        assert registration["status"] == "confirmed"
        assert registration["paid_with"] == {"type": "pass", "id": sold["id"]}
        assert registration["invoice_id"] == invoice["id"]
        again = shop.pay(admin, org, cart["id"], "card", "tok_ok", key=cart["key"])
        assert again.status_code == 200, again.text
        assert [p["id"] for p in again.json()["passes"]] == [sold["id"]]
