"""The routes the desk's client file added to the public API (docs/desk.md): an account's
memberships and a bundle's ledger (R2.12, R4.1, R4.5), with their access rules, and their
place in the OpenAPI spec."""
import pytest

from tests.support.client import error_of


@pytest.fixture(scope="module")
def salon(api, new_org):
    org = new_org("Salon Desk API", "Europe/Paris", "EUR")
    admin = org.admin
    service = admin.ok("POST", org.path("/services"), json={
        "name": "Massage", "duration_minutes": 60, "price": 8000})
    bundle_type = admin.ok("POST", org.path("/bundle-types"), json={
        "name": "10 + 1", "divisions": [{"name": "10 + 1",
                                         "items": [{"service_id": service["id"], "count": 11}],
                                         "price": 80000}]})
    membership_type = admin.ok("POST", org.path("/membership-types"), json={
        "name": "Annuel", "price": 2000, "duration_days": 365})
    account = admin.ok("POST", org.path("/accounts"), json={
        "email": "ana@example.com", "name": "Ana", "password": "correct horse battery",
        "members": [{"first_name": "Ana", "last_name": "Lopes", "birth_date": "1990-01-01"}]})
    member = account["members"][0]["id"]
    cart = admin.ok("POST", org.path("/carts"), json={"account_id": account["id"]})
    for item in ({"type": "bundle", "bundle_type_id": bundle_type["id"], "division": "10 + 1"},
                 {"type": "membership", "membership_type_id": membership_type["id"]}):
        admin.ok("POST", org.path(f"/carts/{cart['id']}/items"), json=dict(item, member_id=member))
    sold = admin.ok("POST", org.path(f"/carts/{cart['id']}/checkout"),
                    json={"payment": {"method": "cash"}})
    org.account, org.member, org.service, org.sold = account, member, service, sold
    return org


def test_an_accounts_memberships_are_listed_with_their_status(salon, api):
    listed = salon.admin.ok("GET", salon.path(f"/accounts/{salon.account['id']}/memberships"))
    assert [(m["name"], m["member_id"], m["status"]) for m in listed["items"]] == \
        [("Annuel", salon.member, "active")]
    assert listed["items"][0]["id"] == salon.sold["memberships"][0]["id"]

    # The customer who owns the account reads it; another customer does not.
    token = api.ok("POST", "/auth/login", json={"org_id": salon.id, "email": "ana@example.com",
                                                "password": "correct horse battery"})["token"]
    assert api.with_token(token).ok("GET", salon.path(
        f"/accounts/{salon.account['id']}/memberships"))["items"][0]["name"] == "Annuel"
    other = salon.admin.ok("POST", salon.path("/accounts"), json={
        "email": "bo@example.com", "name": "Bo", "password": "correct horse battery",
        "members": [{"first_name": "Bo", "last_name": "Li", "birth_date": "1991-01-01"}]})
    other_token = api.ok("POST", "/auth/login", json={
        "org_id": salon.id, "email": "bo@example.com",
        "password": "correct horse battery"})["token"]
    error_of(api.with_token(other_token).get(salon.path(
        f"/accounts/{salon.account['id']}/memberships")), 403, "forbidden")
    assert salon.admin.ok("GET", salon.path(f"/accounts/{other['id']}/memberships"))["items"] == []
    error_of(salon.admin.get(salon.path("/accounts/acc_nope/memberships")), 404)
    error_of(api.get(salon.path(f"/accounts/{salon.account['id']}/memberships")), 401)


def test_a_bundles_ledger_follows_bookings_and_uses(salon, api):
    bundle = salon.sold["bundles"][0]
    appointment = salon.admin.ok("POST", salon.path("/appointments"), json={
        "member_id": salon.member, "service_id": salon.service["id"],
        "starts_at": "2030-06-03T10:00:00+02:00", "bundle_id": bundle["id"]})
    assert appointment["price"] == 0
    ledger = salon.admin.ok("GET", salon.path(f"/bundles/{bundle['id']}/ledger"))
    assert ledger["bundle"]["id"] == bundle["id"]
    kinds = [e["kind"] for e in ledger["items"]]
    assert len(kinds) >= 2, kinds  # the sale, then the booking
    last = ledger["items"][-1]
    assert last["appointment_id"] == appointment["id"]
    assert (last["total"], last["booked"], last["used"]) == (0, 1, 0)  # entries are moves
    sums = [sum(e[k] for e in ledger["items"]) for k in ("total", "booked", "used")]
    assert sums == [11, 1, 0]  # the balance is the sum of the ledger (R4.1)

    salon.admin.ok("DELETE", salon.path(f"/appointments/{appointment['id']}/bundle"))
    after = salon.admin.ok("GET", salon.path(f"/bundles/{bundle['id']}/ledger"))["items"]
    assert len(after) == len(kinds) + 1
    assert (after[-1]["booked"], after[-1]["used"]) == (-1, 0)
    assert sum(e["booked"] for e in after) == 0

    error_of(salon.admin.get(salon.path("/bundles/bnd_nope/ledger")), 404)
    token = api.ok("POST", "/auth/login", json={"org_id": salon.id, "email": "ana@example.com",
                                                "password": "correct horse battery"})["token"]
    error_of(api.with_token(token).get(salon.path(f"/bundles/{bundle['id']}/ledger")),
             403, "forbidden")


def test_the_routes_are_in_the_openapi_spec(api):
    spec = api.ok("GET", "/openapi.json")
    paths = spec["paths"]
    assert "get" in paths["/api/v1/orgs/{org}/accounts/{account_id}/memberships"]
    assert "get" in paths["/api/v1/orgs/{org}/bundles/{bundle_id}/ledger"]
