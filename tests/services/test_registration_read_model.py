"""Registration keeps what it needs of accounts' members (#14, usecases/read_model.py): a
hold for a member it knows does not ask accounts; an edit applies once its event is handled;
a member it never heard of is asked by RPC (so nothing depends on when events arrive)."""
from datetime import date, timedelta

import pytest

from services.common.errors import CarnetError
from tests.api.observability_support import poll
from tests.services.test_registration_support import Shop, in_days, refused


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


def test_a_known_member_is_held_for_with_accounts_stopped(shop, stack):
    _, (first, second) = shop.activity(starts=[in_days(3), in_days(4)])
    household = shop.household({})
    shop.hold(household, occurrence=first)  # the member is known from now on
    stack.kill_service("accounts")
    try:
        held = shop.hold(household, occurrence=second)
    finally:
        stack.start_service("accounts")
    assert held["status"] == "held" and held["member_id"] == household["members"][0]["id"]


def test_a_member_never_heard_of_is_asked_by_rpc(shop):
    _, (occurrence,) = shop.activity(starts=[in_days(3)])
    household = shop.household({})
    # at once: whether or not accounts' events were handled yet, the hold knows the member
    assert shop.hold(household, occurrence=occurrence)["status"] == "held"
    refused(lambda: shop.reg("hold", {
        "kind": "a_la_carte", "occurrence_id": occurrence["id"], "member_id": "mem_nope",
        "account_id": household["id"], "cart_id": "cart_x", "cart_item_id": "item_x"}),
        "not_found")


def test_an_edit_of_the_member_applies_once_its_event_is_handled(shop):
    _, (first, second) = shop.activity(restrictions={"min_age": 18},
                                       starts=[in_days(3), in_days(4)])
    household = shop.household({"birth_date": "1990-05-17"})
    member = household["members"][0]
    shop.hold(household, occurrence=first)  # an adult: known as one
    young = (date.today() - timedelta(days=365 * 10)).isoformat()
    shop.call("accounts", "update_member", shop.org_id, member["id"], {"birth_date": young})

    def refused_as_too_young():
        try:
            held = shop.hold(household, occurrence=second)
        except CarnetError as error:
            return error if error.code == "not_eligible" else pytest.fail(error.code)
        shop.reg("release", held["id"])  # the event is not handled yet: the older rule
        return None

    error = poll(refused_as_too_young, "the member's new birth date applies")
    assert error.details["failed"] == ["min_age"]


def test_the_read_model_is_rebuilt_on_demand(shop):
    _, (occurrence,) = shop.activity(starts=[in_days(3)])
    household = shop.household({})
    shop.hold(household, occurrence=occurrence)
    rebuilt = shop.reg("rebuild_read_model")
    assert rebuilt["version"] >= 1 and rebuilt["members_refreshed"] >= 1
