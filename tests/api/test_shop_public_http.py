"""The shop's public read (docs/shop.md): a visitor with no token sees the org, its
programs, activities (session seats left), occurrences with à la carte availability and
what is on sale; nothing else of the org opens without a token, and another org's token is
still refused."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.client import Client, error_of


def in_days(days, hours=0):
    return (datetime.now(timezone.utc).replace(second=0, microsecond=0)
            + timedelta(days=days, hours=hours)).isoformat()


@pytest.fixture(scope="module")
def shop(new_org):
    org = new_org(name="Piscine publique")
    admin = org.admin
    program = admin.ok("POST", org.path("/programs"), json={"name": "Hiver"})
    activity = admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Natation", "accounting_code": "4100",
        "restrictions": {"min_age": 4, "max_age": 12},
        "session": {"enabled": True, "price": 9000, "capacity": 3},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 2,
                       "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    occurrence = admin.ok("POST", org.path(f"/activities/{activity['id']}/occurrences"),
                          json={"starts_at": in_days(3), "duration_minutes": 45})
    pass_type = admin.ok("POST", org.path("/pass-types"), json={
        "name": "Carte 10 bains", "price": 12000, "uses": 10, "valid_days": 90,
        "family": True, "eligible_activity_ids": [activity["id"]],
        "credit_on_cancel": True, "accounting_code": "4900"})
    membership = admin.ok("POST", org.path("/membership-types"), json={
        "name": "Membre", "price": 2500, "duration_days": 365, "accounting_code": "4800"})
    plan = admin.ok("POST", org.path("/subscription-plans"), json={
        "name": "Illimité", "monthly_price": 4000, "activity_ids": [activity["id"]],
        "accounting_code": "4700"})
    return {"org": org, "program": program, "activity": activity, "occurrence": occurrence,
            "pass_type": pass_type, "membership": membership, "plan": plan}


def test_a_visitor_reads_the_catalog_without_a_token(shop, api):
    org = shop["org"]
    anonymous = Client(api.base)
    assert anonymous.ok("GET", org.path("/shop"))["currency"] == "CAD"
    assert [p["id"] for p in anonymous.ok("GET", org.path("/shop/programs"))["items"]] == \
        [shop["program"]["id"]]
    [activity] = anonymous.ok("GET", org.path("/shop/activities"))["items"]
    assert activity["restrictions"]["min_age"] == 4
    assert activity["session"]["capacity"] == 3 and activity["session"]["available"] == 3
    [occurrence] = anonymous.ok(
        "GET", org.path(f"/shop/activities/{activity['id']}/occurrences"))["items"]
    assert occurrence["a_la_carte"]["available"] == 2 and occurrence["a_la_carte"]["bookable"]
    assert [t["id"] for t in anonymous.ok("GET", org.path("/shop/pass-types"))["items"]] == \
        [shop["pass_type"]["id"]]
    assert [t["id"] for t in anonymous.ok("GET", org.path("/shop/membership-types"))["items"]] \
        == [shop["membership"]["id"]]
    assert [p["id"] for p in anonymous.ok("GET", org.path("/shop/subscription-plans"))["items"]] \
        == [shop["plan"]["id"]]


def test_seats_left_follow_holds_in_both_pools(shop, api):
    org, activity = shop["org"], shop["activity"]
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    account = api.ok("POST", org.path("/accounts"), json={
        "email": email, "password": "correct horse battery", "name": "Roy",
        "members": [{"first_name": "Léa", "last_name": "Roy", "birth_date": "2019-05-01"}]})
    token = api.ok("POST", "/auth/login", json={"org_id": org.id, "email": email,
                                                "password": "correct horse battery"})["token"]
    customer = api.with_token(token)
    cart = customer.ok("POST", org.path("/carts"), json={"account_id": account["id"]})
    member = account["members"][0]["id"]
    for item in ({"type": "session", "activity_id": activity["id"]},
                 {"type": "a_la_carte", "occurrence_id": shop["occurrence"]["id"]}):
        customer.ok("POST", org.path(f"/carts/{cart['id']}/items"),
                    json=dict(item, member_id=member))
    anonymous = Client(api.base)
    [listed] = anonymous.ok("GET", org.path("/shop/activities"))["items"]
    assert (listed["session"]["taken"], listed["session"]["available"]) == (1, 2)
    [occurrence] = anonymous.ok(
        "GET", org.path(f"/shop/activities/{activity['id']}/occurrences"))["items"]
    assert (occurrence["a_la_carte"]["taken"], occurrence["a_la_carte"]["available"]) == (1, 1)
    # a customer's own token reads the same public routes
    assert customer.ok("GET", org.path("/shop/activities"))["items"][0]["id"] == activity["id"]


def test_only_the_shop_routes_are_public(shop, api, new_org):
    org = shop["org"]
    anonymous = Client(api.base)
    error_of(anonymous.get(org.path("/activities")), 401, "unauthenticated")
    error_of(anonymous.get(org.path("/accounts"), params={"q": "Roy"}), 401, "unauthenticated")
    error_of(new_org(name="Autre").admin.get(org.path("/shop/activities")), 403, "forbidden")
    error_of(anonymous.get("/orgs/org_nope/shop"), 404, "not_found")


def test_the_public_routes_are_in_the_openapi_spec(api):
    paths = api.get("/openapi.json").json()["paths"]
    for suffix in ("/shop", "/shop/programs", "/shop/activities",
                   "/shop/activities/{activity_id}/occurrences", "/shop/pass-types",
                   "/shop/membership-types", "/shop/subscription-plans"):
        assert "get" in paths["/api/v1/orgs/{org}" + suffix], suffix
