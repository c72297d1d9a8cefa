"""Appointments over HTTP (docs/http-api.md "Appointments"; R4.5-R4.7, R5.1, R5.2): a "10+1" bundle of
a 50.00 treatment applied in the agenda (price 0, booked 1, remaining 10), used at checkout
(registration's ``complete_appointment``, which billing's checkout calls), given back by a
cancellation; the client's choice between two bundles; a staff member never double-booked
by 20 concurrent requests spread over two registration instances.

Bundles are sold with ``passes.sell_bundle`` (billing's bundle cart items are another
change); the catalog, accounts and the agenda go through the gateway."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from gateway.routes import ROUTES
from tests.support.client import error_of

pytestmark = pytest.mark.skipif(
    not any(b.name == "appointments" for b in ROUTES),
    reason="gateway.routes.appointments is not registered in gateway/routes/__init__.py yet")


class Salon:
    def __init__(self, org, api, rpc):
        self.org, self.api, self.rpc = org, api, rpc
        self.admin = org.admin
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Accueil"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])

    def path(self, suffix):
        return self.org.path(suffix)

    def service(self, price=5000, minutes=60):
        return self.admin.ok("POST", self.path("/services"), json={
            "name": f"Soin minceur {uuid.uuid4().hex[:4]}", "duration_minutes": minutes,
            "price": price, "accounting_code": "4300"})

    def bundle_type(self, service):
        return self.admin.ok("POST", self.path("/bundle-types"), json={
            "name": f"10 + 1 soins minceur {uuid.uuid4().hex[:4]}", "accounting_code": "4310",
            "divisions": [{"name": "10+1",
                           "items": [{"service_id": service["id"], "count": 11}]}]})

    def hairdresser(self, name="Julie"):
        return self.admin.ok("POST", self.path("/staff"), json={"name": name})

    def customer(self):
        email = f"{uuid.uuid4().hex[:10]}@example.org"
        account = self.api.ok("POST", self.path("/accounts"), json={
            "email": email, "password": "correct horse battery", "name": "Roy",
            "members": [{"first_name": "Marie", "last_name": "Roy",
                         "birth_date": "1980-01-02"}]})
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": email, "password": "correct horse battery"})
        return account, self.api.with_token(token["token"])

    def sell(self, bundle_type, account):
        return self.rpc.call("passes", "sell_bundle", self.org.id, {
            "bundle_type_id": bundle_type["id"], "division": "10+1",
            "account_id": account["id"], "member_id": account["members"][0]["id"],
            "invoice_id": "inv_" + uuid.uuid4().hex[:10]})

    def counts(self, client, account, bundle):
        for item in client.ok("GET", self.path(f"/accounts/{account['id']}/bundles"))["items"]:
            if item["id"] == bundle["id"]:
                (line,) = item["items"]
                return {k: line[k] for k in ("total", "booked", "used", "remaining")}
        raise AssertionError("no such bundle")

    def book(self, client, account, service, starts_at, key=None, **extra):
        headers = {"Idempotency-Key": key} if key else None
        return client.post(self.path("/appointments"), headers=headers, json=dict({
            "member_id": account["members"][0]["id"], "service_id": service["id"],
            "starts_at": starts_at}, **extra))


@pytest.fixture
def salon(new_org, api, rpc):
    return Salon(new_org(), api, rpc)


def test_a_bundle_applied_in_the_agenda_is_booked_then_used_at_checkout(salon):
    service, julie = salon.service(), salon.hairdresser()
    kind = salon.bundle_type(service)
    account, client = salon.customer()
    bundle = salon.sell(kind, account)
    assert salon.counts(client, account, bundle) == \
        {"total": 11, "booked": 0, "used": 0, "remaining": 11}

    response = salon.book(salon.staff, account, service, "2030-09-10T14:00:00Z",
                          staff_id=julie["id"])
    assert response.status_code == 201, response.text
    booked = response.json()
    assert (booked["status"], booked["price"], booked["bundle_id"]) == ("booked", 5000, None)

    applied = salon.staff.ok("POST", salon.path(f"/appointments/{booked['id']}/bundle"),
                             json={"bundle_id": bundle["id"]})
    assert (applied["price"], applied["bundle_id"]) == (0, bundle["id"])
    assert salon.counts(client, account, bundle) == \
        {"total": 11, "booked": 1, "used": 0, "remaining": 10}
    assert client.ok("GET", salon.path(f"/appointments/{booked['id']}")) == applied

    done = salon.rpc.call("registration", "complete_appointment", salon.org.id, booked["id"],
                          {"invoice_id": "inv_" + uuid.uuid4().hex[:8]})
    assert (done["status"], done["price"]) == ("completed", 0)
    assert salon.counts(client, account, bundle) == \
        {"total": 11, "booked": 0, "used": 1, "remaining": 10}

    day = salon.staff.ok("GET", salon.path("/agenda"), params={"date": "2030-09-10"})
    assert [(g["staff_id"], [a["id"] for a in g["appointments"]]) for g in day["staff"]] == \
        [(julie["id"], [booked["id"]])]
    error_of(client.get(salon.path("/agenda"), params={"date": "2030-09-10"}), 403)


def test_cancelling_gives_the_use_back_and_removing_restores_the_price(salon):
    service = salon.service()
    account, client = salon.customer()
    bundle = salon.sell(salon.bundle_type(service), account)

    # a customer books for their own member, applying their only bundle
    booked = salon.book(client, account, service, "2030-09-11T15:00:00Z", key="k-book-1",
                        apply_bundle=True)
    assert booked.status_code == 201, booked.text
    booked = booked.json()
    assert (booked["price"], booked["bundle_id"]) == (0, bundle["id"])
    again = salon.book(client, account, service, "2030-09-11T15:00:00Z", key="k-book-1",
                       apply_bundle=True)
    assert again.json()["id"] == booked["id"]                 # the same request replayed
    assert salon.counts(client, account, bundle)["booked"] == 1

    removed = client.ok("DELETE", salon.path(f"/appointments/{booked['id']}/bundle"))
    assert (removed["price"], removed["bundle_id"]) == (5000, None)
    assert salon.counts(client, account, bundle) == \
        {"total": 11, "booked": 0, "used": 0, "remaining": 11}
    client.ok("POST", salon.path(f"/appointments/{booked['id']}/bundle"), json={})
    assert salon.counts(client, account, bundle)["booked"] == 1

    cancelled = client.ok("POST", salon.path(f"/appointments/{booked['id']}/cancel"),
                          headers={"Idempotency-Key": "k-cancel-1"})
    assert (cancelled["status"], cancelled["cancelled_by"]) == ("cancelled", "client")
    assert salon.counts(client, account, bundle) == \
        {"total": 11, "booked": 0, "used": 0, "remaining": 11}

    other, _ = salon.customer()
    error_of(salon.book(client, other, service, "2030-09-11T17:00:00Z"), 404, "not_found")
    error_of(client.get(salon.path(f"/appointments/{booked['id']}"),
                        token=salon.customer()[1].token), 403)


def test_two_bundles_need_a_choice_then_the_chosen_one_is_booked(salon):
    service = salon.service()
    kind = salon.bundle_type(service)
    account, client = salon.customer()
    first, second = salon.sell(kind, account), salon.sell(kind, account)

    error = error_of(salon.book(salon.staff, account, service, "2030-09-12T14:00:00Z",
                                apply_bundle=True), 409, "bundle_choice_required")
    assert sorted(c["id"] for c in error["details"]["candidates"]) == \
        sorted([first["id"], second["id"]])
    assert client.ok("GET", salon.path(f"/accounts/{account['id']}/appointments")) == \
        {"items": []}

    booked = salon.book(salon.staff, account, service, "2030-09-12T14:00:00Z",
                        bundle_id=first["id"])
    assert booked.status_code == 201, booked.text
    assert (booked.json()["bundle_id"], booked.json()["price"]) == (first["id"], 0)
    assert salon.counts(client, account, first)["booked"] == 1
    assert salon.counts(client, account, second)["booked"] == 0
    error_of(salon.book(salon.staff, account, service, "2030-09-12T15:00:00Z",
                        bundle_id="bun_nope"), 404)
    error_of(salon.staff.post(salon.path("/appointments"), json={
        "member_id": account["members"][0]["id"], "service_id": service["id"],
        "starts_at": "2030-09-12T15:00:00Z", "apply_bundle": True,
        "bundle_id": first["id"]}), 400, "validation_error")


def test_twenty_concurrent_bookings_of_one_staff_member_over_two_instances(salon, stack):
    service, julie = salon.service(minutes=45), salon.hairdresser()
    accounts = [salon.customer()[0] for _ in range(3)]
    stack.scale("registration", 2)

    def one(i):
        return salon.book(salon.staff, accounts[i % 3], service, "2030-09-15T14:00:00Z",
                          staff_id=julie["id"])

    with ThreadPoolExecutor(max_workers=20) as executor:
        responses = list(executor.map(one, range(20)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert all(r.json()["error"]["code"] == "staff_busy" for r in responses
               if r.status_code == 409)
    day = salon.staff.ok("GET", salon.path("/agenda"),
                         params={"date": "2030-09-15", "staff_id": julie["id"]})
    assert len(day["staff"][0]["appointments"]) == 1
