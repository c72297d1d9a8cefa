"""passes: salon bundles (R4.4-R4.7), memberships (R2.12) and what a voided invoice revokes
(R6.5), through the real broker with bundle and membership types from the real catalog."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.common.errors import InvalidInput
from services.passes.contract.errors import (BundleExhausted, BundleNotApplicable, BundleNotFound,
                                        ClientRequired, PassExhausted, PassRevoked)
from tests.services.test_passes_support import (bundle_cache_and_ledger,  # noqa: F401
                                                pass_cache_and_ledger, passes_db, unique,
                                                world)


def bundle_type(world, cut, colour):
    return world.rpc.call("catalog", "create_bundle_type", world.id, {
        "name": "Soins", "divisions": [
            {"name": "5+1", "items": [{"service_id": cut, "count": 2},
                                      {"service_id": colour, "count": 1}]},
            {"name": "Court", "items": [{"service_id": cut, "count": 1}], "price": 1000}]})


def sell_bundle(world, kind, account, member, division="5+1", **extra):
    data = {"bundle_type_id": kind["id"], "division": division, "account_id": account["id"],
            "invoice_id": extra.pop("invoice_id", unique("inv"))}
    if member is not None:
        data["member_id"] = member["id"]
    data.update(extra)
    return world.call("sell_bundle", data)


def items_of(bundle):
    return {i["service_id"]: (i["total"], i["booked"], i["used"], i["remaining"])
            for i in bundle["items"]}


def test_a_bundle_is_sold_to_a_named_client_only(world):
    cut, colour = world.service("Coupe"), world.service("Couleur")
    kind = bundle_type(world, cut, colour)
    account = world.household()
    with pytest.raises(ClientRequired) as refused:
        sell_bundle(world, kind, account, None)
    assert refused.value.code == "client_required"
    sold = sell_bundle(world, kind, account, account["members"][0])
    assert sold["member_id"] == account["members"][0]["id"] and sold["division"] == "5+1"
    assert items_of(sold) == {cut: (2, 0, 0, 2), colour: (1, 0, 0, 1)}
    # The same invoice line again: the same bundle.
    assert sell_bundle(world, kind, account, account["members"][0],
                       invoice_id=sold["invoice_id"]) == sold
    with pytest.raises(InvalidInput) as refused:
        sell_bundle(world, kind, account, account["members"][0], division="10+1")
    assert "division" in refused.value.details


def test_book_unbook_and_use_move_booked_used_and_remaining(world, passes_db):
    cut, colour = world.service("Coupe"), world.service("Couleur")
    kind = bundle_type(world, cut, colour)
    account = world.household()
    sold = sell_bundle(world, kind, account, account["members"][0])

    booked = world.call("book_bundle", sold["id"], {"appointment_id": "apt_1",
                                                   "service_id": cut})
    assert items_of(booked)[cut] == (2, 1, 0, 1)
    # Applied twice to the same appointment: one booking.
    assert world.call("book_bundle", sold["id"], {"appointment_id": "apt_1",
                                                  "service_id": cut}) == booked
    # Removed from the appointment: the use comes back; removed again: nothing more.
    unbooked = world.call("unbook_bundle", sold["id"], {"appointment_id": "apt_1",
                                                       "service_id": cut})
    assert items_of(unbooked)[cut] == (2, 0, 0, 2)
    assert world.call("unbook_bundle", sold["id"], {"appointment_id": "apt_1",
                                                    "service_id": cut}) == unbooked
    # Applied again, then checked out: booked becomes used.
    world.call("book_bundle", sold["id"], {"appointment_id": "apt_1", "service_id": cut})
    used = world.call("use_bundle", sold["id"], {"appointment_id": "apt_1",
                                                "service_id": cut})
    assert items_of(used)[cut] == (2, 0, 1, 1)
    assert world.call("use_bundle", sold["id"], {"appointment_id": "apt_1",
                                                 "service_id": cut}) == used
    # Applied at checkout only (never booked): straight to used.
    direct = world.call("use_bundle", sold["id"], {"appointment_id": "apt_2",
                                                  "service_id": cut})
    assert items_of(direct)[cut] == (2, 0, 2, 0)
    with pytest.raises(BundleExhausted) as refused:
        world.call("book_bundle", sold["id"], {"appointment_id": "apt_3", "service_id": cut})
    assert refused.value.code == "bundle_exhausted"
    with pytest.raises(BundleNotApplicable) as refused:
        world.call("book_bundle", sold["id"], {"appointment_id": "apt_4",
                                               "service_id": world.service("Barbe")})
    assert refused.value.details["reason"] == "service"

    kinds = [(e["kind"], e["appointment_id"]) for e in
             world.call("bundle_ledger", sold["id"])["items"]]
    assert kinds == [("sale", sold["invoice_id"]), ("sale", sold["invoice_id"]),
                     ("book", "apt_1"), ("unbook", "apt_1"), ("book", "apt_1"),
                     ("use", "apt_1"), ("use", "apt_2")]
    for cached, summed in bundle_cache_and_ledger(passes_db, sold["id"]).values():
        assert cached == summed
    assert world.call("list_account_bundles", account["id"])["items"] == [direct]


def test_bundle_candidates_are_the_members_bundles_with_that_service_left(world):
    cut, colour = world.service("Coupe"), world.service("Couleur")
    kind = bundle_type(world, cut, colour)
    account = world.household(members=2)
    marie, leo = account["members"]
    big = sell_bundle(world, kind, account, marie)
    short = sell_bundle(world, kind, account, marie, division="Court")
    sell_bundle(world, kind, account, leo)
    found = world.call("bundle_candidates", marie["id"], cut)["items"]
    assert [b["id"] for b in found] == [big["id"], short["id"]]
    assert [b["id"] for b in world.call("bundle_candidates", marie["id"], colour)["items"]] \
        == [big["id"]]
    world.call("use_bundle", short["id"], {"appointment_id": "apt_1", "service_id": cut})
    assert [b["id"] for b in world.call("bundle_candidates", marie["id"], cut)["items"]] == \
        [big["id"]]
    with pytest.raises(BundleNotFound):
        world.call("book_bundle", "bun_nope", {"appointment_id": "apt_9", "service_id": cut})


def test_memberships_are_active_from_their_start_for_their_duration(world, rpc):
    kind = rpc.call("catalog", "create_membership_type", world.id, {
        "name": "Membre annuel", "price": 5000, "duration_days": 365})
    account = world.household()
    marie = account["members"][0]
    sold = world.call("sell_membership", {
        "membership_type_id": kind["id"], "account_id": account["id"],
        "member_id": marie["id"], "invoice_id": "inv_m", "starts_on": "2026-01-01"})
    assert (sold["starts_on"], sold["ends_on"], sold["last_day"]) == (
        "2026-01-01", "2027-01-01", "2026-12-31")

    def active(on):
        return [m["membership_type_id"] for m in
                world.call("active_memberships", marie["id"], on)["items"]]
    assert active("2025-12-31") == []
    assert active("2026-01-01") == [kind["id"]]
    assert active("2026-12-31") == [kind["id"]]
    assert active("2027-01-01") == []
    assert world.call("active_memberships", account["members"][1]["id"], "2026-06-01") == {
        "items": []}  # another member of the same household has none
    with pytest.raises(InvalidInput):
        world.call("active_memberships", marie["id"], "June 1st")

    # Without starts_on: from the org-local day of the sale.
    today = datetime.now(timezone.utc).astimezone(ZoneInfo("America/Montreal")).date()
    now_sold = world.call("sell_membership", {
        "membership_type_id": kind["id"], "account_id": account["id"],
        "member_id": marie["id"], "invoice_id": "inv_m2"})
    assert now_sold["starts_on"] == today.isoformat()
    assert now_sold["ends_on"] == (today + timedelta(days=365)).isoformat()
    assert now_sold["status"] == "active"


def test_voiding_an_invoice_revokes_what_is_unused_and_says_what_stays(world, passes_db):
    yoga = world.activity()
    cut, colour = world.service("Coupe"), world.service("Couleur")
    kind = bundle_type(world, cut, colour)
    membership_type = world.rpc.call("catalog", "create_membership_type", world.id, {
        "name": "Membre", "price": 5000, "duration_days": 30})
    account = world.household()
    marie = account["members"][0]
    invoice = "inv_void"
    card = world.pass_type([yoga], uses=3)
    unused = world.sell_pass(card, account, marie, invoice_id=invoice)
    used = world.sell_pass(card, account, marie, invoice_id=invoice, cart_item_id="line_2")
    given_back = world.sell_pass(card, account, marie, invoice_id=invoice,
                                 cart_item_id="line_3")
    world.debit(used["id"], marie, yoga)
    world.debit(given_back["id"], marie, yoga, registration_id="reg_back")
    world.call("credit_pass", given_back["id"], {"registration_id": "reg_back"})
    free_bundle = sell_bundle(world, kind, account, marie, invoice_id=invoice)
    booked_bundle = sell_bundle(world, kind, account, marie, invoice_id=invoice,
                                cart_item_id="line_5")
    world.call("book_bundle", booked_bundle["id"], {"appointment_id": "apt_1",
                                                   "service_id": cut})
    membership = world.call("sell_membership", {
        "membership_type_id": membership_type["id"], "account_id": account["id"],
        "member_id": marie["id"], "invoice_id": invoice})
    other_invoice = world.sell_pass(card, account, marie)

    result = world.call("revoke_for_invoice", invoice)
    assert {(i["type"], i["id"]) for i in result["items"]} == {
        ("pass", unused["id"]), ("pass", given_back["id"]), ("bundle", free_bundle["id"]),
        ("membership", membership["id"])}
    assert {(i["type"], i["id"], i["reason"]) for i in result["not_revoked"]} == {
        ("pass", used["id"], "used"), ("bundle", booked_bundle["id"], "booked")}

    revoked = world.call("get_pass", unused["id"])
    assert (revoked["status"], revoked["uses_left"]) == ("revoked", 0)
    assert pass_cache_and_ledger(passes_db, unused["id"]) == (0, 0, 0)
    with pytest.raises(PassRevoked):
        world.debit(unused["id"], marie, yoga)
    assert world.call("get_pass", used["id"])["status"] == "active"
    assert world.call("get_pass", other_invoice["id"])["status"] == "active"
    bundle = world.call("get_bundle", free_bundle["id"])
    assert bundle["status"] == "revoked" and items_of(bundle)[cut] == (0, 0, 0, 0)
    for cached, summed in bundle_cache_and_ledger(passes_db, free_bundle["id"]).values():
        assert cached == summed
    with pytest.raises(BundleNotApplicable):
        world.call("book_bundle", free_bundle["id"], {"appointment_id": "apt_2",
                                                      "service_id": cut})
    assert world.call("get_membership", membership["id"])["status"] == "revoked"
    assert world.call("active_memberships", marie["id"],
                      membership["starts_on"])["items"] == []

    # Voided again: the same answer, nothing written twice.
    again = world.call("revoke_for_invoice", invoice)
    assert again["items"] == result["items"]
    ledger = world.call("pass_ledger", unused["id"])["items"]
    assert [e["kind"] for e in ledger] == ["sale", "revoke"]


def test_a_pass_exhausted_stays_exhausted_after_a_failed_revoke(world, passes_db):
    """A used pass is not revoked: its remaining uses stay usable."""
    yoga = world.activity()
    account = world.household()
    marie = account["members"][0]
    sold = world.sell_pass(world.pass_type([yoga], uses=2), account, marie)
    world.debit(sold["id"], marie, yoga)
    world.call("revoke_for_invoice", sold["invoice_id"])
    world.debit(sold["id"], marie, yoga)
    with pytest.raises(PassExhausted):
        world.debit(sold["id"], marie, yoga)
    assert pass_cache_and_ledger(passes_db, sold["id"]) == (0, 0, 2)
