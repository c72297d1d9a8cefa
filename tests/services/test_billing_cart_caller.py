"""billing refuses a customer another account's cart itself (R1.2, issue 14): the gateway
passes who calls (``caller_role``, ``caller_account_id``) with ``add_item``,
``remove_item`` and ``checkout`` instead of asking ``get_cart`` first."""
import uuid

import pytest

from services.billing.contract.errors import CartEmpty, CartItemNotFound, NotYourCart


@pytest.fixture(scope="module")
def shop(rpc):
    org = rpc.call("catalog", "create_org", {"name": "Caller test", "timezone": "UTC",
                                              "currency": "CAD", "locale": "en"})

    def household():
        tag = uuid.uuid4().hex[:8]
        return rpc.call("accounts", "create_account", org["id"], {
            "email": f"caller-{tag}@example.org", "name": f"Caller {tag}",
            "members": [{"first_name": "M", "last_name": tag, "birth_date": "1990-01-01"}]})

    mine, theirs = household(), household()
    cart = rpc.call("billing", "create_cart", org["id"], {"account_id": theirs["id"]})
    return {"org": org["id"], "mine": mine, "theirs": theirs, "cart": cart["id"]}


def test_a_customer_is_refused_another_accounts_cart(rpc, shop):
    org, cart = shop["org"], shop["cart"]
    stranger = {"caller_role": "customer", "caller_account_id": shop["mine"]["id"]}
    with pytest.raises(NotYourCart):
        rpc.call("billing", "add_item", org, cart, {
            "type": "membership", "membership_type_id": "mbt_x",
            "member_id": shop["mine"]["members"][0]["id"]}, **stranger)
    with pytest.raises(NotYourCart):
        rpc.call("billing", "remove_item", org, cart, "itm_x", **stranger)
    with pytest.raises(NotYourCart):
        rpc.call("billing", "checkout", org, cart, {"payment": {"method": "card",
                                                                "card_token": "tok_ok"}},
                 **stranger)


def test_the_owner_and_staff_get_past_the_check(rpc, shop):
    org, cart = shop["org"], shop["cart"]
    owner = {"caller_role": "customer", "caller_account_id": shop["theirs"]["id"]}
    staff = {"caller_role": "staff", "caller_account_id": None}
    for caller in (owner, staff):
        with pytest.raises(CartItemNotFound):
            rpc.call("billing", "remove_item", org, cart, "itm_x", **caller)
        with pytest.raises(CartEmpty):
            rpc.call("billing", "checkout", org, cart, {"payment": {
                "method": "card", "card_token": "tok_ok"}}, **caller)
