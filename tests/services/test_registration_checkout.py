"""The checkout saga between billing and registration (docs/contracts.md), through both real
services: a cart item holds a seat, checkout confirms it, a client's cancellation frees the
seat and billing credits the money (R3.5), voiding the invoice frees the seats (R3.7)."""
import pytest

from tests.services.test_registration_support import Shop, in_days, listening, refused


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


def cart_with(shop, household, member, **item):
    cart = shop.call("billing", "create_cart", shop.org_id, {"account_id": household["id"]})
    added = shop.call("billing", "add_item", shop.org_id, cart["id"],
                      dict(member_id=member["id"], **item))
    return cart, added


def test_checkout_confirms_and_a_client_cancellation_is_credited(shop, test_env):
    _, (occurrence,) = shop.activity(
        a_la_carte={"capacity": 1, "price": 1500,
                    "cancellation": {"allowed": True, "deadline_minutes_before": 60}},
        starts=[in_days(2)])
    household = shop.household({}, {})
    first, second = household["members"]
    cart, item = cart_with(shop, household, first, type="a_la_carte",
                           occurrence_id=occurrence["id"])
    assert item["registration_id"] and item["hold_expires_at"] and item["price"] == 1500
    # The seat is held by the cart: another cart cannot take it.
    refused(lambda: cart_with(shop, household, second, type="a_la_carte",
                              occurrence_id=occurrence["id"]), "sold_out")

    done = shop.call("billing", "checkout", shop.org_id, cart["id"],
                     {"payment": {"method": "cash"}})
    (registration,) = done["registrations"]
    assert registration["id"] == item["registration_id"]
    assert registration["status"] == "confirmed"
    assert registration["invoice_id"] == done["invoice"]["id"]

    with listening(test_env, "account_credited", service="billing") as credits:
        cancelled = shop.reg("cancel", registration["id"], {"by_staff": False})
        credited = credits.wait_for("account_credited",
                                    lambda e: e["data"].get("ref") == registration["id"])
    assert cancelled["status"] == "cancelled"
    assert credited["data"]["amount"] == 1500
    assert credited["data"]["account_id"] == household["id"]
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0
    cart_with(shop, household, second, type="a_la_carte", occurrence_id=occurrence["id"])


def test_voiding_the_invoice_cancels_its_registrations(shop):
    activity, (occurrence,) = shop.activity(session={"capacity": 1}, starts=[in_days(2)])
    household = shop.household({}, {})
    first, second = household["members"]
    cart, _ = cart_with(shop, household, first, type="session", activity_id=activity["id"])
    done = shop.call("billing", "checkout", shop.org_id, cart["id"],
                     {"payment": {"method": "cash"}})
    refused(lambda: cart_with(shop, household, second, type="session",
                              activity_id=activity["id"]), "sold_out")
    shop.call("billing", "void_invoice", shop.org_id, done["invoice"]["id"],
              {"reason": "entered twice"})
    registration = shop.reg("get_registration", done["registrations"][0]["id"])
    assert (registration["status"], registration["cancelled_by"]) == ("cancelled",
                                                                      "invoice_void")
    assert shop.taken(occurrence)["session_taken"] == 0
    cart_with(shop, household, second, type="session", activity_id=activity["id"])


def test_removing_the_cart_item_releases_the_hold(shop):
    _, (occurrence,) = shop.activity(a_la_carte={"capacity": 1}, starts=[in_days(2)])
    household = shop.household({}, {})
    first, second = household["members"]
    cart, item = cart_with(shop, household, first, type="a_la_carte",
                           occurrence_id=occurrence["id"])
    shop.call("billing", "remove_item", shop.org_id, cart["id"], item["id"])
    assert shop.reg("get_registration", item["registration_id"])["status"] == "released"
    cart_with(shop, household, second, type="a_la_carte", occurrence_id=occurrence["id"])
