"""Appointment checkout over HTTP (docs/http-api.md "Appointments" checkout; R4.4, R4.6, R4.7, R6.1,
R6.2, R6.3): a "10+1" bundle sold in a cart, applied to an appointment when it is booked,
used by the appointment's checkout with a 0.00 invoice line paid with the bundle; an
appointment without a bundle paid in cash at the service price; replays answer the same
invoice."""
import uuid

import pytest

from tests.support.client import error_of


class Salon:
    def __init__(self, org, api):
        self.org, self.api = org, api
        self.admin = org.admin
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Accueil"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])

    def path(self, suffix):
        return self.org.path(suffix)

    def service(self, price=5000):
        return self.admin.ok("POST", self.path("/services"), json={
            "name": f"Soin minceur {uuid.uuid4().hex[:4]}", "duration_minutes": 60,
            "price": price, "accounting_code": "4300"})

    def bundle_type(self, service, price=None):
        division = {"name": "10+1", "items": [{"service_id": service["id"], "count": 11}]}
        if price is not None:
            division["price"] = price
        return self.admin.ok("POST", self.path("/bundle-types"), json={
            "name": f"10 + 1 soins {uuid.uuid4().hex[:4]}", "accounting_code": "4310",
            "divisions": [division]})

    def customer(self):
        return self.staff.ok("POST", self.path("/accounts"), json={
            "email": f"{uuid.uuid4().hex[:10]}@example.org", "name": "Roy",
            "password": "correct horse battery",
            "members": [{"first_name": "Marie", "last_name": "Roy",
                         "birth_date": "1980-01-02"}]})

    def book(self, account, service, starts_at, **extra):
        response = self.staff.post(self.path("/appointments"), json=dict({
            "member_id": account["members"][0]["id"], "service_id": service["id"],
            "starts_at": starts_at}, **extra), headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        return response.json()

    def checkout(self, appointment, payment, key=None, **extra):
        return self.staff.post(self.path(f"/appointments/{appointment['id']}/checkout"),
                               json=dict({"payment": payment}, **extra),
                               headers={"Idempotency-Key": key or uuid.uuid4().hex})

    def counts(self, account, bundle_id):
        for item in self.staff.ok("GET",
                                  self.path(f"/accounts/{account['id']}/bundles"))["items"]:
            if item["id"] == bundle_id:
                (line,) = item["items"]
                return {k: line[k] for k in ("total", "booked", "used", "remaining")}
        raise AssertionError("no such bundle")


@pytest.fixture
def salon(new_org, api):
    return Salon(new_org(), api)


def test_a_bundle_sold_in_a_cart_pays_an_appointment_with_a_zero_line(salon):
    service = salon.service(price=5000)
    kind = salon.bundle_type(service, price=45000)
    account = salon.customer()
    member = account["members"][0]

    cart = salon.staff.ok("POST", salon.path("/carts"), json={"account_id": account["id"]},
                          expect=201)
    item = salon.staff.post(salon.path(f"/carts/{cart['id']}/items"), json={
        "type": "bundle", "bundle_type_id": kind["id"], "division": "10+1",
        "member_id": member["id"]})
    assert item.status_code == 201, item.text
    assert item.json()["price"] == 45000
    sale = salon.staff.ok("POST", salon.path(f"/carts/{cart['id']}/checkout"),
                          json={"payment": {"method": "card", "card_token": "tok_ok"}},
                          headers={"Idempotency-Key": uuid.uuid4().hex})
    (bundle,) = sale["bundles"]
    assert (bundle["bundle_type_id"], bundle["member_id"]) == (kind["id"], member["id"])
    (line,) = sale["invoice"]["lines"]
    assert (line["type"], line["amount"], line["reference"]["bundle_id"]) == \
        ("bundle", 45000, bundle["id"])
    assert salon.counts(account, bundle["id"]) == \
        {"total": 11, "booked": 0, "used": 0, "remaining": 11}

    appointment = salon.book(account, service, "2030-09-10T14:00:00Z",
                             bundle_id=bundle["id"])
    assert (appointment["price"], appointment["bundle_id"]) == (0, bundle["id"])
    assert salon.counts(account, bundle["id"])["booked"] == 1

    key = uuid.uuid4().hex
    done = salon.checkout(appointment, {"method": "none"}, key=key)
    assert done.status_code == 200, done.text
    done = done.json()
    assert done["appointment"]["status"] == "completed"
    assert done["appointment"]["invoice_id"] == done["invoice"]["id"]
    (line,) = done["invoice"]["lines"]
    assert (line["type"], line["amount"], line["paid_with"]) == ("appointment", 0, "bundle")
    assert done["invoice"]["total"] == 0 and done["invoice"]["payments"] == []
    assert salon.counts(account, bundle["id"]) == \
        {"total": 11, "booked": 0, "used": 1, "remaining": 10}

    again = salon.checkout(appointment, {"method": "none"}, key=key)
    assert again.status_code == 200 and again.json()["invoice"] == done["invoice"]
    other_key = salon.checkout(appointment, {"method": "none"})
    assert other_key.status_code == 200, other_key.text
    assert other_key.json()["invoice"]["id"] == done["invoice"]["id"]
    assert salon.counts(account, bundle["id"])["used"] == 1


def test_an_appointment_without_a_bundle_is_paid_in_cash_at_the_service_price(salon):
    service = salon.service(price=6500)
    account = salon.customer()
    appointment = salon.book(account, service, "2030-09-11T09:00:00Z")
    assert appointment["price"] == 6500

    done = salon.checkout(appointment, {"method": "cash"})
    assert done.status_code == 200, done.text
    done = done.json()
    assert done["appointment"]["status"] == "completed"
    invoice = done["invoice"]
    (line,) = invoice["lines"]
    assert (line["type"], line["amount"], line["paid_with"], line["payment_method"],
            line["accounting_code"]) == ("appointment", 6500, "money", "cash", "4300")
    assert [(p["method"], p["amount"]) for p in invoice["payments"]] == [("cash", 6500)]
    assert salon.staff.ok("GET", salon.path(f"/invoices/{invoice['id']}")) == invoice
    seen = salon.staff.ok("GET", salon.path(f"/appointments/{appointment['id']}"))
    assert (seen["status"], seen["invoice_id"]) == ("completed", invoice["id"])


def test_a_bundle_given_at_checkout_is_used_then(salon):
    service = salon.service(price=5000)
    kind = salon.bundle_type(service)
    account = salon.customer()
    cart = salon.staff.ok("POST", salon.path("/carts"), json={"account_id": account["id"]},
                          expect=201)
    salon.staff.ok("POST", salon.path(f"/carts/{cart['id']}/items"), expect=201, json={
        "type": "bundle", "bundle_type_id": kind["id"], "division": "10+1",
        "member_id": account["members"][0]["id"]})
    (bundle,) = salon.staff.ok("POST", salon.path(f"/carts/{cart['id']}/checkout"),
                               json={"payment": {"method": "cash"}},
                               headers={"Idempotency-Key": uuid.uuid4().hex})["bundles"]
    appointment = salon.book(account, service, "2030-09-12T09:00:00Z")
    assert appointment["price"] == 5000

    done = salon.checkout(appointment, {"method": "cash"}, bundle_id=bundle["id"])
    assert done.status_code == 200, done.text
    (line,) = done.json()["invoice"]["lines"]
    assert (line["amount"], line["paid_with"]) == (0, "bundle")
    assert salon.counts(account, bundle["id"]) == \
        {"total": 11, "booked": 0, "used": 1, "remaining": 10}


def test_appointment_checkout_is_for_staff_and_a_cancelled_appointment_is_refused(salon, api):
    service = salon.service()
    account = salon.customer()
    appointment = salon.book(account, service, "2030-09-13T09:00:00Z")
    token = api.ok("POST", "/auth/login", json={
        "org_id": salon.org.id, "email": account["email"],
        "password": "correct horse battery"})["token"]
    error_of(api.with_token(token).post(
        salon.path(f"/appointments/{appointment['id']}/checkout"),
        json={"payment": {"method": "cash"}}), 403)
    salon.staff.ok("POST", salon.path(f"/appointments/{appointment['id']}/cancel"), json={},
                   headers={"Idempotency-Key": uuid.uuid4().hex})
    error_of(salon.checkout(appointment, {"method": "cash"}), 409, "appointment_not_booked")
    error_of(salon.staff.post(salon.path("/appointments/apt_nope/checkout"),
                              json={"payment": {"method": "cash"}}), 404, "not_found")
