"""Paying à la carte with a pass in registration (R3.4–R3.6, R4.1), through the real broker
with the real passes service: a cart's hold paid with a pass takes the use with the seat,
releasing or expiring it gives the use back; a refused pass takes no seat; a booking
interrupted between seat and debit is settled by the recovery timer."""
import time
import uuid

import pytest

from services.passes.contract import errors as _passes_errors  # noqa: F401 (typed errors)
from tests.services.test_registration_support import (Shop, in_days, listening, refused,
                                                      registration_running_with)


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


def pass_for(shop, activity, household, uses=3, credit_on_cancel=True, valid_days=30,
             family=True):
    kind = shop.call("catalog", "create_pass_type", shop.org_id, {
        "name": f"Carte {uuid.uuid4().hex[:4]}", "price": 5000, "uses": uses,
        "valid_days": valid_days, "family": family,
        "eligible_activity_ids": [activity["id"]], "credit_on_cancel": credit_on_cancel})
    return shop.call("passes", "sell_pass", shop.org_id, {
        "pass_type_id": kind["id"], "account_id": household["id"],
        "invoice_id": "inv_" + uuid.uuid4().hex[:8]})


def uses_left(shop, card):
    return shop.call("passes", "get_pass", shop.org_id, card["id"])["uses_left"]


def entries(shop, card, kind):
    return [e for e in shop.call("passes", "pass_ledger", shop.org_id, card["id"])["items"]
            if e["kind"] == kind]


def by_pass(card):
    return {"type": "pass", "pass_id": card["id"]}


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)  # polling interval between two reads, not a synchronisation


def test_a_cart_hold_paid_with_a_pass_takes_the_use_with_the_seat(shop):
    activity, (occurrence, other) = shop.activity(starts=[in_days(3), in_days(4)])
    household = shop.household({}, {})
    first, second = household["members"]
    card = pass_for(shop, activity, household, uses=2)

    held = shop.hold(household, first, occurrence=occurrence, pay_with=by_pass(card))
    assert (held["status"], held["price"], held["paid_with"]) == \
        ("held", 0, {"type": "pass", "id": card["id"]})
    assert uses_left(shop, card) == 1
    # the same cart item again: the same hold, the debit replayed, not repeated
    again = shop.reg("hold", {"kind": "a_la_carte", "occurrence_id": occurrence["id"],
                              "member_id": first["id"], "account_id": household["id"],
                              "cart_id": held["cart_id"], "cart_item_id": held["cart_item_id"],
                              "pay_with": by_pass(card)})
    assert again["id"] == held["id"] and uses_left(shop, card) == 1

    # released (cart item removed): the use comes back at once (force, whatever the terms)
    shop.reg("release", held["id"])
    assert uses_left(shop, card) == 2
    # checkout confirms a pass-paid hold as any other
    held = shop.hold(household, second, occurrence=other, pay_with=by_pass(card))
    confirmed = shop.reg("confirm", [held["id"]], "inv_" + uuid.uuid4().hex[:8])["items"][0]
    assert (confirmed["status"], confirmed["paid_with"]["type"]) == ("confirmed", "pass")
    assert uses_left(shop, card) == 1
    # cancelled by the client: the terms give it back (credit_on_cancel)
    shop.reg("cancel", confirmed["id"], {"by_staff": False})
    assert uses_left(shop, card) == 2
    assert len(entries(shop, card, "debit")) == 2 and len(entries(shop, card, "credit")) == 2


def test_a_refused_pass_takes_no_seat(shop):
    activity, (occurrence, next_one) = shop.activity(a_la_carte={"capacity": 1},
                                                     starts=[in_days(3), in_days(6)])
    elsewhere, _ = shop.activity(name="Pilates")
    household = shop.household({}, {})
    first, second = household["members"]
    empty = pass_for(shop, activity, household, uses=1)
    wrong = pass_for(shop, elsewhere, household)
    late = pass_for(shop, activity, household, valid_days=1)
    refused(lambda: shop.hold(household, first, occurrence=occurrence, pay_with=by_pass(wrong)),
            "pass_not_eligible")
    refused(lambda: shop.hold(household, first, occurrence=occurrence, pay_with=by_pass(late)),
            "pass_expired")
    shop.hold(household, second, occurrence=next_one, pay_with=by_pass(empty))
    refused(lambda: shop.hold(household, first, occurrence=occurrence, pay_with=by_pass(empty)),
            "pass_exhausted")
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0
    # the seat is there for the next one
    assert shop.hold(household, first, occurrence=occurrence)["status"] == "held"


def test_a_pass_only_occurrence_takes_a_pass_not_money(shop):
    activity, (occurrence,) = shop.activity(a_la_carte={"pass_only": True}, starts=[in_days(3)])
    household = shop.household({})
    card = pass_for(shop, activity, household)
    refused(lambda: shop.hold(household, occurrence=occurrence), "pass_required")
    assert shop.hold(household, occurrence=occurrence, pay_with=by_pass(card))["price"] == 0


def test_an_expired_pass_hold_gives_the_use_back_and_is_not_confirmed(shop, stack, test_env):
    activity, (occurrence,) = shop.activity(starts=[in_days(3)])
    household = shop.household({})
    card = pass_for(shop, activity, household, uses=1, credit_on_cancel=False)
    with registration_running_with(stack, CARNET_HOLD_TTL_SECONDS=1,
                                   CARNET_HOLD_SWEEP_INTERVAL=0.5):
        with listening(test_env, "registration_expired") as events:
            held = shop.hold(household, occurrence=occurrence, pay_with=by_pass(card))
            assert uses_left(shop, card) == 0
            events.wait_for("registration_expired", lambda e: e["data"]["id"] == held["id"])
        wait_until(lambda: uses_left(shop, card) == 1)
        # its use was given back: checkout cannot confirm it any more
        refused(lambda: shop.reg("confirm", [held["id"]], "inv_late"), "hold_expired")
    assert len(entries(shop, card, "credit")) == 1


def test_a_booking_interrupted_by_the_pass_service_is_settled_by_recovery(shop, stack):
    """The pass service is down while a booking with a pass waits for its debit: the
    request answers service_unavailable and the seat stays held. Once passes is back, the
    debit (still queued) is made, and recovery confirms the booking; a booking whose pass
    refuses is released instead. No debit is left without its registration."""
    activity, (occurrence, other) = shop.activity(starts=[in_days(3), in_days(4)])
    household = shop.household({}, {})
    good, bad = household["members"]
    card = pass_for(shop, activity, household, uses=1)
    expired = pass_for(shop, activity, household, valid_days=1)
    with registration_running_with(stack, CARNET_PASS_BOOKING_RECOVERY_SECONDS=1,
                                   CARNET_PASS_BOOKING_SWEEP_INTERVAL=0.5,
                                   CARNET_RPC_TIMEOUT=3):
        stack.kill_service("passes")
        try:
            refused(lambda: shop.reg("book_with_pass", {
                "member_id": good["id"], "occurrence_id": occurrence["id"],
                "pass_id": card["id"]}), "service_unavailable")
            refused(lambda: shop.reg("book_with_pass", {
                "member_id": bad["id"], "occurrence_id": other["id"],
                "pass_id": expired["id"]}), "service_unavailable")
            pending = shop.reg("list_registrations", account_id=household["id"])["items"]
            assert sorted(r["status"] for r in pending) == ["held", "held"]
        finally:
            stack.scale("passes", 1)

        def settled():
            items = shop.reg("list_registrations", account_id=household["id"])["items"]
            return None if any(r["status"] == "held" for r in items) else items
        items = {r["member_id"]: r for r in wait_until(settled)}
    assert items[good["id"]]["status"] == "confirmed"
    assert items[bad["id"]]["status"] == "released"
    assert [e["registration_id"] for e in entries(shop, card, "debit")] == \
        [items[good["id"]]["id"]]
    assert uses_left(shop, card) == 0
    assert entries(shop, expired, "debit") == []
    assert shop.taken(occurrence)["a_la_carte_taken"] == 1
    assert shop.taken(other)["a_la_carte_taken"] == 0
