"""Seats and holds through the real broker (R2.4, R3.1–R3.3): pools, sold_out,
already_registered, release, seat counts, retried holds, not_found."""
import pytest

from tests.services.test_registration_support import Shop, in_days, refused


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


def test_session_and_a_la_carte_pools_are_separate_and_each_is_exact(shop):
    activity, (occurrence,) = shop.activity(session={"capacity": 10},
                                            a_la_carte={"capacity": 15}, starts=[in_days(2)])
    household = shop.household(*[{"first_name": f"P{i}"} for i in range(16)])
    people = household["members"]

    # The session pool fills up: 10 seats, the 11th is refused ...
    for member in people[:10]:
        assert shop.hold(household, member, activity=activity)["status"] == "held"
    error = refused(lambda: shop.hold(household, people[10], activity=activity), "sold_out")
    assert error.details["kind"] == "session"
    # ... which does not block à la carte: 15 more people in the same occurrence (R2.4).
    for member in people[:15]:
        assert shop.hold(household, member, occurrence=occurrence)["status"] == "held"
    refused(lambda: shop.hold(household, people[15], occurrence=occurrence), "sold_out")
    # A full à la carte pool does not block the session either, once a seat frees there.
    assert shop.taken(occurrence) == {"a_la_carte_taken": 15, "session_taken": 10}
    first_session = shop.reg("list_registrations", activity_id=activity["id"],
                             kind="session", limit=1)["items"][0]
    shop.reg("release", first_session["id"])
    assert shop.hold(household, people[15], activity=activity)["status"] == "held"
    refused(lambda: shop.hold(household, people[11], activity=activity), "sold_out")
    assert shop.taken(occurrence) == {"a_la_carte_taken": 15, "session_taken": 10}


def test_a_hold_carries_what_the_cart_and_the_invoice_need(shop):
    activity, (occurrence,) = shop.activity(a_la_carte={"price": 1750}, starts=[in_days(3)])
    household = shop.household({})
    held = shop.hold(household, occurrence=occurrence)
    assert held["status"] == "held"
    assert held["kind"] == "a_la_carte"
    assert held["price"] == 1750
    assert held["accounting_code"] == "4100"
    assert held["description"].startswith("Aquaforme (")
    assert held["hold_expires_at"]
    assert held["activity_id"] == activity["id"]
    assert held["occurrence_id"] == occurrence["id"]
    assert held["member_id"] == household["members"][0]["id"]
    assert held["account_id"] == household["id"]
    assert held["paid_with"] == {"type": "money", "id": None}
    assert shop.reg("get_registration", held["id"]) == held
    session = shop.hold(household, activity=activity)
    assert (session["kind"], session["price"], session["occurrence_id"]) == \
        ("session", 12000, None)


def test_one_member_cannot_hold_the_same_seat_twice(shop):
    activity, (occurrence, other) = shop.activity(starts=[in_days(2), in_days(3)])
    household = shop.household({}, {})
    first = shop.hold(household, occurrence=occurrence)
    error = refused(lambda: shop.hold(household, occurrence=occurrence), "already_registered")
    assert error.details["member_id"] == household["members"][0]["id"]
    # Other occurrences, the session and other members are not affected.
    shop.hold(household, occurrence=other)
    shop.hold(household, activity=activity)
    shop.hold(household, household["members"][1], occurrence=occurrence)
    refused(lambda: shop.hold(household, activity=activity), "already_registered")
    # Confirmed is registered too; released is not.
    shop.reg("confirm", [first["id"]], "inv_twice")
    refused(lambda: shop.hold(household, occurrence=occurrence), "already_registered")
    held_other = shop.reg("list_registrations", occurrence_id=other["id"])["items"][0]
    shop.reg("release", held_other["id"])
    assert shop.hold(household, occurrence=other)["status"] == "held"


def test_release_frees_the_seat_and_is_idempotent(shop):
    _, (occurrence,) = shop.activity(a_la_carte={"capacity": 1}, starts=[in_days(2)])
    household = shop.household({}, {})
    held = shop.hold(household, occurrence=occurrence)
    refused(lambda: shop.hold(household, household["members"][1], occurrence=occurrence),
            "sold_out")
    released = shop.reg("release", held["id"])
    assert released["status"] == "released"
    assert shop.reg("release", held["id"])["status"] == "released"
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0
    assert shop.hold(household, household["members"][1], occurrence=occurrence)["status"] == \
        "held"
    assert shop.taken(occurrence)["a_la_carte_taken"] == 1


def test_a_confirmed_registration_is_not_released(shop):
    _, (occurrence,) = shop.activity(starts=[in_days(2)])
    booked = shop.book(shop.household({}), occurrence=occurrence)
    refused(lambda: shop.reg("release", booked["id"]), "registration_not_held")


def test_a_retried_hold_for_the_same_cart_item_is_the_same_hold(shop):
    _, (occurrence,) = shop.activity(starts=[in_days(2)])
    household = shop.household({})
    first = shop.hold(household, occurrence=occurrence, cart_item_id="item_retry")
    again = shop.hold(household, occurrence=occurrence, cart_item_id="item_retry")
    assert again["id"] == first["id"]
    assert shop.taken(occurrence)["a_la_carte_taken"] == 1


def test_seat_counts_give_each_occurrence_its_activity_session_seats(shop):
    activity, occurrences = shop.activity(starts=[in_days(2), in_days(3), in_days(4)])
    household = shop.household({}, {})
    shop.book(household, activity=activity)
    shop.hold(household, household["members"][1], activity=activity)
    shop.hold(household, occurrence=occurrences[1])
    counts = shop.reg("seat_counts", [o["id"] for o in occurrences])
    assert counts == {
        occurrences[0]["id"]: {"a_la_carte_taken": 0, "session_taken": 2},
        occurrences[1]["id"]: {"a_la_carte_taken": 1, "session_taken": 2},
        occurrences[2]["id"]: {"a_la_carte_taken": 0, "session_taken": 2},
    }
    # Occurrences added later are learnt from the catalog's occurrence_added, or given.
    later = shop.occurrence(activity["id"], in_days(9))
    assert shop.reg("seat_counts", {later["id"]: activity["id"]}) == \
        {later["id"]: {"a_la_carte_taken": 0, "session_taken": 2}}
    assert shop.reg("seat_counts", ["occ_unknown"]) == \
        {"occ_unknown": {"a_la_carte_taken": 0, "session_taken": 0}}


def test_unknown_things_are_not_found(shop, rpc):
    activity, (occurrence,) = shop.activity(starts=[in_days(2)])
    household = shop.household({})
    stranger = shop.household({})
    member = household["members"][0]
    base = {"member_id": member["id"], "account_id": household["id"], "cart_id": "c",
            "cart_item_id": "i"}
    refused(lambda: shop.reg("hold", dict(base, kind="session", activity_id="act_nope")),
            "not_found")
    refused(lambda: shop.reg("hold", dict(base, kind="a_la_carte", occurrence_id="occ_nope")),
            "not_found")
    refused(lambda: shop.reg("hold", dict(base, kind="a_la_carte",
                                          occurrence_id=occurrence["id"],
                                          member_id="mem_nope")), "not_found")
    # A member of another household, and another org's activity.
    refused(lambda: shop.reg("hold", dict(base, kind="a_la_carte",
                                          occurrence_id=occurrence["id"],
                                          account_id=stranger["id"])), "not_found")
    other_org = Shop(rpc)
    refused(lambda: other_org.reg("hold", dict(base, kind="session",
                                               activity_id=activity["id"])), "not_found")
    held = shop.hold(household, occurrence=occurrence)
    refused(lambda: other_org.reg("get_registration", held["id"]), "not_found")
    refused(lambda: other_org.reg("release", held["id"]), "not_found")
    refused(lambda: shop.reg("get_registration", "reg_nope"), "not_found")


def test_a_hold_request_is_validated(shop):
    household = shop.household({})
    member = household["members"][0]
    error = refused(lambda: shop.reg("hold", {"kind": "session", "member_id": member["id"],
                                              "account_id": household["id"]}),
                    "validation_error")
    assert "activity_id" in error.details
    error = refused(lambda: shop.reg("hold", {"kind": "lesson", "member_id": member["id"],
                                              "account_id": household["id"], "x": 1}),
                    "validation_error")
    assert set(error.details) >= {"kind", "x"}
