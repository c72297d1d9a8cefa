"""Seat conversion over HTTP (docs/http-api.md ``POST /orgs/{org}/activities/{id}/seat-conversions``,
R2.6): admin only, with an Idempotency-Key, the session loses K seats and every future
occurrence gains K à la carte seats, and more than the unsold seats is refused (409)."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.client import error_of


def in_days(days, hours=0):
    return (datetime.now(timezone.utc).replace(second=0, microsecond=0)
            + timedelta(days=days, hours=hours)).isoformat()


@pytest.fixture
def org(new_org):
    return new_org()


def setup(org):
    admin = org.admin
    program = admin.ok("POST", org.path("/programs"), json={"name": "Été"})
    activity = admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Aquaforme", "accounting_code": "4100",
        "session": {"enabled": True, "price": 12000, "capacity": 10},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15,
                       "closes_minutes_before": 0,
                       "cancellation": {"allowed": False, "deadline_minutes_before": 0}}})
    occurrences = [admin.ok("POST", org.path(f"/activities/{activity['id']}/occurrences"),
                            json={"starts_at": at, "duration_minutes": 60})
                   for at in (in_days(-1), in_days(2), in_days(9))]
    return activity, occurrences


def session_holds(rpc, org, activity, count):
    account = org.admin.ok("POST", org.path("/accounts"), json={
        "email": f"{uuid.uuid4().hex[:10]}@example.org", "name": "Roy",
        "members": [{"first_name": f"M{i}", "last_name": "Roy", "birth_date": "1990-01-01"}
                    for i in range(count)]})
    for member in account["members"]:
        rpc.call("registration", "hold", org.id, {
            "kind": "session", "activity_id": activity["id"], "member_id": member["id"],
            "account_id": account["id"], "cart_id": "cart_x",
            "cart_item_id": "item_" + uuid.uuid4().hex[:8]})


def convert(client, org, activity, seats, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return client.post(org.path(f"/activities/{activity['id']}/seat-conversions"),
                       json={"seats": seats}, headers=headers)


def test_an_admin_converts_unsold_session_seats(org, rpc):
    activity, (past, soon, later) = setup(org)
    session_holds(rpc, org, activity, 6)
    key = f"convert-{uuid.uuid4()}"
    answer = convert(org.admin, org, activity, 3, key=key)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in ("session_capacity", "a_la_carte_capacity")} == \
        {"session_capacity": 7, "a_la_carte_capacity": 18}
    # the same key again: the same answer, converted once
    again = convert(org.admin, org, activity, 3, key=key)
    assert again.json() == answer.json() and again.headers.get("Idempotent-Replayed") == "true"

    got = org.admin.ok("GET", org.path(f"/activities/{activity['id']}"))
    assert (got["session"]["capacity"], got["a_la_carte"]["capacity"]) == (7, 18)
    listed = org.admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    assert {o["id"]: (o["a_la_carte"]["capacity"], o["a_la_carte"]["available"])
            for o in listed} == {past["id"]: (15, 15), soon["id"]: (18, 18),
                                 later["id"]: (18, 18)}

    # one unsold seat is left (10 - 6 held - 3 converted)
    error = error_of(convert(org.admin, org, activity, 2), 409, "not_enough_unsold_seats")
    assert int(error["details"]["unsold"]) == 1
    assert convert(org.admin, org, activity, 1).json()["session_capacity"] == 6
    error_of(convert(org.admin, org, activity, 1), 409, "not_enough_unsold_seats")


def test_only_admins_convert_and_the_body_is_checked(org, api):
    activity, _ = setup(org)
    key = org.admin.ok("POST", org.path("/api-keys"), json={"role": "staff", "name": "Desk"})
    staff = api.with_token(api.ok("POST", "/auth/token",
                                  json={"api_key": key["api_key"]})["token"])
    error_of(convert(staff, org, activity, 1), 403, "forbidden")
    error_of(convert(api, org, activity, 1), 401, "unauthenticated")
    error_of(convert(org.admin, org, activity, 0), 400, "validation_error")
    error_of(org.admin.post(org.path(f"/activities/{activity['id']}/seat-conversions"),
                            json={"seats": "3"}), 400, "validation_error")
    error_of(convert(org.admin, org, {"id": "act_nope"}, 1), 404, "not_found")
    error_of(convert(org.admin, org, activity, 11), 409, "not_enough_unsold_seats")
    assert org.admin.ok("GET", org.path(f"/activities/{activity['id']}"))["session"][
        "capacity"] == 10


def test_switching_a_la_carte_off_is_refused_while_in_use(org, rpc):
    activity, (_, soon, _) = setup(org)
    account = org.admin.ok("POST", org.path("/accounts"), json={
        "email": f"{uuid.uuid4().hex[:10]}@example.org", "name": "Roy",
        "members": [{"first_name": "A", "last_name": "Roy", "birth_date": "1990-01-01"}]})
    held = rpc.call("registration", "hold", org.id, {
        "kind": "a_la_carte", "occurrence_id": soon["id"],
        "member_id": account["members"][0]["id"], "account_id": account["id"],
        "cart_id": "cart_x", "cart_item_id": "item_" + uuid.uuid4().hex[:8]})
    off = {"a_la_carte": {"enabled": False}}
    error_of(org.admin.patch(org.path(f"/activities/{activity['id']}"), json=off), 409,
             "a_la_carte_in_use")
    rpc.call("registration", "release", org.id, held["id"])
    assert org.admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
                        json=off)["a_la_carte"]["enabled"] is False
