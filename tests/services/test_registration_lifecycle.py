"""Confirmation at checkout, cancellation (R3.5, R3.6), voided invoices (R3.7) and what staff
read (R3.8), through the real broker; events are awaited on the broker."""
from datetime import timedelta

import pytest

from tests.services.test_registration_support import (Shop, in_days, listening, now_utc,
                                                      refused)


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


# -- confirm ----------------------------------------------------------------------------------------

def test_confirm_is_all_or_nothing_and_idempotent_for_the_same_invoice(shop, test_env):
    activity, (occurrence,) = shop.activity(starts=[in_days(2)])
    household = shop.household({}, {})
    a = shop.hold(household, occurrence=occurrence)
    b = shop.hold(household, household["members"][1], activity=activity)
    with listening(test_env, "registration_confirmed") as events:
        confirmed = shop.reg("confirm", [a["id"], b["id"]], "inv_A")["items"]
        event = events.wait_for("registration_confirmed", lambda e: e["data"]["id"] == a["id"])
    assert event["data"]["invoice_id"] == "inv_A"
    assert [r["status"] for r in confirmed] == ["confirmed", "confirmed"]
    assert all(r["invoice_id"] == "inv_A" and r["hold_expires_at"] is None for r in confirmed)
    assert confirmed[0]["paid_with"] == {"type": "money", "id": "inv_A"}
    # The same call again (a retried saga step) changes nothing.
    assert shop.reg("confirm", [a["id"], b["id"]], "inv_A")["items"] == confirmed
    # Another invoice cannot take them.
    refused(lambda: shop.reg("confirm", [a["id"]], "inv_B"), "registration_not_held")


def test_confirm_refuses_a_released_hold_and_confirms_nothing(shop):
    _, (occurrence, other) = shop.activity(starts=[in_days(2), in_days(3)])
    household = shop.household({})
    kept = shop.hold(household, occurrence=occurrence)
    gone = shop.hold(household, occurrence=other)
    shop.reg("release", gone["id"])
    refused(lambda: shop.reg("confirm", [kept["id"], gone["id"]], "inv_C"),
            "registration_not_held")
    assert shop.reg("get_registration", kept["id"])["status"] == "held"
    refused(lambda: shop.reg("confirm", [kept["id"], "reg_nope"], "inv_C"), "not_found")


# -- cancellation by the client (R3.5) -----------------------------------------------------------

def test_a_client_cancels_before_the_deadline_and_the_seat_is_free_at_once(shop, test_env):
    _, (occurrence,) = shop.activity(
        a_la_carte={"capacity": 1, "price": 1500,
                    "cancellation": {"allowed": True, "deadline_minutes_before": 60}},
        starts=[in_days(2)])
    household = shop.household({}, {})
    booked = shop.book(household, occurrence=occurrence)
    refused(lambda: shop.hold(household, household["members"][1], occurrence=occurrence),
            "sold_out")
    with listening(test_env, "registration_cancelled") as events:
        cancelled = shop.reg("cancel", booked["id"], {"by_staff": False})
        event = events.wait_for("registration_cancelled",
                                lambda e: e["data"]["id"] == booked["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_by"] == "client"
    assert event["data"]["refund_to_credit"] == 1500  # billing credits the account
    assert event["data"]["account_id"] == household["id"]
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0
    assert shop.hold(household, household["members"][1], occurrence=occurrence)["status"] == \
        "held"
    # Cancelling again (a retry) returns the same cancelled registration.
    assert shop.reg("cancel", booked["id"], {"by_staff": False})["status"] == "cancelled"
    assert shop.taken(occurrence)["a_la_carte_taken"] == 1


def test_a_client_cannot_cancel_after_the_deadline(shop):
    _, (occurrence,) = shop.activity(
        a_la_carte={"cancellation": {"allowed": True, "deadline_minutes_before": 3 * 24 * 60}},
        starts=[in_days(2)])
    booked = shop.book(shop.household({}), occurrence=occurrence)
    error = refused(lambda: shop.reg("cancel", booked["id"], {"by_staff": False}),
                    "cancellation_deadline_passed")
    assert error.details["deadline"]
    assert shop.reg("get_registration", booked["id"])["status"] == "confirmed"


def test_a_client_cannot_cancel_where_the_activity_does_not_allow_it(shop):
    activity, (occurrence,) = shop.activity(
        a_la_carte={"cancellation": {"allowed": False, "deadline_minutes_before": 0}},
        starts=[in_days(2)])
    household = shop.household({})
    booked = shop.book(household, occurrence=occurrence)
    refused(lambda: shop.reg("cancel", booked["id"], {"by_staff": False}),
            "cancellation_not_allowed")
    session = shop.book(household, activity=activity)
    refused(lambda: shop.reg("cancel", session["id"], {"by_staff": False}),
            "cancellation_not_allowed")


def test_a_hold_is_released_not_cancelled(shop):
    _, (occurrence,) = shop.activity(starts=[in_days(2)])
    held = shop.hold(shop.household({}), occurrence=occurrence)
    refused(lambda: shop.reg("cancel", held["id"], {"by_staff": True}),
            "registration_not_confirmed")


# -- cancellation by staff (R3.6) -----------------------------------------------------------------

def test_staff_cancel_regardless_of_policy_and_deadline(shop, test_env):
    activity, (occurrence,) = shop.activity(
        session={"price": 9000},
        a_la_carte={"cancellation": {"allowed": False, "deadline_minutes_before": 0}},
        starts=[now_utc() + timedelta(hours=3)])
    household = shop.household({})
    a_la_carte = shop.book(household, occurrence=occurrence)
    session = shop.book(household, activity=activity)
    with listening(test_env, "registration_cancelled") as events:
        assert shop.reg("cancel", a_la_carte["id"], {"by_staff": True})["cancelled_by"] == \
            "staff"
        assert shop.reg("cancel", session["id"], {"by_staff": True})["status"] == "cancelled"
        event = events.wait_for("registration_cancelled",
                                lambda e: e["data"]["id"] == session["id"])
    assert event["data"]["refund_to_credit"] == 9000
    assert shop.taken(occurrence) == {"a_la_carte_taken": 0, "session_taken": 0}


# -- voided invoices (R3.7) -----------------------------------------------------------------------

def test_cancel_for_invoice_cancels_what_it_paid_for_once(shop, test_env):
    activity, (occurrence,) = shop.activity(starts=[in_days(2)])
    household = shop.household({}, {})
    a = shop.hold(household, occurrence=occurrence)
    b = shop.hold(household, household["members"][1], activity=activity)
    other = shop.book(household, household["members"][1], occurrence=occurrence)
    shop.reg("confirm", [a["id"], b["id"]], "inv_void")
    with listening(test_env, "registration_cancelled") as events:
        items = shop.reg("cancel_for_invoice", "inv_void")["items"]
        event = events.wait_for("registration_cancelled", lambda e: e["data"]["id"] == a["id"])
    assert sorted(r["id"] for r in items) == sorted([a["id"], b["id"]])
    assert {r["status"] for r in items} == {"cancelled"}
    assert {r["cancelled_by"] for r in items} == {"invoice_void"}
    assert "refund_to_credit" not in event["data"]  # billing reverses the invoice itself
    assert shop.taken(occurrence) == {"a_la_carte_taken": 1, "session_taken": 0}
    again = shop.reg("cancel_for_invoice", "inv_void")["items"]
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in items)
    assert shop.reg("get_registration", other["id"])["status"] == "confirmed"
    assert shop.reg("cancel_for_invoice", "inv_unknown") == {"items": []}


# -- reads (R3.8) -----------------------------------------------------------------------------------

def test_activity_registrations_count_session_and_a_la_carte_apart(shop):
    activity, (first, second) = shop.activity(starts=[in_days(2), in_days(3)])
    household = shop.household({}, {}, {})
    ann, bob, cat = household["members"]
    shop.book(household, ann, activity=activity)
    shop.book(household, bob, occurrence=first)
    shop.book(household, cat, occurrence=first)
    shop.book(household, cat, occurrence=second)
    shop.hold(household, bob, occurrence=second)  # a hold is not a participant yet

    everything = shop.reg("activity_registrations", activity["id"])
    assert (everything["session_count"], everything["a_la_carte_count"]) == (1, 3)
    assert [(o["occurrence_id"], o["session_count"], o["a_la_carte_count"])
            for o in everything["occurrences"]] == [(first["id"], 1, 2), (second["id"], 1, 1)]
    assert len(everything["items"]) == 4

    one = shop.reg("activity_registrations", activity["id"], occurrence_id=first["id"])
    assert (one["session_count"], one["a_la_carte_count"]) == (1, 2)
    assert {r["member_id"] for r in one["items"]} == {ann["id"], bob["id"], cat["id"]}
    only = shop.reg("activity_registrations", activity["id"], kind="a_la_carte",
                    occurrence_id=second["id"])
    assert [r["member_id"] for r in only["items"]] == [cat["id"]]
    assert only["items"][0]["member_name"] == f"{cat['first_name']} {cat['last_name']}"
    refused(lambda: shop.reg("activity_registrations", activity["id"],
                             occurrence_id="occ_nope"), "not_found")
    refused(lambda: shop.reg("activity_registrations", "act_nope"), "not_found")


def test_list_registrations_of_an_account_page_by_page(shop):
    _, occurrences = shop.activity(starts=[in_days(d) for d in range(2, 7)])
    household = shop.household({})
    neighbour = shop.household({})
    made = [shop.hold(household, occurrence=o)["id"] for o in occurrences]
    shop.hold(neighbour, occurrence=occurrences[0])
    first = shop.reg("list_registrations", account_id=household["id"], limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = shop.reg("list_registrations", account_id=household["id"], limit=3,
                    cursor=first["next_cursor"])
    assert rest["next_cursor"] is None
    seen = [r["id"] for r in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(made)
    refused(lambda: shop.reg("list_registrations", kind="yoga"), "validation_error")
