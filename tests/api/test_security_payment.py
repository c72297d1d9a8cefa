"""R6.7 over HTTP: who may pay how. Staff and admins take every method at the counter; a
customer pays by card or with their own account credit, never cash
(``payment_method_not_allowed``, 409; a free cart names any method, nothing is paid), and a
refusal holds, charges and confirms nothing: the cart stays open with its seat held, and
the counter can then take the same cart in cash. Appointment checkout applies the same rule
in billing (the gateway already keeps it to staff)."""
import uuid

import pytest

from services.billing.contract.errors import PaymentMethodNotAllowed
from tests.api.test_checkout_support import (add_a_la_carte, household, invoices_of, new_cart,
                                             pay, setup_activity)
from tests.support.client import error_of

PRICE = 1500
PASSWORD = "correct horse battery"
METHODS = ("cash", "card", "account_credit", "none")
ROLES = ("admin", "staff", "customer")
# (method, role) -> expected status for a cart of PRICE (> 0)
EXPECTED = {
    ("cash", "admin"): 200, ("cash", "staff"): 200, ("cash", "customer"): 409,
    ("card", "admin"): 200, ("card", "staff"): 200, ("card", "customer"): 200,
    ("account_credit", "admin"): 200, ("account_credit", "staff"): 200,
    ("account_credit", "customer"): 200,
    # ``none`` only when the total is 0 (R6.2), whoever asks
    ("none", "admin"): 400, ("none", "staff"): 400, ("none", "customer"): 400,
}


class Shop:
    def __init__(self, api, org):
        self.api, self.org = api, org
        self.admin = org.admin
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Comptoir"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])
        _, self.occurrence = setup_activity(self.admin, org, a_la_carte_capacity=100,
                                            a_la_carte_price=PRICE)
        _, self.free = setup_activity(self.admin, org, a_la_carte_capacity=100,
                                      a_la_carte_price=0)
        _, self.funding = setup_activity(self.admin, org, a_la_carte_capacity=100,
                                         a_la_carte_price=PRICE)

    def customer(self):
        account = household(self.staff, self.org, members=1, password=PASSWORD)
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": account["email"], "password": PASSWORD})["token"]
        return account, self.api.with_token(token)

    def fund(self, account, amount):
        """Account credit, as a refund to credit of a sale at the counter."""
        cart = new_cart(self.staff, self.org, account["id"])
        assert add_a_la_carte(self.staff, self.org, cart["id"], account["members"][0]["id"],
                              self.funding["id"]).status_code == 201
        invoice = pay(self.staff, self.org, cart["id"], method="cash").json()["invoice"]
        self.staff.ok("POST", self.org.path(f"/invoices/{invoice['id']}/refunds"),
                      json={"amount": amount, "to": "account_credit"},
                      headers={"Idempotency-Key": uuid.uuid4().hex})

    def credit(self, account):
        return self.staff.ok("GET", self.org.path(f"/accounts/{account['id']}/credit"))


@pytest.fixture(scope="module")
def shop(api, new_org):
    return Shop(api, new_org("Boutique R6.7"))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_pay_how(shop, role, method):
    account, customer = shop.customer()
    if method == "account_credit":
        shop.fund(account, PRICE)
    caller = {"admin": shop.admin, "staff": shop.staff, "customer": customer}[role]
    cart = new_cart(caller, shop.org, account["id"])
    added = add_a_la_carte(caller, shop.org, cart["id"], account["members"][0]["id"],
                           shop.occurrence["id"])
    assert added.status_code == 201, added.text
    invoices_before = invoices_of(shop.staff, shop.org, account["id"])
    credit_before = shop.credit(account)["balance"]

    response = pay(caller, shop.org, cart["id"], method=method,
                   key=uuid.uuid4().hex)

    expected = EXPECTED[(method, role)]
    if expected == 200:
        assert response.status_code == 200, response.text
        invoice = response.json()["invoice"]
        assert invoice["status"] == "paid" and invoice["total"] == PRICE
        assert [p["method"] for p in invoice["payments"]] == [method]
        (registration,) = response.json()["registrations"]
        assert registration["status"] == "confirmed"
        return
    if expected == 409:
        error = error_of(response, 409, "payment_method_not_allowed")
        assert error["details"]["method"] == method
        assert set(error["details"]["allowed"]) == {"card", "account_credit", "none"}
    else:
        error_of(response, 400, "validation_error")
    # Nothing held, charged or confirmed by the refusal: the cart is open with its seat
    # still held for it, no invoice, the credit untouched ...
    after = caller.ok("GET", shop.org.path(f"/carts/{cart['id']}"))
    assert after["status"] == "open" and after["invoice_id"] is None
    (item,) = after["items"]
    assert item["registration_id"] == added.json()["registration_id"]
    assert invoices_of(shop.staff, shop.org, account["id"]) == invoices_before
    assert shop.credit(account)["balance"] == credit_before
    # ... and the counter takes the same cart in cash.
    paid = pay(shop.staff, shop.org, cart["id"], method="cash")
    assert paid.status_code == 200, paid.text
    assert paid.json()["registrations"][0]["id"] == item["registration_id"]


def test_a_free_cart_moves_no_money_whatever_method_it_names(shop):
    """docs/http-api.md: any method is accepted when the total is 0 (nothing is paid, so nothing is
    trusted): a customer's free cart is checked out, and no money is recorded."""
    for method in ("none", "cash"):
        account, customer = shop.customer()
        cart = new_cart(customer, shop.org, account["id"])
        assert add_a_la_carte(customer, shop.org, cart["id"], account["members"][0]["id"],
                              shop.free["id"]).status_code == 201
        done = pay(customer, shop.org, cart["id"], method=method)
        assert done.status_code == 200, done.text
        invoice = done.json()["invoice"]
        assert invoice["total"] == 0
        assert sum(p["amount"] for p in invoice["payments"]) == 0


def test_an_appointment_checkout_applies_the_same_rule_in_billing(shop, rpc):
    service = shop.admin.ok("POST", shop.org.path("/services"), json={
        "name": f"Coupe {uuid.uuid4().hex[:4]}", "duration_minutes": 30, "price": 4000,
        "accounting_code": "4300"})
    account, customer = shop.customer()
    appointment = shop.staff.ok("POST", shop.org.path("/appointments"), json={
        "member_id": account["members"][0]["id"], "service_id": service["id"],
        "starts_at": "2031-05-06T14:00:00Z"}, headers={"Idempotency-Key": uuid.uuid4().hex})
    path = shop.org.path(f"/appointments/{appointment['id']}/checkout")
    # The gateway keeps the desk's checkout to staff ...
    error_of(customer.post(path, json={"payment": {"method": "cash"}}), 403, "forbidden")
    # ... and billing itself refuses a customer's cash, before anything is written.
    with pytest.raises(PaymentMethodNotAllowed):
        rpc.call("billing", "checkout_appointment", shop.org.id, appointment["id"],
                 {"payment": {"method": "cash"}}, caller_role="customer")
    assert shop.staff.ok("GET", shop.org.path(
        f"/appointments/{appointment['id']}"))["status"] == "booked"
    assert invoices_of(shop.staff, shop.org, account["id"]) == []
    done = shop.staff.post(path, json={"payment": {"method": "cash"}},
                           headers={"Idempotency-Key": uuid.uuid4().hex})
    assert done.status_code == 200, done.text
    assert done.json()["invoice"]["payments"][0]["method"] == "cash"
