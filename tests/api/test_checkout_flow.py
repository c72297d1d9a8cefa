"""Carts and checkout over HTTP (docs/http-api.md "Cart and checkout", "Billing"; R2.4, R3.1, R3.7,
R6.1, R6.2, R6.5), with every service running."""
import uuid

import pytest

from tests.api import test_checkout_support as shop
from tests.support.client import error_of


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def admin(org):
    return org.admin


@pytest.fixture(scope="module")
def staff(org, admin, api):
    key = admin.ok("POST", org.path("/api-keys"), json={"role": "staff", "name": "desk"})
    return api.with_token(api.ok("POST", "/auth/token", json={"api_key": key["api_key"]})["token"])


def one_seat_activity(admin, org, **extra):
    """An à la carte offer of a single seat (and a session of one)."""
    return shop.setup_activity(admin, org, session_capacity=1, a_la_carte_capacity=1, **extra)


# -- R2.4, R3.1: capacity per pool ------------------------------------------------------------------
def test_ten_session_and_fifteen_a_la_carte_seats_put_25_people_in_one_occurrence(org, staff,
                                                                                    admin):
    activity, occurrence = shop.setup_activity(admin, org, session_capacity=10,
                                               a_la_carte_capacity=15)
    persons = shop.people(staff, org, 27)
    session_people, alc_people = persons[:11], persons[11:]

    for account_id, member_id in session_people[:10]:
        done = shop.book(staff, org, account_id, member_id, activity_id=activity["id"])
        assert done.status_code == 200, done.text
    for account_id, member_id in alc_people[:15]:
        done = shop.book(staff, org, account_id, member_id, occurrence_id=occurrence["id"])
        assert done.status_code == 200, done.text

    account_id, member_id = session_people[10]
    cart = shop.new_cart(staff, org, account_id)
    error_of(shop.add_session(staff, org, cart["id"], member_id, activity["id"]), 409,
             "sold_out")
    account_id, member_id = alc_people[15]
    other_cart = shop.new_cart(staff, org, account_id)
    error_of(shop.add_a_la_carte(staff, org, other_cart["id"], member_id, occurrence["id"]),
             409, "sold_out")
    assert staff.ok("GET", org.path(f"/carts/{cart['id']}"))["items"] == []
    assert staff.ok("GET", org.path(f"/carts/{other_cart['id']}"))["items"] == []

    invoices = [i for a in {a for a, _ in persons} for i in shop.invoices_of(staff, org, a)]
    kinds = sorted(line["type"] for i in invoices for line in i["lines"])
    assert kinds == ["a_la_carte"] * 15 + ["session"] * 10


# -- R6.1: the invoice ------------------------------------------------------------------------------
def test_checkout_makes_one_invoice_with_a_line_per_item(org, staff, admin):
    activity, occurrence = shop.setup_activity(admin, org, session_price=12000,
                                               a_la_carte_price=1500, accounting_code="4200")
    account = shop.household(staff, org, members=2)
    first, second = (m["id"] for m in account["members"])
    cart = shop.new_cart(staff, org, account["id"])
    one = staff.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201,
                   json={"type": "session", "member_id": first, "activity_id": activity["id"]})
    two = staff.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201,
                   json={"type": "a_la_carte", "member_id": second,
                         "occurrence_id": occurrence["id"]})
    assert (one["type"], one["price"]) == ("session", 12000) and one["hold_expires_at"]
    assert (two["type"], two["price"]) == ("a_la_carte", 1500)
    seen = staff.ok("GET", org.path(f"/carts/{cart['id']}"))
    assert seen["total"] == 13500 and [i["id"] for i in seen["items"]] == [one["id"], two["id"]]

    result = shop.pay(staff, org, cart["id"], "card", "tok_ok")
    assert result.status_code == 200, result.text
    body = result.json()
    assert set(body) >= {"invoice", "registrations", "passes", "bundles", "memberships",
                         "subscriptions"}
    invoice = body["invoice"]
    assert invoice["status"] == "paid" and invoice["total"] == 13500
    assert invoice["account_id"] == account["id"] and invoice["number"] >= 1
    assert [(l["type"], l["amount"], l["accounting_code"], l["paid_with"], l["payment_method"])
            for l in invoice["lines"]] == [("session", 12000, "4200", "money", "card"),
                                           ("a_la_carte", 1500, "4200", "money", "card")]
    assert all(l["description"] for l in invoice["lines"])
    assert [(p["method"], p["amount"]) for p in invoice["payments"]] == [("card", 13500)]
    assert sorted(r["status"] for r in body["registrations"]) == ["confirmed", "confirmed"]
    assert {r["invoice_id"] for r in body["registrations"]} == {invoice["id"]}

    assert staff.ok("GET", org.path(f"/invoices/{invoice['id']}")) == invoice
    assert staff.ok("GET", org.path(f"/carts/{cart['id']}"))["status"] == "checked_out"
    assert [i["id"] for i in shop.invoices_of(staff, org, account["id"])] == [invoice["id"]]
    # checked out once: adding to it or paying again is refused
    error_of(shop.pay(staff, org, cart["id"], "cash"), 409, "cart_not_open")
    error_of(shop.add_session(staff, org, cart["id"], first, activity["id"]), 409,
             "cart_not_open")


def test_invoice_numbers_follow_each_other_per_org_without_gaps(new_org):
    org = new_org()
    admin = org.admin
    activity, occurrence = shop.setup_activity(admin, org)
    persons = shop.people(admin, org, 4)
    numbers = []
    # 1: paid
    numbers.append(shop.book(admin, org, *persons[0], occurrence_id=occurrence["id"],
                             method="card", card_token="tok_ok").json()["invoice"]["number"])
    # declined: no number taken
    cart = shop.new_cart(admin, org, persons[1][0])
    assert shop.add_a_la_carte(admin, org, cart["id"], persons[1][1],
                               occurrence["id"]).status_code == 201
    error_of(shop.pay(admin, org, cart["id"], "card", "tok_decline"), 402, "payment_declined")
    # 2: the same cart, another card
    numbers.append(shop.pay(admin, org, cart["id"], "card", "tok_ok").json()["invoice"]["number"])
    # 3: cash
    numbers.append(shop.book(admin, org, *persons[2], activity_id=activity["id"])
                   .json()["invoice"]["number"])
    assert numbers == [1, 2, 3]
    # another org starts at 1
    other = new_org()
    _, other_occurrence = shop.setup_activity(other.admin, other)
    account_id, member_id = shop.people(other.admin, other, 1)[0]
    assert shop.book(other.admin, other, account_id, member_id,
                     occurrence_id=other_occurrence["id"]).json()["invoice"]["number"] == 1


# -- R6.2: payment ----------------------------------------------------------------------------------
def test_a_declined_card_keeps_the_holds_and_a_retry_with_another_card_succeeds(org, staff,
                                                                                admin):
    activity, occurrence = one_seat_activity(admin, org)
    (account_id, member_id), (other_account, other_member) = shop.people(staff, org, 2)
    cart = shop.new_cart(staff, org, account_id)
    item = staff.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201,
                    json={"type": "a_la_carte", "member_id": member_id,
                          "occurrence_id": occurrence["id"]})

    declined = error_of(shop.pay(staff, org, cart["id"], "card", "tok_decline"), 402,
                        "payment_declined")
    assert declined["details"].get("reason") == "card_declined"
    after = staff.ok("GET", org.path(f"/carts/{cart['id']}"))
    assert after["status"] == "open"
    assert [(i["id"], i["hold_expires_at"]) for i in after["items"]] == \
        [(item["id"], item["hold_expires_at"])]
    # the hold still takes the only seat
    other_cart = shop.new_cart(staff, org, other_account)
    error_of(shop.add_a_la_carte(staff, org, other_cart["id"], other_member, occurrence["id"]),
             409, "sold_out")
    assert shop.invoices_of(staff, org, account_id) == []

    retried = shop.pay(staff, org, cart["id"], "card", "tok_ok")
    assert retried.status_code == 200, retried.text
    assert retried.json()["registrations"][0]["status"] == "confirmed"
    assert len(shop.invoices_of(staff, org, account_id)) == 1


def test_tok_decline_renewals_pays_at_checkout(org, staff, admin):
    _, occurrence = shop.setup_activity(admin, org)
    account_id, member_id = shop.people(staff, org, 1)[0]
    done = shop.book(staff, org, account_id, member_id, occurrence_id=occurrence["id"],
                     method="card", card_token="tok_decline_renewals")
    assert done.status_code == 200, done.text


@pytest.mark.parametrize("payment,field", [
    ({"method": "card"}, "card_token"),
    ({"method": "none"}, "method"),
    ({"method": "cash", "card_token": "tok_ok"}, "card_token"),
    ({"method": "cheque"}, "method"),
])
def test_a_payment_that_does_not_fit_is_a_validation_error(org, staff, admin, payment, field):
    _, occurrence = shop.setup_activity(admin, org)
    account_id, member_id = shop.people(staff, org, 1)[0]
    cart = shop.new_cart(staff, org, account_id)
    assert shop.add_a_la_carte(staff, org, cart["id"], member_id,
                               occurrence["id"]).status_code == 201
    error = error_of(staff.post(org.path(f"/carts/{cart['id']}/checkout"),
                                json={"payment": payment}), 400, "validation_error")
    assert field in str(error["details"])
    assert staff.ok("GET", org.path(f"/carts/{cart['id']}"))["status"] == "open"


def test_any_method_is_accepted_when_the_total_is_zero(org, staff, admin):
    activity, _ = shop.setup_activity(admin, org, session_price=0, a_la_carte_price=0)
    account_id, member_id = shop.people(staff, org, 1)[0]
    cart = shop.new_cart(staff, org, account_id)
    assert shop.add_session(staff, org, cart["id"], member_id, activity["id"]).status_code == 201
    done = staff.post(org.path(f"/carts/{cart['id']}/checkout"),
                      json={"payment": {"method": "none"}})
    assert done.status_code == 200, done.text
    assert done.json()["invoice"]["total"] == 0 and done.json()["invoice"]["payments"] == []


def test_paying_with_credit_needs_enough_credit(org, staff, admin):
    _, occurrence = shop.setup_activity(admin, org)
    account_id, member_id = shop.people(staff, org, 1)[0]
    cart = shop.new_cart(staff, org, account_id)
    assert shop.add_a_la_carte(staff, org, cart["id"], member_id,
                               occurrence["id"]).status_code == 201
    error = error_of(shop.pay(staff, org, cart["id"], "account_credit"), 409,
                     "insufficient_credit")
    # (numbers in error details arrive as strings: Nameko serialises exception arguments so)
    assert {k: int(v) for k, v in error["details"].items()} == {"balance": 0, "amount": 1500}
    assert staff.ok("GET", org.path(f"/carts/{cart['id']}"))["status"] == "open"
    assert shop.pay(staff, org, cart["id"], "cash").status_code == 200


# -- Idempotency-Key --------------------------------------------------------------------------------
def test_a_retried_checkout_returns_the_first_result_and_creates_nothing(org, staff, admin):
    _, occurrence = shop.setup_activity(admin, org)
    account_id, member_id = shop.people(staff, org, 1)[0]
    cart = shop.new_cart(staff, org, account_id)
    assert shop.add_a_la_carte(staff, org, cart["id"], member_id,
                               occurrence["id"]).status_code == 201
    key = f"checkout-{uuid.uuid4()}"
    first = shop.pay(staff, org, cart["id"], "card", "tok_ok", key=key)
    assert first.status_code == 200, first.text
    again = shop.pay(staff, org, cart["id"], "card", "tok_ok", key=key)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert [i["id"] for i in shop.invoices_of(staff, org, account_id)] == \
        [first.json()["invoice"]["id"]]

    reused = shop.pay(staff, org, cart["id"], "cash", key=key)
    error_of(reused, 409, "idempotency_key_reused")
    assert len(shop.invoices_of(staff, org, account_id)) == 1


def test_billing_itself_checks_a_cart_out_once_per_key(org, staff, admin, rpc):
    """The key also reaches billing: a retry that bypasses the gateway's store (another
    gateway, an expired key) still gets the first outcome, and no second invoice."""
    _, occurrence = shop.setup_activity(admin, org)
    account_id, member_id = shop.people(staff, org, 1)[0]
    cart = shop.new_cart(staff, org, account_id)
    assert shop.add_a_la_carte(staff, org, cart["id"], member_id,
                               occurrence["id"]).status_code == 201
    payment = {"payment": {"method": "card", "card_token": "tok_ok"}}
    first = rpc.call("billing", "checkout", org.id, cart["id"], payment, idempotency_key="k1")
    again = rpc.call("billing", "checkout", org.id, cart["id"], payment, idempotency_key="k1")
    assert again == first
    declined_cart = shop.new_cart(staff, org, account_id)
    assert shop.add_a_la_carte(staff, org, declined_cart["id"], member_id,
                               occurrence["id"]).status_code == 409  # already registered
    assert len(shop.invoices_of(staff, org, account_id)) == 1


# -- carts ------------------------------------------------------------------------------------------
def test_removing_an_item_releases_its_seat(org, staff, admin):
    _, occurrence = one_seat_activity(admin, org)
    (account_id, member_id), (other_account, other_member) = shop.people(staff, org, 2)
    cart = shop.new_cart(staff, org, account_id)
    item = staff.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201,
                    json={"type": "a_la_carte", "member_id": member_id,
                          "occurrence_id": occurrence["id"]})
    other_cart = shop.new_cart(staff, org, other_account)
    error_of(shop.add_a_la_carte(staff, org, other_cart["id"], other_member, occurrence["id"]),
             409, "sold_out")
    removed = staff.delete(org.path(f"/carts/{cart['id']}/items/{item['id']}"))
    assert removed.status_code == 204 and removed.content == b""
    assert staff.ok("GET", org.path(f"/carts/{cart['id']}"))["items"] == []
    assert shop.add_a_la_carte(staff, org, other_cart["id"], other_member,
                               occurrence["id"]).status_code == 201
    error_of(staff.delete(org.path(f"/carts/{cart['id']}/items/{item['id']}")), 404,
             "not_found")
    error_of(shop.pay(staff, org, cart["id"], "cash"), 409, "cart_empty")


@pytest.mark.parametrize("item_type,extra,field", [
    ("pass", {"pass_type_id": "pty_x"}, "pass_type_id"),
    ("bundle", {"bundle_type_id": "bty_x", "division": "5+1"}, "bundle_type_id"),
    ("membership", {"membership_type_id": "mty_x"}, "membership_type_id"),
    ("subscription", {"plan_id": "pln_x"}, "plan_id"),
])
def test_unknown_products_are_refused_clearly(
        org, staff, item_type, extra, field):
    account = shop.household(staff, org)
    cart = shop.new_cart(staff, org, account["id"])
    error = error_of(staff.post(org.path(f"/carts/{cart['id']}/items"),
                                json={"type": item_type, "member_id": account["members"][0]["id"],
                                      **extra}), 400, "validation_error")
    assert field in error["details"]


def test_cart_requests_are_validated(org, staff):
    error_of(staff.post(org.path("/carts"), json={}), 400, "validation_error")
    error_of(staff.post(org.path("/carts"), json={"account_id": "acc_nope"}), 400,
             "validation_error")
    error_of(staff.get(org.path("/carts/crt_nope")), 404, "not_found")
    account = shop.household(staff, org)
    cart = shop.new_cart(staff, org, account["id"])
    error = error_of(staff.post(org.path(f"/carts/{cart['id']}/items"),
                                json={"type": "session", "member_id": account["members"][0]["id"]}),
                     400, "validation_error")
    assert set(error["details"]) == {"activity_id"}
    error_of(staff.post(org.path(f"/carts/{cart['id']}/checkout"), json={}), 400,
             "validation_error")
    error_of(shop.pay(staff, org, cart["id"], "cash"), 409, "cart_empty")
    error_of(staff.get(org.path("/invoices/inv_nope")), 404, "not_found")


def test_customers_use_their_own_carts_and_invoices_only(org, staff, admin, api):
    _, occurrence = shop.setup_activity(admin, org)
    mine = shop.household(staff, org, password="correct horse battery")
    theirs = shop.household(staff, org)
    token = api.ok("POST", "/auth/login", json={"org_id": org.id, "email": mine["email"],
                                                "password": "correct horse battery"})["token"]
    customer = api.with_token(token)

    cart = shop.new_cart(customer, org, mine["id"])
    assert shop.add_a_la_carte(customer, org, cart["id"], mine["members"][0]["id"],
                               occurrence["id"]).status_code == 201
    done = shop.pay(customer, org, cart["id"], "card", "tok_ok")
    assert done.status_code == 200, done.text
    invoice = done.json()["invoice"]
    assert customer.ok("GET", org.path(f"/invoices/{invoice['id']}"))["id"] == invoice["id"]
    assert len(shop.invoices_of(customer, org, mine["id"])) == 1

    error_of(customer.post(org.path("/carts"), json={"account_id": theirs["id"]}), 403,
             "forbidden")
    their_cart = shop.new_cart(staff, org, theirs["id"])
    error_of(customer.get(org.path(f"/carts/{their_cart['id']}")), 403, "forbidden")
    error_of(shop.add_a_la_carte(customer, org, their_cart["id"], mine["members"][0]["id"],
                                 occurrence["id"]), 403, "forbidden")
    error_of(shop.pay(customer, org, their_cart["id"], "cash"), 403, "forbidden")
    error_of(customer.get(org.path(f"/accounts/{theirs['id']}/invoices")), 403, "forbidden")
    error_of(customer.post(org.path(f"/invoices/{invoice['id']}/void"), json={"reason": "x"}),
             403, "forbidden")


def test_another_orgs_token_sees_nothing(org, staff, admin, new_org):
    account = shop.household(staff, org)
    cart = shop.new_cart(staff, org, account["id"])
    stranger = new_org()
    error_of(stranger.admin.get(org.path(f"/carts/{cart['id']}")), 403, "forbidden")
    error_of(stranger.admin.get(stranger.path(f"/carts/{cart['id']}")), 404, "not_found")


# -- R3.7, R6.5: void -------------------------------------------------------------------------------
def test_void_cancels_the_registrations_and_frees_the_seats(org, staff, admin):
    activity, occurrence = one_seat_activity(admin, org)
    account = shop.household(staff, org, members=2)
    first, second = (m["id"] for m in account["members"])
    cart = shop.new_cart(staff, org, account["id"])
    assert shop.add_session(staff, org, cart["id"], first, activity["id"]).status_code == 201
    assert shop.add_a_la_carte(staff, org, cart["id"], second,
                               occurrence["id"]).status_code == 201
    invoice = shop.pay(staff, org, cart["id"], "card", "tok_ok").json()["invoice"]

    other_account, other_member = shop.people(staff, org, 1)[0]
    probe = shop.new_cart(staff, org, other_account)
    error_of(shop.add_session(staff, org, probe["id"], other_member, activity["id"]), 409,
             "sold_out")
    error_of(shop.add_a_la_carte(staff, org, probe["id"], other_member, occurrence["id"]), 409,
             "sold_out")

    key = f"void-{uuid.uuid4()}"
    voided = staff.post(org.path(f"/invoices/{invoice['id']}/void"),
                        json={"reason": "client moved away"}, headers={"Idempotency-Key": key})
    assert voided.status_code == 200, voided.text
    body = voided.json()
    assert body["status"] == "void" and body["void_reason"] == "client moved away"
    assert body["number"] == invoice["number"] and body["lines"] == invoice["lines"]
    assert body["payments"] == invoice["payments"]  # void moves no money
    assert staff.ok("GET", org.path(f"/invoices/{invoice['id']}"))["status"] == "void"
    # voiding again changes nothing
    again = staff.post(org.path(f"/invoices/{invoice['id']}/void"), json={"reason": "again"})
    assert again.status_code == 200 and again.json()["void_reason"] == "client moved away"

    # both seats are free again
    assert shop.add_session(staff, org, probe["id"], other_member,
                            activity["id"]).status_code == 201
    assert shop.add_a_la_carte(staff, org, probe["id"], other_member,
                               occurrence["id"]).status_code == 201


def test_only_staff_void_and_a_reason_is_required(org, staff, admin):
    _, occurrence = shop.setup_activity(admin, org)
    account_id, member_id = shop.people(staff, org, 1)[0]
    invoice = shop.book(staff, org, account_id, member_id,
                        occurrence_id=occurrence["id"]).json()["invoice"]
    error_of(staff.post(org.path(f"/invoices/{invoice['id']}/void"), json={}), 400,
             "validation_error")
    error_of(staff.post(org.path("/invoices/inv_nope/void"), json={"reason": "x"}), 404,
             "not_found")
