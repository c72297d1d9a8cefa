"""Idempotency-Key on the POSTs that were missing it (issue 11, item 7): adding an item to
a cart (it holds a seat) and a billing run."""
import uuid

import pytest

from tests.api.test_sales_cart import Shop


@pytest.fixture(scope="module")
def shop(new_org, api):
    return Shop(new_org(name="Rejouer"), api)


def test_a_retried_add_to_cart_holds_one_seat(shop):
    _, occurrence = shop.activity(capacity=5)
    account, client = shop.customer()
    cart = shop.cart(client, account)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"type": "a_la_carte", "member_id": account["members"][0]["id"],
            "occurrence_id": occurrence["id"]}
    first = client.post(shop.path(f"/carts/{cart['id']}/items"), json=body, headers=key)
    again = client.post(shop.path(f"/carts/{cart['id']}/items"), json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert [i["id"] for i in client.ok("GET", shop.path(f"/carts/{cart['id']}"))["items"]] \
        == [first.json()["id"]]
    taken = shop.staff.ok("GET", shop.path(f"/occurrences/{occurrence['id']}"))
    assert taken["a_la_carte"]["taken"] == 1
    # the same key with another body is a mistake
    other = client.post(shop.path(f"/carts/{cart['id']}/items"),
                        json=dict(body, member_id="mem_other"), headers=key)
    assert other.status_code == 409 and \
        other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_retried_billing_run_is_answered_once(shop):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = shop.admin.post(shop.path("/billing-runs"), json={}, headers=key)
    again = shop.admin.post(shop.path("/billing-runs"), json={}, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
