"""Holds lapse by themselves (R3.1): the sweep expires them with no request, a full pool
frees its lapsed holds before refusing sold_out, and checkout of an expired hold takes a seat
again only if one is free (hold_expired otherwise).

These tests replace the registration instance by one with a short hold TTL, and put an
ordinary one back afterwards. They wait for the ``registration_expired`` event on the broker,
never for time to pass."""
import pytest

from tests.services.test_registration_support import (Shop, in_days, listening, refused,
                                                      registration_running_with)


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


def test_a_lapsed_hold_frees_its_seat_with_no_request(shop, stack, test_env):
    _, (occurrence,) = shop.activity(a_la_carte={"capacity": 1}, starts=[in_days(2)])
    household = shop.household({}, {})
    first, second = household["members"]
    with registration_running_with(stack, CARNET_HOLD_TTL_SECONDS=2,
                                   CARNET_HOLD_SWEEP_INTERVAL=0.5):
        with listening(test_env, "registration_expired") as events:
            held = shop.hold(household, first, occurrence=occurrence)
            refused(lambda: shop.hold(household, second, occurrence=occurrence), "sold_out")
            event = events.wait_for("registration_expired",
                                    lambda e: e["data"]["id"] == held["id"])
        assert event["data"]["status"] == "expired"
        assert shop.reg("get_registration", held["id"])["status"] == "expired"
        assert shop.taken(occurrence)["a_la_carte_taken"] == 0
        assert shop.hold(household, second, occurrence=occurrence)["status"] == "held"


def test_a_full_pool_frees_its_lapsed_holds_before_refusing(shop, stack, test_env):
    # Holds lapse at once and no sweep runs: only the next hold can free the seat.
    activity, (occurrence,) = shop.activity(session={"capacity": 1}, starts=[in_days(2)])
    household = shop.household({}, {}, {})
    first, second, third = household["members"]
    with registration_running_with(stack, CARNET_HOLD_TTL_SECONDS=0,
                                   CARNET_HOLD_SWEEP_INTERVAL=3600):
        with listening(test_env, "registration_expired") as events:
            lapsed = shop.hold(household, first, activity=activity)
            taken_over = shop.hold(household, second, activity=activity)
            event = events.wait_for("registration_expired",
                                    lambda e: e["data"]["id"] == lapsed["id"])
        assert taken_over["status"] == "held"
        assert event["data"]["member_id"] == first["id"]
        assert shop.reg("get_registration", lapsed["id"])["status"] == "expired"

        # Checkout: a lapsed hold that still has its seat is confirmed ...
        confirmed = shop.reg("confirm", [taken_over["id"]], "inv_late")["items"][0]
        assert confirmed["status"] == "confirmed"
        # ... an expired one whose seat went to someone else is not, and nothing changes.
        refused(lambda: shop.reg("confirm", [lapsed["id"]], "inv_later"), "hold_expired")
        assert shop.reg("get_registration", lapsed["id"])["status"] == "expired"
        refused(lambda: shop.hold(household, third, activity=activity), "sold_out")


def test_an_expired_hold_takes_a_free_seat_again_at_checkout(shop, stack, test_env):
    _, (occurrence,) = shop.activity(a_la_carte={"capacity": 1}, starts=[in_days(2)])
    household = shop.household({}, {})
    first, second = household["members"]
    with registration_running_with(stack, CARNET_HOLD_TTL_SECONDS=0,
                                   CARNET_HOLD_SWEEP_INTERVAL=3600):
        expired = shop.hold(household, first, occurrence=occurrence)
        other = shop.hold(household, second, occurrence=occurrence)  # expires the first
        assert shop.reg("get_registration", expired["id"])["status"] == "expired"
        shop.reg("release", other["id"])
        confirmed = shop.reg("confirm", [expired["id"]], "inv_again")["items"][0]
        assert confirmed["status"] == "confirmed"
        assert shop.taken(occurrence)["a_la_carte_taken"] == 1
        # The member's own lapsed hold does not make them "already registered".
        _, (next_one,) = shop.activity(starts=[in_days(3)])
        shop.hold(household, second, occurrence=next_one)
        assert shop.hold(household, second, occurrence=next_one)["status"] == "held"
