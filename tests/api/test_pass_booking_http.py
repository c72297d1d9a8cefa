"""Booking with a pass over HTTP (docs/http-api.md ``POST /orgs/{org}/registrations``; R3.4–R3.6,
R4.1): the seat and the use are taken together or not at all, a family pass counts uses for
the whole account, cancelling gives the use back where the terms (or staff) say so.

Passes are sold with the passes service's RPCs (billing's pass cart items are another
change); everything else goes through the gateway as a shop or the front desk would."""
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.client import error_of


def in_days(days, hours=0):
    return (datetime.now(timezone.utc).replace(second=0, microsecond=0)
            + timedelta(days=days, hours=hours)).isoformat()


class Centre:
    def __init__(self, org, api, rpc):
        self.org, self.api, self.rpc = org, api, rpc
        self.admin = org.admin
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Desk"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])
        self.program = self.admin.ok("POST", org.path("/programs"), json={"name": "Hiver"})

    def path(self, suffix):
        return self.org.path(suffix)

    def activity(self, count=1, capacity=10, pass_only=False, price=1200, name="Yoga",
                 first_day=3):
        activity = self.admin.ok("POST", self.path("/activities"), json={
            "program_id": self.program["id"], "name": name, "accounting_code": "4200",
            "a_la_carte": {"enabled": True, "price": price, "capacity": capacity,
                           "pass_only": pass_only, "closes_minutes_before": 0,
                           "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
        occurrences = [self.admin.ok("POST", self.path(f"/activities/{activity['id']}/occurrences"),
                                     json={"starts_at": in_days(first_day, hours=i),
                                           "duration_minutes": 45})
                       for i in range(count)]
        return activity, occurrences

    def pass_type(self, activities, uses=3, family=True, credit_on_cancel=True, valid_days=60):
        return self.admin.ok("POST", self.path("/pass-types"), json={
            "name": f"Carte {uuid.uuid4().hex[:4]}", "price": 5000, "uses": uses,
            "valid_days": valid_days, "family": family,
            "eligible_activity_ids": [a["id"] for a in activities],
            "credit_on_cancel": credit_on_cancel, "accounting_code": "4900"})

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

    def sell(self, pass_type, account, member=None):
        return self.rpc.call("passes", "sell_pass", self.org.id, {
            "pass_type_id": pass_type["id"], "account_id": account["id"],
            "member_id": member["id"] if member else None,
            "invoice_id": "inv_" + uuid.uuid4().hex[:10]})

    def book(self, client, member, occurrence, the_pass, key=None):
        headers = {"Idempotency-Key": key} if key else None
        return client.post(self.path("/registrations"), headers=headers, json={
            "member_id": member["id"], "occurrence_id": occurrence["id"],
            "pass_id": the_pass["id"]})

    def uses_left(self, the_pass):
        return self.staff.ok("GET", self.path(f"/passes/{the_pass['id']}"))["uses_left"]

    def ledger(self, the_pass):
        return self.rpc.call("passes", "pass_ledger", self.org.id, the_pass["id"])["items"]

    def taken(self, activity):
        items = self.staff.ok("GET", self.path(f"/activities/{activity['id']}/occurrences"))
        return {o["id"]: o["a_la_carte"]["taken"] for o in items["items"]}


@pytest.fixture
def centre(new_org, api, rpc):
    return Centre(new_org(), api, rpc)


def test_a_family_pass_books_three_occurrences_for_either_member_then_runs_out(centre):
    activity, occurrences = centre.activity(count=4)
    kind = centre.pass_type([activity], uses=3, family=True)
    account, client = centre.customer(members=2)
    first, second = account["members"]
    card = centre.sell(kind, account)

    booked = []
    for member, occurrence in zip((first, second, first), occurrences):
        response = centre.book(client, member, occurrence, card)
        assert response.status_code == 201, response.text
        registration = response.json()
        assert (registration["status"], registration["kind"], registration["paid_with"]) == \
            ("confirmed", "a_la_carte", {"type": "pass", "id": card["id"]})
        assert registration["member_id"] == member["id"]
        assert registration["price"] == 0
        booked.append(registration)
    assert centre.uses_left(card) == 0

    error = error_of(centre.book(client, second, occurrences[3], card), 409, "pass_exhausted")
    assert error["details"]["pass_id"] == card["id"]
    # the refused booking took no seat and wrote no entry (R4.1)
    assert centre.taken(activity) == {occurrences[0]["id"]: 1, occurrences[1]["id"]: 1,
                                      occurrences[2]["id"]: 1, occurrences[3]["id"]: 0}
    debits = [e for e in centre.ledger(card) if e["kind"] == "debit"]
    assert sorted(e["registration_id"] for e in debits) == sorted(r["id"] for r in booked)

    # the account sees its registrations; the member is booked once per occurrence
    mine = client.ok("GET", centre.path(f"/accounts/{account['id']}/registrations"))["items"]
    assert {r["id"] for r in mine if r["status"] == "confirmed"} == {r["id"] for r in booked}
    assert [r["status"] for r in mine if r["id"] not in {b["id"] for b in booked}] == \
        ["released"]  # the refused booking's seat, given back
    error_of(centre.book(client, first, occurrences[0], card), 409, "already_registered")


def test_cancelling_before_the_deadline_gives_the_use_back_when_the_terms_say_so(centre):
    activity, occurrences = centre.activity(count=2)
    giving = centre.pass_type([activity], uses=2, credit_on_cancel=True)
    keeping = centre.pass_type([activity], uses=2, credit_on_cancel=False)
    account, client = centre.customer(members=2)
    first, second = account["members"]
    generous, strict = centre.sell(giving, account), centre.sell(keeping, account)

    kept = centre.book(client, first, occurrences[0], generous).json()
    lost = centre.book(client, second, occurrences[0], strict).json()
    assert centre.uses_left(generous) == centre.uses_left(strict) == 1

    cancelled = client.ok("POST", centre.path(f"/registrations/{kept['id']}/cancel"), json={})
    assert cancelled["status"] == "cancelled"
    assert centre.uses_left(generous) == 2
    client.ok("POST", centre.path(f"/registrations/{lost['id']}/cancel"), json={})
    assert centre.uses_left(strict) == 1
    assert [e["kind"] for e in centre.ledger(strict)].count("credit") == 0
    # the seats are free at once, and the generous pass books again
    assert centre.taken(activity)[occurrences[0]["id"]] == 0
    assert centre.book(client, first, occurrences[1], generous).status_code == 201


def test_staff_choose_whether_the_use_comes_back(centre):
    activity, occurrences = centre.activity(count=3)
    kind = centre.pass_type([activity], uses=3, credit_on_cancel=False)
    account, client = centre.customer()
    member = account["members"][0]
    card = centre.sell(kind, account)
    regs = [centre.book(centre.staff, member, o, card).json() for o in occurrences]
    assert all(r["status"] == "confirmed" for r in regs), regs
    assert centre.uses_left(card) == 0

    # staff: default yes, even where the terms do not give it back (R3.6)
    centre.staff.ok("POST", centre.path(f"/registrations/{regs[0]['id']}/cancel"), json={})
    assert centre.uses_left(card) == 1
    centre.staff.ok("POST", centre.path(f"/registrations/{regs[1]['id']}/cancel"),
                    json={"restore_pass_use": False})
    assert centre.uses_left(card) == 1
    centre.staff.ok("POST", centre.path(f"/registrations/{regs[2]['id']}/cancel"),
                    json={"restore_pass_use": True})
    assert centre.uses_left(card) == 2
    # a customer does not choose
    error_of(client.post(centre.path(f"/registrations/{regs[0]['id']}/cancel"),
                         json={"restore_pass_use": True}), 403, "forbidden")


def test_pass_holders_only_refuse_money_and_take_a_pass(centre):
    activity, (occurrence,) = centre.activity(pass_only=True)
    account, client = centre.customer()
    member = account["members"][0]
    cart = client.ok("POST", centre.path("/carts"), json={"account_id": account["id"]})
    error_of(client.post(centre.path(f"/carts/{cart['id']}/items"), json={
        "type": "a_la_carte", "member_id": member["id"], "occurrence_id": occurrence["id"]}),
        409, "pass_required")
    card = centre.sell(centre.pass_type([activity], uses=1), account)
    assert centre.book(client, member, occurrence, card).json()["status"] == "confirmed"
    listed = client.ok("GET", centre.path(f"/activities/{activity['id']}/occurrences"))
    assert listed["items"][0]["a_la_carte"]["pass_only"] is True
    assert listed["items"][0]["a_la_carte"]["taken"] == 1


def test_a_pass_for_another_activity_is_not_eligible(centre):
    yoga, (occurrence,) = centre.activity(name="Yoga")
    pilates, _ = centre.activity(name="Pilates", count=0)
    account, client = centre.customer()
    card = centre.sell(centre.pass_type([pilates], uses=5), account)
    error_of(centre.book(client, account["members"][0], occurrence, card), 409,
             "pass_not_eligible")
    assert centre.taken(yoga)[occurrence["id"]] == 0
    assert centre.uses_left(card) == 5


def test_a_pass_expired_by_the_occurrence_date_is_refused(centre):
    activity, (occurrence,) = centre.activity(first_day=5)
    account, client = centre.customer()
    card = centre.sell(centre.pass_type([activity], uses=5, valid_days=2), account)
    error_of(centre.book(client, account["members"][0], occurrence, card), 409, "pass_expired")
    assert centre.taken(activity)[occurrence["id"]] == 0


def test_unknown_or_foreign_passes_and_members_are_not_found(centre):
    activity, (occurrence,) = centre.activity()
    account, client = centre.customer()
    other, _ = centre.customer()
    card = centre.sell(centre.pass_type([activity], uses=5), account)
    error_of(centre.book(client, account["members"][0], occurrence, {"id": "pas_nope"}), 404,
             "not_found")
    # a customer books for their own account only
    error_of(centre.book(client, other["members"][0], occurrence, card), 404, "not_found")
    # someone else's pass
    error_of(centre.book(centre.staff, other["members"][0], occurrence, card), 409,
             "pass_not_eligible")
    assert centre.taken(activity)[occurrence["id"]] == 0
    error_of(client.post(centre.path("/registrations"), json={"member_id": "x"}), 400,
             "validation_error")


def test_an_unlimited_pass_never_runs_out(centre):
    activity, occurrences = centre.activity(count=6)
    account, client = centre.customer(members=2)
    card = centre.sell(centre.pass_type([activity], uses=None), account)
    for i, occurrence in enumerate(occurrences):
        member = account["members"][i % 2]
        assert centre.book(client, member, occurrence, card).status_code == 201
    debits = [e for e in centre.ledger(card) if e["kind"] == "debit"]
    assert len(debits) == 6
    assert centre.staff.ok("GET", centre.path(f"/passes/{card['id']}"))["status"] == "active"


def test_a_retried_booking_with_its_key_books_once(centre):
    activity, (occurrence,) = centre.activity()
    account, client = centre.customer()
    card = centre.sell(centre.pass_type([activity], uses=5), account)
    key = f"book-{uuid.uuid4()}"
    first = centre.book(client, account["members"][0], occurrence, card, key=key)
    again = centre.book(client, account["members"][0], occurrence, card, key=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert centre.uses_left(card) == 4


def test_thirty_concurrent_bookings_on_a_five_use_pass_with_two_instances(centre, stack, api):
    """Two instances of registration and of passes; 30 bookings of 30 different
    occurrences race for 5 uses: exactly 5 succeed, 5 debits, no use left, and every
    refused booking gave its seat back."""
    stack.scale("registration", 2)
    stack.scale("passes", 2)
    activity, occurrences = centre.activity(count=30)
    account, client = centre.customer(members=3)
    card = centre.sell(centre.pass_type([activity], uses=5), account)

    start = threading.Barrier(30)
    answers = [None] * 30

    def book(index):
        http = api.with_token(client.token)
        start.wait()
        answers[index] = centre.book(http, account["members"][index % 3], occurrences[index],
                                     card)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 5, [(a.status_code, a.text[:120]) for a in answers]
    refused = [a for a in answers if a.status_code != 201]
    assert {(a.status_code, a.json()["error"]["code"]) for a in refused} == \
        {(409, "pass_exhausted")}
    debits = [e for e in centre.ledger(card) if e["kind"] == "debit"]
    assert len(debits) == 5
    assert centre.uses_left(card) == 0
    won = {a.json()["occurrence_id"] for a in answers if a.status_code == 201}
    taken = centre.taken(activity)
    assert {o for o, n in taken.items() if n} == won
    assert sorted(e["registration_id"] for e in debits) == \
        sorted(a.json()["id"] for a in answers if a.status_code == 201)
