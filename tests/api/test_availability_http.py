"""Occurrence availability over HTTP (docs/http-api.md "Catalog": occurrences and calendar): ``taken``
is confirmed registrations plus live holds as the registration service counts them,
``available`` what is left, and a full occurrence is not bookable (``sold_out``)."""
import time
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


def setup(org, capacity=2, count=3):
    admin = org.admin
    program = admin.ok("POST", org.path("/programs"), json={"name": "Été"})
    activity = admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Tennis", "accounting_code": "4300",
        "session": {"enabled": True, "price": 9000, "capacity": 5},
        "a_la_carte": {"enabled": True, "price": 1000, "capacity": capacity,
                       "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 0}}})
    occurrences = [admin.ok("POST", org.path(f"/activities/{activity['id']}/occurrences"),
                            json={"starts_at": in_days(2, hours=i), "duration_minutes": 60})
                   for i in range(count)]
    return program, activity, occurrences


def household(org, members):
    return org.admin.ok("POST", org.path("/accounts"), json={
        "email": f"{uuid.uuid4().hex[:10]}@example.org", "name": "Roy",
        "members": [{"first_name": f"M{i}", "last_name": "Roy", "birth_date": "1990-01-01"}
                    for i in range(members)]})


def hold(rpc, org, account, member, occurrence=None, activity=None):
    data = {"member_id": member["id"], "account_id": account["id"], "cart_id": "cart_x",
            "cart_item_id": "item_" + uuid.uuid4().hex[:8]}
    if occurrence:
        data.update(kind="a_la_carte", occurrence_id=occurrence["id"])
    else:
        data.update(kind="session", activity_id=activity["id"])
    return rpc.call("registration", "hold", org.id, data)


def test_occurrences_and_calendar_show_the_seats_taken(org, rpc):
    program, activity, (first, second, third) = setup(org, capacity=2)
    account = household(org, 3)
    a, b, c = account["members"]
    hold(rpc, org, account, a, occurrence=first)
    confirmed = hold(rpc, org, account, b, occurrence=first)
    rpc.call("registration", "confirm", org.id, [confirmed["id"]], "inv_" + uuid.uuid4().hex[:8])
    released = hold(rpc, org, account, c, occurrence=second)
    hold(rpc, org, account, a, occurrence=second)
    rpc.call("registration", "release", org.id, released["id"])
    hold(rpc, org, account, c, activity=activity)  # session seats are another pool (R2.4)

    listed = org.admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    seats = {o["id"]: o["a_la_carte"] for o in listed}
    assert {k: (v["capacity"], v["taken"], v["available"], v["bookable"], v["reason"])
            for k, v in seats.items()} == {
        first["id"]: (2, 2, 0, False, "sold_out"),
        second["id"]: (2, 1, 1, True, None),
        third["id"]: (2, 0, 2, True, None)}

    calendar = org.admin.ok("GET", org.path("/calendar"), params={
        "from": in_days(1), "to": in_days(4), "program_id": program["id"]})["items"]
    assert [(o["id"], o["a_la_carte"]["taken"], o["a_la_carte"]["reason"]) for o in calendar] == [
        (first["id"], 2, "sold_out"), (second["id"], 1, None), (third["id"], 0, None)]
    one = org.admin.ok("GET", org.path(f"/occurrences/{second['id']}"))
    assert (one["a_la_carte"]["taken"], one["a_la_carte"]["available"]) == (1, 1)


def test_a_cancelled_occurrence_keeps_its_reason_and_frees_its_seats(org, rpc):
    _, activity, (first, *_) = setup(org, capacity=1, count=1)
    account = household(org, 1)
    hold(rpc, org, account, account["members"][0], occurrence=first)
    cancelled = org.admin.ok("POST", org.path(f"/occurrences/{first['id']}/cancel"))
    assert cancelled["a_la_carte"]["reason"] == "cancelled"
    assert cancelled["a_la_carte"]["bookable"] is False
    # the hold is released by registration's consumer of occurrence_cancelled
    deadline = datetime.now(timezone.utc) + timedelta(seconds=30)
    while True:
        listed = org.admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))
        if listed["items"][0]["a_la_carte"]["taken"] == 0:
            break
        assert datetime.now(timezone.utc) < deadline, listed
        time.sleep(0.2)  # polling interval between two reads, not a synchronisation
    assert listed["items"][0]["a_la_carte"]["reason"] == "cancelled"


def test_an_empty_range_asks_nobody_and_errors_stay_errors(org):
    _, activity, _ = setup(org, count=0)
    assert org.admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))[
        "items"] == []
    error_of(org.admin.get(org.path("/activities/act_nope/occurrences")), 404, "not_found")
