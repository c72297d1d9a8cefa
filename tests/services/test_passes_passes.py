"""passes: pass sale, debit, credit, grant, expiry and report through the real broker, with
pass types from the real catalog and households from the real accounts service (R2.9,
R3.4-R3.6, R4.1-R4.3)."""
from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import InvalidInput, NotFound
from services.passes.contract.errors import (PassExhausted, PassExpired, PassNotEligible,
                                        PassNotFound, PassUseNotFound)
from tests.support.events import EventListener
from tests.services.test_passes_support import (pass_cache_and_ledger, passes_db,  # noqa: F401
                                                soon, unique, world)


@pytest.fixture
def events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "passes")
    yield listener
    listener.close()


def test_a_family_pass_of_three_uses_is_shared_by_the_account_and_refuses_a_fourth(
        world, passes_db, events):
    yoga = world.activity()
    family = world.pass_type([yoga], name="Famille 3", uses=3, family=True)
    account = world.household(members=2)
    marie, leo = account["members"]
    sold = world.sell_pass(family, account)  # a family pass names no member
    assert sold["family"] is True and sold["member_id"] is None
    assert (sold["uses_total"], sold["uses_left"], sold["status"]) == (3, 3, "active")

    first = world.debit(sold["id"], marie, yoga)
    assert first["entry"]["kind"] == "debit" and first["entry"]["delta"] == -1
    assert first["entry"]["member_id"] == marie["id"] and first["replayed"] is False
    assert world.debit(sold["id"], leo, yoga)["pass"]["uses_left"] == 1
    assert world.debit(sold["id"], marie, yoga)["pass"]["uses_left"] == 0
    with pytest.raises(PassExhausted) as refused:
        world.debit(sold["id"], leo, yoga)
    assert refused.value.code == "pass_exhausted"
    assert int(refused.value.details["uses_left"]) == 0  # details cross RPC as strings

    listed = world.call("list_account_passes", account["id"])["items"]
    assert [(p["id"], p["uses_left"], p["uses_used"]) for p in listed] == [(sold["id"], 0, 3)]
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (0, 0, 3)
    event = events.wait_for("pass_debited",
                            lambda e: e["data"]["entry"]["registration_id"]
                            == first["entry"]["registration_id"])
    assert event["data"]["id"] == sold["id"] and event["data"]["org_id"] == world.id


def test_a_family_pass_is_refused_to_a_member_of_another_account(world):
    yoga = world.activity()
    family = world.pass_type([yoga], family=True)
    ours, theirs = world.household(), world.household(members=1)
    sold = world.sell_pass(family, ours)
    with pytest.raises(PassNotEligible) as refused:
        world.debit(sold["id"], theirs["members"][0], yoga)
    assert refused.value.details["reason"] == "holder"


def test_an_individual_pass_is_used_by_its_member_only(world):
    yoga = world.activity()
    card = world.pass_type([yoga])
    account = world.household(members=2)
    marie, leo = account["members"]
    sold = world.sell_pass(card, account, marie)
    assert sold["member_id"] == marie["id"]
    world.debit(sold["id"], marie, yoga)
    with pytest.raises(PassNotEligible) as refused:
        world.debit(sold["id"], leo, yoga)
    assert refused.value.details["reason"] == "holder"


def test_an_individual_pass_sold_without_a_member_binds_to_its_first_user(world):
    yoga = world.activity()
    card = world.pass_type([yoga])
    account = world.household(members=2)
    marie, leo = account["members"]
    sold = world.sell_pass(card, account)
    assert sold["member_id"] is None
    assert world.debit(sold["id"], leo, yoga)["pass"]["member_id"] == leo["id"]
    with pytest.raises(PassNotEligible):
        world.debit(sold["id"], marie, yoga)


def test_a_pass_for_other_activities_is_not_eligible(world):
    yoga, swim = world.activity("Yoga"), world.activity("Natation")
    account = world.household()
    sold = world.sell_pass(world.pass_type([yoga]), account, account["members"][0])
    with pytest.raises(PassNotEligible) as refused:
        world.debit(sold["id"], account["members"][0], swim)
    assert refused.value.code == "pass_not_eligible"
    assert refused.value.details["reason"] == "activity"
    assert world.call("get_pass", sold["id"])["uses_left"] == 10


def test_an_expired_pass_is_refused_for_classes_after_its_expiry(world):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    card = world.pass_type([yoga], valid_days=10)
    sold = world.sell_pass(card, account, marie)
    expires_at = datetime.fromisoformat(sold["expires_at"])
    assert sold["valid_until"] == (expires_at - timedelta(days=1)).date().isoformat()
    # Booked now for a class before the expiry: fine; for one after: pass_expired.
    world.debit(sold["id"], marie, yoga, starts_at=(expires_at - timedelta(hours=1)).isoformat())
    with pytest.raises(PassExpired) as refused:
        world.debit(sold["id"], marie, yoga, starts_at=expires_at.isoformat())
    assert refused.value.code == "pass_expired"

    # A pass bought long ago is expired now, and says so.
    old = world.sell_pass(card, account, marie,
                          sold_at=(datetime.now(timezone.utc) - timedelta(days=30)).isoformat())
    assert old["status"] == "expired"
    with pytest.raises(PassExpired):
        world.debit(old["id"], marie, yoga)


def test_an_unlimited_pass_records_every_use_and_never_runs_out(world, passes_db):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    sold = world.sell_pass(world.pass_type([yoga], uses=None), account, marie)
    assert (sold["uses_total"], sold["uses_left"]) == (None, None)
    for _ in range(12):
        answer = world.debit(sold["id"], marie, yoga, starts_at=soon())
    assert (answer["pass"]["uses_left"], answer["pass"]["uses_used"]) == (None, 12)
    assert answer["pass"]["status"] == "active"
    cached, _, debits = pass_cache_and_ledger(passes_db, sold["id"])
    assert (cached, debits) == (None, 12)


def test_replaying_a_debit_writes_nothing_new_and_returns_the_first_result(world, passes_db):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    sold = world.sell_pass(world.pass_type([yoga], uses=1), account, marie)
    first = world.debit(sold["id"], marie, yoga, registration_id="reg_same")
    again = world.debit(sold["id"], marie, yoga, registration_id="reg_same")
    assert again["replayed"] is True
    assert again["entry"] == first["entry"]
    assert again["pass"]["uses_left"] == 0  # the pass is exhausted, the replay still answers
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (0, 0, 1)
    ledger = world.call("pass_ledger", sold["id"])["items"]
    assert [e["kind"] for e in ledger] == ["sale", "debit"]


def test_cancelling_gives_the_use_back_when_the_terms_allow_it(world, passes_db):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    sold = world.sell_pass(world.pass_type([yoga], uses=2, credit_on_cancel=True), account,
                           marie)
    world.debit(sold["id"], marie, yoga, registration_id="reg_1")
    credited = world.call("credit_pass", sold["id"], {"registration_id": "reg_1",
                                                      "reason": "client cancelled"})
    assert credited["credited"] is True and credited["entry"]["delta"] == 1
    assert credited["pass"]["uses_left"] == 2
    # A replayed credit writes nothing.
    again = world.call("credit_pass", sold["id"], {"registration_id": "reg_1"})
    assert again["replayed"] is True and again["entry"] == credited["entry"]
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (2, 2, 1)
    with pytest.raises(PassUseNotFound):
        world.call("credit_pass", sold["id"], {"registration_id": "reg_never"})


def test_cancelling_keeps_the_use_when_the_terms_say_so_unless_staff_force_it(world,
                                                                             passes_db):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    sold = world.sell_pass(world.pass_type([yoga], uses=2, credit_on_cancel=False), account,
                           marie)
    world.debit(sold["id"], marie, yoga, registration_id="reg_1")
    kept = world.call("credit_pass", sold["id"], {"registration_id": "reg_1"})
    assert kept["credited"] is False and kept["entry"] is None
    assert kept["pass"]["uses_left"] == 1
    forced = world.call("credit_pass", sold["id"], {"registration_id": "reg_1", "force": True,
                                                    "actor": "key_staff"})
    assert forced["credited"] is True and forced["entry"]["actor"] == "key_staff"
    assert forced["pass"]["uses_left"] == 2
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (2, 2, 1)


def test_editing_the_pass_type_after_the_sale_leaves_the_sold_pass_unchanged(world):
    yoga, swim = world.activity("Yoga"), world.activity("Natation")
    account = world.household()
    marie = account["members"][0]
    card = world.pass_type([yoga], uses=5, valid_days=30, credit_on_cancel=True)
    sold = world.sell_pass(card, account, marie)
    world.rpc.call("catalog", "update_pass_type", world.id, card["id"], {
        "uses": 20, "valid_days": 365, "eligible_activity_ids": [swim],
        "credit_on_cancel": False, "name": "Carte 20"})

    kept = world.call("get_pass", sold["id"])
    assert kept == sold
    assert kept["terms"]["uses"] == 5 and kept["terms"]["eligible_activity_ids"] == [yoga]
    assert kept["terms_version"] == card["terms_version"]
    world.debit(sold["id"], marie, yoga)  # still eligible for yoga
    with pytest.raises(PassNotEligible):
        world.debit(sold["id"], marie, swim)

    later = world.sell_pass(card, account, marie)
    assert (later["uses_total"], later["name"]) == (20, "Carte 20")
    assert later["terms_version"] == card["terms_version"] + 1


def test_a_sale_is_recorded_once_per_invoice_line(world):
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    card = world.pass_type([yoga])
    first = world.sell_pass(card, account, marie, invoice_id="inv_1")
    assert world.sell_pass(card, account, marie, invoice_id="inv_1") == first
    second_line = world.sell_pass(card, account, marie, invoice_id="inv_1",
                                  cart_item_id="item_2")
    assert second_line["id"] != first["id"]
    assert len(world.call("list_account_passes", account["id"])["items"]) == 2


def test_a_sale_refuses_a_member_of_another_account_and_an_unknown_pass_type(world):
    yoga = world.activity()
    ours, theirs = world.household(), world.household()
    with pytest.raises(InvalidInput) as refused:
        world.sell_pass(world.pass_type([yoga]), ours, theirs["members"][0])
    assert "member_id" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        world.sell_pass({"id": "pst_nope"}, ours)
    assert "pass_type_id" in refused.value.details


def test_staff_grant_a_pass_to_many_accounts_and_change_one_expiry(world, events):
    yoga = world.activity()
    card = world.pass_type([yoga], uses=4, family=True)
    accounts = [world.household(members=1) for _ in range(3)]
    granted = world.call("grant_passes", {
        "pass_type_id": card["id"], "account_ids": [a["id"] for a in accounts],
        "reason": "storm closure", "granted_by": "key_staff", "grant_id": "grant_1"})["items"]
    assert [p["account_id"] for p in granted] == [a["id"] for a in accounts]
    assert {(p["origin"], p["uses_left"], p["status"]) for p in granted} == {
        ("grant", 4, "active")}
    # The same grant again writes nothing new.
    again = world.call("grant_passes", {
        "pass_type_id": card["id"], "account_ids": [a["id"] for a in accounts],
        "reason": "storm closure", "granted_by": "key_staff", "grant_id": "grant_1"})["items"]
    assert [p["id"] for p in again] == [p["id"] for p in granted]
    ledger = world.call("pass_ledger", granted[0]["id"])["items"]
    assert [(e["kind"], e["delta"], e["reason"], e["actor"]) for e in ledger] == [
        ("grant", 4, "storm closure", "key_staff")]

    changed = world.call("change_pass_expiry", granted[0]["id"], {
        "expires_at": "2030-06-30", "reason": "medical leave", "changed_by": "key_manager"})
    assert changed["valid_until"] == "2030-06-30"
    assert changed["expires_at"] == "2030-07-01T00:00:00-04:00"
    adjustment = world.call("pass_ledger", granted[0]["id"])["items"][-1]
    assert (adjustment["kind"], adjustment["delta"], adjustment["reason"],
            adjustment["actor"]) == ("adjustment", 0, "medical leave", "key_manager")
    assert adjustment["data"]["to"] == "2030-07-01T00:00:00-04:00"
    assert adjustment["data"]["from"] == granted[0]["expires_at"]
    # The same expiry again is no change: nothing written.
    assert world.call("change_pass_expiry", granted[0]["id"], {
        "expires_at": "2030-06-30", "reason": "sent twice", "changed_by": "key_manager"}) == \
        changed
    assert [e["kind"] for e in world.call("pass_ledger", granted[0]["id"])["items"]] == [
        "grant", "adjustment"]
    # The other holders keep theirs.
    assert world.call("get_pass", granted[1]["id"])["expires_at"] == granted[1]["expires_at"]
    events.wait_for("pass_expiry_changed", lambda e: e["data"]["id"] == granted[0]["id"])


def test_a_grant_to_an_unknown_account_grants_nothing(world):
    card = world.pass_type([world.activity()])
    account = world.household()
    with pytest.raises(InvalidInput) as refused:
        world.call("grant_passes", {"pass_type_id": card["id"],
                                    "account_ids": [account["id"], "acc_nope"],
                                    "reason": "gift", "granted_by": "key_staff"})
    assert refused.value.details == {"account_ids": {"1": ["no such account in this "
                                                           "organisation"]}}
    assert world.call("list_account_passes", account["id"])["items"] == []


def test_the_pass_report_matches_the_ledgers(world, passes_db):
    yoga = world.activity()
    account = world.household(members=2)
    marie, leo = account["members"]
    family = world.sell_pass(world.pass_type([yoga], uses=5, family=True), account)
    single = world.sell_pass(world.pass_type([yoga], uses=3), account, leo)
    unlimited = world.sell_pass(world.pass_type([yoga], uses=None), account, marie)
    for member in (marie, leo, marie):
        world.debit(family["id"], member, yoga)
    world.debit(single["id"], leo, yoga, registration_id="reg_back")
    world.call("credit_pass", single["id"], {"registration_id": "reg_back"})
    world.debit(single["id"], leo, yoga)
    world.debit(unlimited["id"], marie, yoga)

    report = world.call("pass_report")
    assert report["next_cursor"] is None
    rows = {r["pass_id"]: r for r in report["items"]}
    assert set(rows) == {family["id"], single["id"], unlimited["id"]}
    for pass_id, row in rows.items():
        cached, summed, _ = pass_cache_and_ledger(passes_db, pass_id)
        if row["uses_total"] is None:
            assert row["uses_left"] is None and cached is None
        else:
            assert row["uses_left"] == summed == cached
        ledger = world.call("pass_ledger", pass_id)
        assert row["uses_left"] == ledger["pass"]["uses_left"]
        assert set(row) >= {"pass_id", "account_id", "member_id", "pass_type_id", "name",
                            "purchased_at", "expires_at", "uses_total", "uses_left"}
    assert (rows[family["id"]]["uses_left"], rows[single["id"]]["uses_left"]) == (2, 2)
    assert rows[unlimited["id"]]["uses_used"] == 1

    # Paginated, the same rows in the same order.
    first = world.call("pass_report", limit=2)
    rest = world.call("pass_report", limit=2, cursor=first["next_cursor"])
    assert [r["pass_id"] for r in first["items"] + rest["items"]] == \
        [r["pass_id"] for r in report["items"]]


def test_another_org_sees_nothing(world, rpc):
    from tests.services.test_passes_support import World
    yoga = world.activity()
    account = world.household()
    sold = world.sell_pass(world.pass_type([yoga]), account, account["members"][0])
    other = World(rpc)
    with pytest.raises(PassNotFound):
        other.call("get_pass", sold["id"])
    with pytest.raises(NotFound):
        other.debit(sold["id"], account["members"][0], yoga)
    assert other.call("list_account_passes", account["id"])["items"] == []
    assert other.call("pass_report")["items"] == []
