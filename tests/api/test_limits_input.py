"""Never a 500 for bad input (docs/http-api.md; issue 11, item 5): what used to answer 500 now
answers 400 ``validation_error`` naming the field, and what the schemas accept is stored
and shown as it should be on both databases (docs/limits.md lists the bounds)."""
import re
import uuid

import pytest

from services.common.schemas import MAX_MONEY, MAX_STRING
from tests.api.test_sales_cart import Shop, in_days
from tests.support.client import error_of

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def shop(new_org, api):
    return Shop(new_org(name="Limites"), api)


def invalid(response, field=None):
    error = error_of(response, 400, "validation_error")
    if field is not None:
        assert field in error["details"], error
    return error


def nested(depth):
    return "[" * depth + "]" * depth


def test_deeply_nested_json_is_refused_before_it_is_parsed(shop, api):
    for client, path in ((api, "/auth/token"), (shop.admin, shop.path("/programs"))):
        response = client.session.post(
            client.base + "/api/v1" + path, data=nested(100_000),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {client.token}"} if client.token else {})},
            timeout=60)
        invalid(response, "body")
    # within the depth limit but still too deep for the contract: refused by the schema
    deep = {"name": "x"}
    for _ in range(40):
        deep = {"a": deep}
    invalid(shop.admin.post(shop.path("/programs"), json={"name": deep}))


@pytest.mark.parametrize("text, reason", [
    ("Yoga \ud800 doux", "surrogate"), ("Yoga\x00doux", "NUL")])
def test_strings_that_cannot_be_stored_are_refused_anywhere(shop, api, text, reason):
    error = invalid(shop.admin.post(shop.path("/programs"), json={"name": text}), "name")
    assert reason in " ".join(error["details"]["name"])
    invalid(api.post("/auth/token", json={"api_key": text}))
    invalid(api.post("/auth/login", json={"org_id": shop.org.id, "email": "a@b.org",
                                          "password": text}))
    # nested, in a list, as a dict key
    invalid(shop.admin.post(shop.path("/activities"), json={
        "program_id": shop.program["id"], "name": "Yoga", "accounting_code": "4200",
        "restrictions": {"skills": [text]}}))
    invalid(shop.admin.post(shop.path("/programs"), json={"name": "Yoga", text: 1}))


def test_nul_in_a_path_or_query_is_refused(shop):
    invalid(shop.admin.get(shop.path("/programs/prg%00x")))
    invalid(shop.admin.get(shop.path("/activities"), params={"program_id": "prg\x00x"}))


def test_strings_have_a_length_bound(shop):
    invalid(shop.admin.post(shop.path("/programs"), json={"name": "x" * (MAX_STRING + 1)}),
            "name")


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00",
                                     "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z"])
def test_dates_out_of_bounds_are_refused_in_occurrences_appointments_agenda_and_passes(
        shop, instant):
    activity, _ = shop.activity()
    invalid(shop.admin.post(shop.path(f"/activities/{activity['id']}/occurrences"),
                            json={"starts_at": instant, "duration_minutes": 45}), "starts_at")
    invalid(shop.staff.post(shop.path("/appointments"), json={
        "member_id": "mem_x", "service_id": "svc_x", "starts_at": instant},
        headers={"Idempotency-Key": uuid.uuid4().hex}), "starts_at")
    day = instant[:10]
    invalid(shop.staff.get(shop.path("/agenda"), params={"date": day}), "date")
    invalid(shop.staff.patch(shop.path("/passes/pas_x"),
                             json={"expires_at": day, "reason": "prolongé"}), "expires_at")
    invalid(shop.staff.patch(shop.path("/passes/pas_x"),
                             json={"expires_at": instant, "reason": "prolongé"}), "expires_at")
    invalid(shop.staff.get(shop.path(f"/activities/{activity['id']}/occurrences"),
                           params={"from": day}), "from")


def test_integers_beyond_their_bounds_are_refused(shop):
    kind = shop.pass_type([shop.activity()[0]])
    invalid(shop.staff.get(shop.path(f"/pass-types/{kind['id']}"),
                           params={"terms_version": str(2 ** 70)}), "terms_version")
    invalid(shop.admin.post(shop.path("/pass-types"), json={
        "name": "Carte", "price": MAX_MONEY + 1, "uses": 3, "valid_days": 60,
        "family": True, "eligible_activity_ids": [], "credit_on_cancel": True,
        "accounting_code": "4900"}), "price")


def test_money_beyond_32_bits_is_sold_invoiced_and_shown(shop):
    """The catalog accepts up to 10^11 minor units; billing and registration store it."""
    price = 3_000_000_000  # > 2^31
    activity, occurrence = shop.activity(price=price)
    account, client = shop.customer()
    cart = shop.cart(client, account)
    item = client.ok("POST", shop.path(f"/carts/{cart['id']}/items"), json={
        "type": "a_la_carte", "member_id": account["members"][0]["id"],
        "occurrence_id": occurrence["id"]}, expect=201)
    assert item["price"] == price
    result = shop.checkout(shop.staff, cart, method="cash", card_token=None)
    assert result["invoice"]["total"] == price
    invoice = shop.staff.ok("GET", shop.path(f"/invoices/{result['invoice']['id']}"))
    assert [(p["method"], p["amount"]) for p in invoice["payments"]] == [("cash", price)]
    (registration,) = result["registrations"]
    assert client.ok("GET", shop.path(f"/registrations/{registration['id']}"))["price"] == price


def test_instants_in_local_mean_time_are_still_rfc3339(new_org, api):
    """Amsterdam kept local mean time (+00:19:32) until 1937: an occurrence then is shown
    in UTC rather than with an offset that has seconds."""
    shop = Shop(new_org(name="Oud", timezone="Europe/Amsterdam", currency="EUR"), api)
    activity, _ = shop.activity()
    occurrence = shop.admin.ok("POST", shop.path(f"/activities/{activity['id']}/occurrences"),
                               json={"starts_at": "1920-06-01T10:00:00Z",
                                     "duration_minutes": 45})
    assert RFC3339.match(occurrence["starts_at"]), occurrence["starts_at"]
    assert RFC3339.match(occurrence["ends_at"]), occurrence["ends_at"]
    shown = shop.staff.ok("GET", shop.path(f"/occurrences/{occurrence['id']}"))
    assert shown["starts_at"] == "1920-06-01T10:00:00+00:00"
    now = shop.admin.ok("POST", shop.path(f"/activities/{activity['id']}/occurrences"),
                        json={"starts_at": in_days(4), "duration_minutes": 45})
    assert now["starts_at"].endswith(("+01:00", "+02:00"))
