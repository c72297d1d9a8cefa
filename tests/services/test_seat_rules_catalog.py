"""The catalog's seat rules that need registration's counts, through the real broker:
R2.5 (à la carte cannot be switched off while in use), R2.6 (seat conversion, refused past
the unsold seats, safe against concurrent holds), and an occurrence cancelled by the
catalog ending its à la carte registrations."""
import threading
import uuid

import pytest

from services.common.errors import CarnetError
from services.passes.contract import errors as _passes_errors  # noqa: F401 (typed errors)
from tests.services.test_registration_support import (Shop, in_days, listening, now_utc,
                                                      refused)


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


def switch_off(shop, activity):
    return shop.call("catalog", "update_activity", shop.org_id, activity["id"],
                     {"a_la_carte": {"enabled": False}})


def convert(shop, activity, seats):
    return shop.call("catalog", "convert_seats", shop.org_id, activity["id"], {"seats": seats})


# -- R2.5 -------------------------------------------------------------------------------------------

def test_a_la_carte_cannot_be_switched_off_while_a_registration_is_active(shop):
    activity, (occurrence,) = shop.activity(starts=[in_days(3)])
    household = shop.household({}, {})
    first, second = household["members"]
    held = shop.hold(household, first, occurrence=occurrence)
    error = refused(lambda: switch_off(shop, activity), "a_la_carte_in_use")
    assert int(error.details["active_registrations"]) == 1
    confirmed = shop.book(household, second, occurrence=occurrence)
    refused(lambda: switch_off(shop, activity), "a_la_carte_in_use")
    assert shop.call("catalog", "get_activity", shop.org_id,
                     activity["id"])["a_la_carte"]["enabled"] is True

    # a session registration does not count; ended ones do not either
    shop.book(household, first, activity=activity)
    shop.reg("release", held["id"])
    shop.reg("cancel", confirmed["id"], {"by_staff": True})
    assert shop.reg("a_la_carte_in_use", activity["id"]) == {"in_use": False, "count": 0}
    patched = switch_off(shop, activity)
    assert patched["a_la_carte"]["enabled"] is False
    # other changes to the offer are not held up by registrations
    other, (occ,) = shop.activity(starts=[in_days(3)])
    shop.hold(household, first, occurrence=occ)
    assert shop.call("catalog", "update_activity", shop.org_id, other["id"],
                     {"a_la_carte": {"price": 1800}})["a_la_carte"]["price"] == 1800


# -- R2.6 -------------------------------------------------------------------------------------------

def test_converting_unsold_session_seats_moves_them_to_every_future_occurrence(shop):
    activity, occurrences = shop.activity(session={"capacity": 10},
                                          a_la_carte={"capacity": 1},
                                          starts=[in_days(-2), in_days(2), in_days(3)])
    past, future, later = occurrences
    household = shop.household(*[{} for _ in range(7)])
    members = household["members"]
    for member in members[:6]:
        shop.hold(household, member, activity=activity)  # holds count as sold

    answer = convert(shop, activity, 3)
    assert (answer["session_capacity"], answer["a_la_carte_capacity"]) == (7, 4)
    got = shop.call("catalog", "get_activity", shop.org_id, activity["id"])
    assert (got["session"]["capacity"], got["a_la_carte"]["capacity"]) == (7, 4)
    capacities = {o["id"]: o["a_la_carte"]["capacity"] for o in shop.call(
        "catalog", "list_occurrences", shop.org_id, activity["id"])["items"]}
    assert capacities == {past["id"]: 1, future["id"]: 4, later["id"]: 4}

    # 1 unsold seat left: 2 is too many, and nothing changes
    error = refused(lambda: convert(shop, activity, 2), "not_enough_unsold_seats")
    assert int(error.details["unsold"]) == 1
    assert shop.call("catalog", "get_activity", shop.org_id,
                     activity["id"])["session"]["capacity"] == 7
    # the session has 7 seats: one more hold fits, the next is sold out
    shop.hold(household, members[6], activity=activity)
    other = shop.household({})
    refused(lambda: shop.hold(other, activity=activity), "sold_out")
    # the future occurrence has 4 à la carte seats now
    for member in members[:4]:
        shop.hold(household, member, occurrence=future)
    refused(lambda: shop.hold(household, members[4], occurrence=future), "sold_out")


def test_converting_more_than_the_session_has_is_refused(shop):
    activity, _ = shop.activity(session={"capacity": 4}, starts=[in_days(2)])
    refused(lambda: convert(shop, activity, 5), "not_enough_unsold_seats")
    refused(lambda: convert(shop, activity, 0), "validation_error")
    refused(lambda: shop.call("catalog", "convert_seats", shop.org_id, "act_nope",
                              {"seats": 1}), "not_found")
    # before anyone booked, the pool is made with the catalog's capacity
    assert convert(shop, activity, 4)["session_capacity"] == 0
    refused(lambda: shop.hold(shop.household({}), activity=activity), "sold_out")
    refused(lambda: convert(shop, activity, 1), "not_enough_unsold_seats")


def test_a_conversions_seats_are_taken_once_and_given_back_once(shop):
    """The catalog's calls may be repeated (a lost answer, a retry): registration takes and
    gives back a conversion's seats once each, by the conversion's id; a conversion the
    catalog gave up before its seats were taken (no answer in time) is never taken."""
    activity, _ = shop.activity(session={"capacity": 6}, starts=[in_days(2)])
    first = {"conversion_id": f"cnv_{uuid.uuid4().hex[:24]}", "seats": 2, "pool_capacity": 6}
    assert shop.reg("reserve_converted_seats", activity["id"], first)["unsold"] == 4
    assert shop.reg("reserve_converted_seats", activity["id"], first)["unsold"] == 4
    back = {"conversion_id": first["conversion_id"], "seats": 2}
    assert shop.reg("return_converted_seats", activity["id"], back)["seats"] == 2
    assert shop.reg("return_converted_seats", activity["id"], back)["seats"] == 0
    refused(lambda: shop.reg("reserve_converted_seats", activity["id"], first),
            "seat_conversion_abandoned")

    late = {"conversion_id": f"cnv_{uuid.uuid4().hex[:24]}", "seats": 3}
    assert shop.reg("return_converted_seats", activity["id"], late)["seats"] == 0
    refused(lambda: shop.reg("reserve_converted_seats", activity["id"],
                             dict(late, pool_capacity=6)), "seat_conversion_abandoned")
    # all six seats are still unsold: six holds fit, the seventh is sold out
    household = shop.household(*[{} for _ in range(6)])
    for member in household["members"]:
        shop.hold(household, member, activity=activity)
    refused(lambda: shop.hold(shop.household({}), activity=activity), "sold_out")


def test_a_conversion_racing_holds_never_oversells_the_session(shop):
    """Five seats; five members hold while an admin converts three: either the conversion
    got its three seats and at most two holds succeeded, or it was refused."""
    activity, _ = shop.activity(session={"capacity": 5}, starts=[in_days(2)])
    household = shop.household(*[{} for _ in range(5)])
    start = threading.Barrier(6)
    outcomes = {}

    def hold(member):
        start.wait()
        try:
            outcomes[member["id"]] = shop.hold(household, member, activity=activity)["status"]
        except CarnetError as error:
            outcomes[member["id"]] = error.code

    def conversion():
        start.wait()
        try:
            outcomes["conversion"] = convert(shop, activity, 3)["session_capacity"]
        except CarnetError as error:
            outcomes["conversion"] = error.code

    threads = [threading.Thread(target=hold, args=(m,)) for m in household["members"]]
    threads.append(threading.Thread(target=conversion))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    held = [k for k, v in outcomes.items() if v == "held"]
    assert set(outcomes.values()) <= {"held", "sold_out", 2, "not_enough_unsold_seats"}
    capacity = shop.call("catalog", "get_activity", shop.org_id,
                         activity["id"])["session"]["capacity"]
    if outcomes["conversion"] == 2:
        assert capacity == 2 and len(held) <= 2
    else:
        assert capacity == 5 and len(held) == 5
    counts = shop.reg("activity_registrations", activity["id"])
    assert len(held) <= capacity
    assert counts["session_count"] == 0  # holds, none confirmed


# -- an occurrence cancelled by the catalog ---------------------------------------------------------

def test_cancelling_an_occurrence_ends_its_a_la_carte_registrations(shop, test_env, rpc):
    activity, (occurrence, other) = shop.activity(starts=[in_days(3), in_days(4)])
    household = shop.household({}, {}, {}, {})
    paid, held_member, by_pass, elsewhere = household["members"]
    pass_type = shop.call("catalog", "create_pass_type", shop.org_id, {
        "name": "Carte", "price": 5000, "uses": 2, "valid_days": 30, "family": True,
        "eligible_activity_ids": [activity["id"]], "credit_on_cancel": False})
    card = shop.call("passes", "sell_pass", shop.org_id, {
        "pass_type_id": pass_type["id"], "account_id": household["id"],
        "invoice_id": "inv_" + uuid.uuid4().hex[:8]})

    confirmed = shop.book(household, paid, occurrence=occurrence)
    held = shop.hold(household, held_member, occurrence=occurrence)
    with_pass = shop.reg("book_with_pass", {"member_id": by_pass["id"],
                                            "occurrence_id": occurrence["id"],
                                            "pass_id": card["id"]})
    untouched = shop.book(household, elsewhere, occurrence=other)
    session = shop.book(household, paid, activity=activity)
    assert shop.call("passes", "get_pass", shop.org_id, card["id"])["uses_left"] == 1

    seen = {}

    def all_of(*ids):
        def collect(event):
            seen[event["data"]["id"]] = event
            return set(ids) <= set(seen)
        return collect

    with listening(test_env, "registration_cancelled") as cancellations, \
            listening(test_env, "registration_released") as releases:
        shop.call("catalog", "cancel_occurrence", shop.org_id, occurrence["id"])
        cancellations.wait_for("registration_cancelled", all_of(confirmed["id"], with_pass["id"]))
        releases.wait_for("registration_released", all_of(held["id"]))
    money = seen[confirmed["id"]]
    assert money["data"]["refund_to_credit"] == confirmed["price"] == 1500
    assert money["data"]["cancelled_by"] == "staff"
    assert money["data"]["cancel_reason"] == "occurrence_cancelled"
    status = {r: shop.reg("get_registration", r)["status"] for r in
              (confirmed["id"], held["id"], with_pass["id"], untouched["id"], session["id"])}
    assert status == {confirmed["id"]: "cancelled", held["id"]: "released",
                      with_pass["id"]: "cancelled", untouched["id"]: "confirmed",
                      session["id"]: "confirmed"}
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0
    # the pass use comes back although its terms do not give it back on a client's cancel
    wait_until(lambda: shop.call("passes", "get_pass", shop.org_id,
                                 card["id"])["uses_left"] == 2)
    # the same event again changes nothing (claim_event), and the occurrence stays closed
    shop.call("catalog", "cancel_occurrence", shop.org_id, occurrence["id"])
    refused(lambda: shop.hold(household, held_member, occurrence=occurrence),
            "registration_closed")


def wait_until(condition, timeout=30):
    """Poll a read until it holds (the consumers work asynchronously)."""
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)  # polling interval between two reads, not a synchronisation
