"""The registration routes over HTTP (docs/http-api.md "Registrations"): who may read and cancel what
(R1.2, R3.5, R3.6), the participant lists (R3.8), Idempotency-Key on cancel.

Seats are held and confirmed through the registration service's RPCs (as billing's checkout
does), since carts are another change's routes."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.client import error_of


def in_days(days):
    return (datetime.now(timezone.utc).replace(second=0, microsecond=0)
            + timedelta(days=days)).isoformat()


class Centre:
    def __init__(self, org, api, rpc):
        self.org, self.api, self.rpc = org, api, rpc
        admin = org.admin
        key = admin.ok("POST", org.path("/api-keys"), json={"role": "staff", "name": "Desk"})
        token = api.ok("POST", "/auth/token", json={"api_key": key["api_key"]})["token"]
        self.staff = api.with_token(token)
        self.program = admin.ok("POST", org.path("/programs"), json={"name": "Hiver"})

    def activity(self, starts, cancellation=None):
        admin = self.org.admin
        activity = admin.ok("POST", self.org.path("/activities"), json={
            "program_id": self.program["id"], "name": "Yoga", "accounting_code": "4200",
            "session": {"enabled": True, "price": 10000, "capacity": 10},
            "a_la_carte": {"enabled": True, "price": 1200, "capacity": 10,
                           "closes_minutes_before": 0,
                           "cancellation": cancellation or {"allowed": True,
                                                            "deadline_minutes_before": 60}}})
        occurrences = [admin.ok("POST", self.org.path(f"/activities/{activity['id']}/occurrences"),
                                json={"starts_at": at, "duration_minutes": 60})
                       for at in starts]
        return activity, occurrences

    def customer(self, members=1):
        email = f"{uuid.uuid4().hex[:10]}@example.org"
        account = self.api.ok("POST", self.org.path("/accounts"), json={
            "email": email, "password": "correct horse battery", "name": "Gagnon",
            "members": [{"first_name": f"C{i}", "last_name": "Gagnon",
                         "birth_date": "1985-02-03"} for i in range(members)]})
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": email, "password": "correct horse battery"})["token"]
        return account, self.api.with_token(token)

    def book(self, account, member=None, occurrence=None, activity=None):
        member = member or account["members"][0]
        data = {"member_id": member["id"], "account_id": account["id"],
                "cart_id": "cart_api", "cart_item_id": "item_" + uuid.uuid4().hex[:8]}
        if occurrence:
            data.update(kind="a_la_carte", occurrence_id=occurrence["id"])
        else:
            data.update(kind="session", activity_id=activity["id"])
        held = self.rpc.call("registration", "hold", self.org.id, data)
        return self.rpc.call("registration", "confirm", self.org.id, [held["id"]],
                             "inv_" + uuid.uuid4().hex[:8])["items"][0]


@pytest.fixture
def centre(new_org, api, rpc):
    return Centre(new_org(), api, rpc)


def test_a_customer_reads_their_own_registrations_only(centre):
    _, (occurrence,) = centre.activity([in_days(2)])
    account, customer = centre.customer()
    other_account, other = centre.customer()
    booked = centre.book(account, occurrence=occurrence)
    path = centre.org.path(f"/registrations/{booked['id']}")

    mine = customer.ok("GET", path)
    assert mine["id"] == booked["id"]
    assert mine["status"] == "confirmed" and mine["kind"] == "a_la_carte"
    assert mine["paid_with"]["type"] == "money"
    assert {"member_id", "activity_id", "occurrence_id"} <= set(mine)
    error_of(other.get(path), 403, "forbidden")
    assert centre.staff.ok("GET", path)["id"] == booked["id"]
    error_of(centre.staff.get(centre.org.path("/registrations/reg_nope")), 404, "not_found")
    error_of(centre.api.get(path), 401, "unauthenticated")


def test_a_customer_cancels_before_the_deadline_once_even_if_retried(centre):
    _, (occurrence,) = centre.activity([in_days(2)])
    account, customer = centre.customer()
    booked = centre.book(account, occurrence=occurrence)
    path = centre.org.path(f"/registrations/{booked['id']}/cancel")
    headers = {"Idempotency-Key": "cancel-" + booked["id"]}

    first = customer.post(path, json={}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "cancelled"
    assert first.json()["cancelled_by"] == "client"
    assert first.json()["refund_to_credit"] == 1200
    replay = customer.post(path, json={}, headers=headers)
    assert replay.status_code == 200 and replay.json() == first.json()
    assert replay.headers.get("Idempotent-Replayed") == "true"
    error_of(customer.post(path, json={"restore_pass_use": True}, headers=headers), 409,
             "idempotency_key_reused")


def test_customer_refusals_of_r3_5(centre):
    activity, (soon,) = centre.activity([in_days(2)], cancellation={
        "allowed": True, "deadline_minutes_before": 3 * 24 * 60})
    _, (fixed,) = centre.activity([in_days(2)], cancellation={
        "allowed": False, "deadline_minutes_before": 0})
    account, customer = centre.customer()
    _, stranger = centre.customer()
    late = centre.book(account, occurrence=soon)
    not_allowed = centre.book(account, occurrence=fixed)
    session = centre.book(account, activity=activity)

    def cancel(client, registration, body=None):
        return client.post(centre.org.path(f"/registrations/{registration['id']}/cancel"),
                           json=body or {})

    error_of(cancel(customer, late), 409, "cancellation_deadline_passed")
    error_of(cancel(customer, not_allowed), 409, "cancellation_not_allowed")
    error_of(cancel(customer, session), 409, "cancellation_not_allowed")
    error_of(cancel(stranger, late), 403, "forbidden")
    error_of(cancel(customer, late, {"restore_pass_use": False}), 403, "forbidden")
    error_of(cancel(customer, late, {"unexpected": 1}), 400, "validation_error")
    # Staff may cancel regardless (R3.6).
    for registration in (late, not_allowed, session):
        response = cancel(centre.staff, registration)
        assert response.status_code == 200, response.text
        assert response.json()["cancelled_by"] == "staff"


def test_staff_see_participants_per_activity_and_occurrence(centre):
    activity, (first, second) = centre.activity([in_days(2), in_days(3)])
    account, customer = centre.customer(members=3)
    ann, bob, cat = account["members"]
    centre.book(account, ann, activity=activity)
    centre.book(account, bob, occurrence=first)
    centre.book(account, cat, occurrence=second)
    path = centre.org.path(f"/activities/{activity['id']}/registrations")

    everything = centre.staff.ok("GET", path)
    assert (everything["session_count"], everything["a_la_carte_count"]) == (1, 2)
    assert len(everything["items"]) == 3
    one = centre.staff.ok("GET", path, params={"occurrence_id": first["id"]})
    assert (one["session_count"], one["a_la_carte_count"]) == (1, 1)
    assert {r["member_id"] for r in one["items"]} == {ann["id"], bob["id"]}
    sessions = centre.staff.ok("GET", path, params={"kind": "session"})
    assert [r["member_id"] for r in sessions["items"]] == [ann["id"]]
    error_of(centre.staff.get(path, params={"kind": "yoga"}), 400, "validation_error")
    error_of(customer.get(path), 403, "forbidden")
    error_of(centre.staff.get(centre.org.path("/activities/act_nope/registrations")), 404,
             "not_found")


def test_an_account_lists_its_registrations_page_by_page(centre):
    _, occurrences = centre.activity([in_days(d) for d in (2, 3, 4)])
    account, customer = centre.customer()
    _, stranger = centre.customer()
    made = {centre.book(account, occurrence=o)["id"] for o in occurrences}
    path = centre.org.path(f"/accounts/{account['id']}/registrations")

    first = customer.ok("GET", path, params={"limit": 2})
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = customer.ok("GET", path, params={"limit": 2, "cursor": first["next_cursor"]})
    assert rest["next_cursor"] is None
    assert {r["id"] for r in first["items"] + rest["items"]} == made
    assert len(centre.staff.ok("GET", path)["items"]) == 3
    error_of(stranger.get(path), 403, "forbidden")
    error_of(customer.get(path, params={"limit": 0}), 400, "validation_error")
