"""Passes, bundles and memberships sold in a cart (docs/http-api.md "Cart and checkout"; R3.10, R4.4,
R6.3, R6.5), over HTTP with every service running: priced from the catalog when added, sold
by the checkout once paid, listed in its answer and on the invoice; a pass bought and used
in the same cart; a void revokes what it sold; a membership sold at checkout opens an
activity that requires it."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.client import error_of


def in_days(days, hours=0):
    return (datetime.now(timezone.utc).replace(second=0, microsecond=0)
            + timedelta(days=days, hours=hours)).isoformat()


class Shop:
    def __init__(self, org, api):
        self.org, self.api = org, api
        self.admin = org.admin
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Desk"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])
        self.program = self.admin.ok("POST", org.path("/programs"), json={"name": "Hiver"})

    def path(self, suffix):
        return self.org.path(suffix)

    def activity(self, pass_only=False, price=1200, membership_type_ids=(), capacity=10):
        activity = self.admin.ok("POST", self.path("/activities"), json={
            "program_id": self.program["id"], "name": f"Yoga {uuid.uuid4().hex[:4]}",
            "accounting_code": "4200",
            "restrictions": {"membership_type_ids": list(membership_type_ids)},
            "a_la_carte": {"enabled": True, "price": price, "capacity": capacity,
                           "pass_only": pass_only, "closes_minutes_before": 0,
                           "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
        occurrence = self.admin.ok(
            "POST", self.path(f"/activities/{activity['id']}/occurrences"),
            json={"starts_at": in_days(3), "duration_minutes": 45})
        return activity, occurrence

    def pass_type(self, activities, uses=3, family=True, price=5000):
        return self.admin.ok("POST", self.path("/pass-types"), json={
            "name": f"Carte {uuid.uuid4().hex[:4]}", "price": price, "uses": uses,
            "valid_days": 60, "family": family,
            "eligible_activity_ids": [a["id"] for a in activities],
            "credit_on_cancel": True, "accounting_code": "4900"})

    def customer(self, members=1):
        email = f"{uuid.uuid4().hex[:10]}@example.org"
        account = self.api.ok("POST", self.path("/accounts"), json={
            "email": email, "password": "correct horse battery", "name": "Gagnon",
            "members": [{"first_name": f"C{i}", "last_name": "Gagnon",
                         "birth_date": "1985-02-03"} for i in range(members)]})
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": email,
            "password": "correct horse battery"})["token"]
        return account, self.api.with_token(token)

    def cart(self, client, account):
        return client.ok("POST", self.path("/carts"), json={"account_id": account["id"]},
                         expect=201)

    def add(self, client, cart, **item):
        return client.post(self.path(f"/carts/{cart['id']}/items"), json=item)

    def checkout(self, client, cart, method="card", card_token="tok_ok"):
        payment = {"method": method}
        if method == "card":
            payment["card_token"] = card_token
        return client.ok("POST", self.path(f"/carts/{cart['id']}/checkout"),
                         json={"payment": payment},
                         headers={"Idempotency-Key": uuid.uuid4().hex})

    def get_pass(self, pass_id):
        return self.staff.ok("GET", self.path(f"/passes/{pass_id}"))


@pytest.fixture
def shop(new_org, api):
    return Shop(new_org(), api)


# -- R3.10: a pass bought and used in one cart --------------------------------------------------
def test_a_pass_bought_and_used_in_the_same_cart(shop):
    activity, occurrence = shop.activity(pass_only=True)  # for pass holders only (R2.3)
    kind = shop.pass_type([activity], uses=3, family=True, price=5000)
    account, client = shop.customer()
    member = account["members"][0]
    cart = shop.cart(client, account)
    pass_item = shop.add(client, cart, type="pass", pass_type_id=kind["id"])
    assert pass_item.status_code == 201, pass_item.text
    pass_item = pass_item.json()
    assert (pass_item["type"], pass_item["price"]) == ("pass", 5000)
    seat = shop.add(client, cart, type="a_la_carte", member_id=member["id"],
                    occurrence_id=occurrence["id"], pay_with={"cart_item_id": pass_item["id"]})
    assert seat.status_code == 201, seat.text
    seat = seat.json()
    assert seat["price"] == 0 and seat["hold_expires_at"]
    assert seat["pay_with"] == {"type": "pass", "cart_item_id": pass_item["id"]}
    assert client.ok("GET", shop.path(f"/carts/{cart['id']}"))["total"] == 5000

    result = shop.checkout(client, cart)

    (sold,) = result["passes"]
    assert (sold["pass_type_id"], sold["account_id"]) == (kind["id"], account["id"])
    (registration,) = result["registrations"]
    assert registration["status"] == "confirmed"
    assert registration["paid_with"] == {"type": "pass", "id": sold["id"]}
    assert shop.get_pass(sold["id"])["uses_left"] == 2  # the booking used one
    invoice = result["invoice"]
    assert invoice["total"] == 5000 and invoice["status"] == "paid"
    lines = {line["type"]: line for line in invoice["lines"]}
    assert (lines["pass"]["amount"], lines["pass"]["paid_with"]) == (5000, "money")
    assert lines["pass"]["reference"]["pass_id"] == sold["id"]
    assert (lines["a_la_carte"]["amount"], lines["a_la_carte"]["paid_with"]) == (0, "pass")
    seen = client.ok("GET", shop.path(f"/registrations/{registration['id']}"))
    assert seen["status"] == "confirmed" and seen["paid_with"]["id"] == sold["id"]

    # R6.5: the void cancels the booking, so the pass is unused again and revoked
    voided = shop.staff.ok("POST", shop.path(f"/invoices/{invoice['id']}/void"),
                           json={"reason": "changed their mind"},
                           headers={"Idempotency-Key": uuid.uuid4().hex})
    assert voided["status"] == "void"
    assert client.ok("GET", shop.path(f"/registrations/{registration['id']}"))["status"] \
        == "cancelled"
    assert shop.get_pass(sold["id"])["status"] == "revoked"


def test_an_existing_pass_pays_a_cart_seat_at_price_0(shop, rpc):
    activity, occurrence = shop.activity()
    account, client = shop.customer()
    member = account["members"][0]
    card = rpc.call("passes", "sell_pass", shop.org.id, {
        "pass_type_id": shop.pass_type([activity], uses=2)["id"],
        "account_id": account["id"], "invoice_id": "inv_" + uuid.uuid4().hex[:10]})
    cart = shop.cart(client, account)
    seat = shop.add(client, cart, type="a_la_carte", member_id=member["id"],
                    occurrence_id=occurrence["id"], pay_with={"pass_id": card["id"]})
    assert seat.status_code == 201, seat.text
    assert seat.json()["price"] == 0
    result = shop.checkout(client, cart, method="none")
    (line,) = result["invoice"]["lines"]
    assert (line["amount"], line["paid_with"], line["reference"]["pass_id"]) == \
        (0, "pass", card["id"])
    assert shop.get_pass(card["id"])["uses_left"] == 1


def test_a_seat_paid_with_a_pass_item_for_another_member_is_refused(shop):
    activity, occurrence = shop.activity()
    kind = shop.pass_type([activity], family=False)
    account, client = shop.customer(members=2)
    first, second = account["members"]
    cart = shop.cart(client, account)
    pass_item = shop.add(client, cart, type="pass", pass_type_id=kind["id"],
                         member_id=first["id"]).json()
    refused = error_of(shop.add(client, cart, type="a_la_carte", member_id=second["id"],
                                occurrence_id=occurrence["id"],
                                pay_with={"cart_item_id": pass_item["id"]}),
                       400, "validation_error")
    assert "pay_with" in refused["details"]
    error_of(shop.add(client, cart, type="a_la_carte", member_id=first["id"],
                      occurrence_id=occurrence["id"], pay_with={"cart_item_id": "itm_nope"}),
             400, "validation_error")


def test_a_pass_item_for_another_activity_cannot_pay_a_seat(shop):
    activity, occurrence = shop.activity()
    other, _ = shop.activity()
    kind = shop.pass_type([other])
    account, client = shop.customer()
    cart = shop.cart(client, account)
    pass_item = shop.add(client, cart, type="pass", pass_type_id=kind["id"]).json()
    refused = error_of(shop.add(client, cart, type="a_la_carte",
                                member_id=account["members"][0]["id"],
                                occurrence_id=occurrence["id"],
                                pay_with={"cart_item_id": pass_item["id"]}),
                       409, "pass_not_eligible")
    assert refused["details"]["activity_id"] == activity["id"]
    seen = shop.staff.ok("GET", shop.path(f"/activities/{activity['id']}/occurrences"))
    assert [o["a_la_carte"]["taken"] for o in seen["items"]] == [0]  # nothing held
    assert [i["id"] for i in client.ok("GET", shop.path(f"/carts/{cart['id']}"))["items"]] \
        == [pass_item["id"]]


# -- R6.3, R6.5: a family pass sold, listed, then revoked by the void ---------------------------
def test_a_family_pass_sold_at_checkout_is_listed_and_revoked_when_the_invoice_is_voided(shop):
    activity, _ = shop.activity()
    kind = shop.pass_type([activity], uses=5, family=True, price=4000)
    account, client = shop.customer(members=2)
    cart = shop.cart(client, account)
    item = shop.add(client, cart, type="pass", pass_type_id=kind["id"])  # no member: family
    assert item.status_code == 201, item.text

    result = shop.checkout(client, cart)  # a customer pays by card (R6.7)

    (sold,) = result["passes"]
    assert sold["family"] is True and sold["member_id"] is None
    assert result["bundles"] == [] and result["memberships"] == []
    listed = client.ok("GET", shop.path(f"/accounts/{account['id']}/passes"))["items"]
    assert [(p["id"], p["status"], p["uses_left"]) for p in listed] == \
        [(sold["id"], "active", 5)]
    (line,) = result["invoice"]["lines"]
    assert (line["type"], line["amount"], line["accounting_code"]) == ("pass", 4000, "4900")

    voided = shop.staff.ok("POST", shop.path(f"/invoices/{result['invoice']['id']}/void"),
                           json={"reason": "sold by mistake"},
                           headers={"Idempotency-Key": uuid.uuid4().hex})
    assert voided["status"] == "void"
    assert shop.get_pass(sold["id"])["status"] == "revoked"
    listed = client.ok("GET", shop.path(f"/accounts/{account['id']}/passes"))["items"]
    assert [(p["id"], p["status"]) for p in listed] == [(sold["id"], "revoked")]


# -- R4.4: no walk-in bundle ----------------------------------------------------------------------
def test_a_bundle_without_a_member_is_client_required(shop):
    service = shop.admin.ok("POST", shop.path("/services"), json={
        "name": "Soin", "duration_minutes": 60, "price": 5000, "accounting_code": "4300"})
    kind = shop.admin.ok("POST", shop.path("/bundle-types"), json={
        "name": "10 + 1 soins", "accounting_code": "4310",
        "divisions": [{"name": "10+1", "items": [{"service_id": service["id"], "count": 11}]}]})
    account, _ = shop.customer()
    cart = shop.cart(shop.staff, account)
    error_of(shop.add(shop.staff, cart, type="bundle", bundle_type_id=kind["id"],
                      division="10+1"), 409, "client_required")
    error_of(shop.add(shop.staff, cart, type="bundle", bundle_type_id=kind["id"],
                      division="12", member_id=account["members"][0]["id"]),
             400, "validation_error")
    assert shop.staff.ok("GET", shop.path(f"/carts/{cart['id']}"))["items"] == []


# -- R2.7 with R6.3: a membership sold at checkout opens the activity -----------------------------
def test_a_membership_sold_at_checkout_lets_the_member_book_an_activity_requiring_it(shop):
    membership_type = shop.admin.ok("POST", shop.path("/membership-types"), json={
        "name": "Membre", "price": 2500, "duration_days": 365, "accounting_code": "4400"},
        expect=201)
    activity, occurrence = shop.activity(membership_type_ids=[membership_type["id"]])
    account, client = shop.customer()
    member = account["members"][0]

    cart = shop.cart(client, account)
    refused = error_of(shop.add(client, cart, type="a_la_carte", member_id=member["id"],
                                occurrence_id=occurrence["id"]), 409, "not_eligible")
    assert refused["details"]["failed"] == ["membership_type_ids"]

    item = shop.add(client, cart, type="membership", member_id=member["id"],
                    membership_type_id=membership_type["id"])
    assert item.status_code == 201, item.text
    assert item.json()["price"] == 2500
    result = shop.checkout(client, cart)
    (membership,) = result["memberships"]
    assert (membership["membership_type_id"], membership["member_id"], membership["status"]) \
        == (membership_type["id"], member["id"], "active")
    (line,) = result["invoice"]["lines"]
    assert (line["type"], line["amount"], line["reference"]["membership_id"]) == \
        ("membership", 2500, membership["id"])

    cart = shop.cart(client, account)
    seat = shop.add(client, cart, type="a_la_carte", member_id=member["id"],
                    occurrence_id=occurrence["id"])
    assert seat.status_code == 201, seat.text
    assert shop.checkout(client, cart)["registrations"][0]["status"] == "confirmed"
