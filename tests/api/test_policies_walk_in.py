"""A walk-in client at the counter (R8.3): a drop-in seat sold with a name only, paid on
the spot, without creating a household; what needs a client is refused
(``client_required``, R4.4)."""
import pytest

from tests.api import test_checkout_support as shop
from tests.support.client import error_of

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def staff(org):
    return org.client("staff")


def walk_in_cart(staff, org, name="Jeanne Passante"):
    return staff.ok("POST", org.path("/carts"), expect=201, json={"walk_in": {"name": name}})


def test_a_drop_in_seat_is_sold_cash_to_a_name(org, staff, api):
    activity, occurrence = shop.setup_activity(org.admin, org, a_la_carte_capacity=2,
                                               accounting_code="4180")
    cart = walk_in_cart(staff, org)
    assert cart["walk_in"] == {"name": "Jeanne Passante"}
    assert cart["account_id"].startswith("walkin")
    added = staff.post(org.path(f"/carts/{cart['id']}/items"),
                       json={"type": "a_la_carte", "occurrence_id": occurrence["id"]})
    assert added.status_code == 201, added.text
    assert added.json()["price"] == 1500
    paid = shop.pay(staff, org, cart["id"], method="cash")
    assert paid.status_code == 200, paid.text
    (registration,) = paid.json()["registrations"]
    assert registration["member_name"] == "Jeanne Passante"
    invoice = paid.json()["invoice"]
    assert invoice["total"] == 1500 and invoice["payments"][0]["method"] == "cash"
    assert invoice["lines"][0]["accounting_code"] == "4180"
    seats = staff.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    assert seats[0]["a_la_carte"]["taken"] == 1
    participants = staff.ok("GET", org.path(f"/activities/{activity['id']}/registrations"))
    assert participants["a_la_carte_count"] == 1
    # nobody was signed up: no account behind the walk-in id
    error_of(staff.get(org.path(f"/accounts/{cart['account_id']}")), 404)


def test_what_needs_a_client_is_refused(org, staff, api):
    activity, occurrence = shop.setup_activity(org.admin, org)
    restricted, restricted_occurrence = shop.setup_activity(org.admin, org)
    org.admin.ok("PATCH", org.path(f"/activities/{restricted['id']}"),
                 json={"restrictions": {"min_age": 18}})
    bundle_service = org.admin.ok("POST", org.path("/services"), json={
        "name": "Massage", "duration_minutes": 60, "price": 8000})
    bundle_type = org.admin.ok("POST", org.path("/bundle-types"), json={
        "name": "5 massages", "divisions": [{"name": "5", "items": [
            {"service_id": bundle_service["id"], "count": 5}]}]})
    pass_type = org.admin.ok("POST", org.path("/pass-types"), json={
        "name": "Carte 10", "price": 10000, "uses": 10, "valid_days": 90, "family": False,
        "eligible_activity_ids": [activity["id"]], "credit_on_cancel": True})
    cart = walk_in_cart(staff, org, "Paul")
    items = org.path(f"/carts/{cart['id']}/items")
    for body in ({"type": "session", "activity_id": activity["id"]},
                 {"type": "pass", "pass_type_id": pass_type["id"]},
                 {"type": "bundle", "bundle_type_id": bundle_type["id"], "division": "5"},
                 {"type": "a_la_carte", "occurrence_id": restricted_occurrence["id"]}):
        error_of(staff.post(items, json=body), 409, "client_required")
    assert staff.ok("GET", org.path(f"/carts/{cart['id']}"))["items"] == []

    # a customer cannot open a walk-in cart; a cart names an account or a walk-in
    account = shop.household(api, org, 1, password=PASSWORD)
    client = api.with_token(api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": account["email"], "password": PASSWORD})["token"])
    error_of(client.post(org.path("/carts"), json={"walk_in": {"name": "Me"}}), 403)
    error_of(staff.post(org.path("/carts"), json={}), 400, "validation_error")
    error_of(staff.post(org.path("/carts"), json={"account_id": account["id"],
                                                  "walk_in": {"name": "X"}}), 400,
             "validation_error")
