"""The catalog's RPC entrypoints through the real broker (docs/contracts.md, "catalog")."""
from datetime import datetime

import pytest

from services.catalog.contract.errors import (ActivityNotFound, InvalidCatalogInput,
                                         OccurrenceExists, OccurrenceNotFound, OrgNotFound,
                                         PassTypeTermsNotFound)
from services.common.errors import InvalidInput, NotFound
from tests.support.events import EventListener


@pytest.fixture
def org(rpc):
    return rpc.call("catalog", "create_org", {"name": "Centre Aquatique",
                                              "timezone": "America/Montreal",
                                              "currency": "CAD", "locale": "fr"})


@pytest.fixture
def program(rpc, org):
    return rpc.call("catalog", "create_program", org["id"], {"name": "Saison 2027"})


@pytest.fixture
def events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "catalog")
    yield listener
    listener.close()


def swim(program_id, **extra):
    data = {"program_id": program_id, "name": "Natation 6-12 ans", "accounting_code": "4100",
            "restrictions": {"min_age": 6, "max_age": 12},
            # Montreal: DST starts 2027-03-14, ends 2027-11-07
            "schedule": {"start_date": "2027-03-01", "end_date": "2027-03-29",
                         "slots": [{"weekday": 0, "start_time": "09:00",
                                    "duration_minutes": 60}]},
            "session": {"enabled": True, "price": 12000, "capacity": 10},
            "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15,
                           "closes_minutes_before": 60}}
    data.update(extra)
    return data


def local_times(items):
    return [datetime.fromisoformat(o["starts_at"]).strftime("%Y-%m-%d %a %H:%M %z")
            for o in items]


def test_an_org_is_created_read_back_and_announced(rpc, events):
    org = rpc.call("catalog", "create_org", {"name": "Studio", "timezone": "Europe/Paris",
                                             "currency": "EUR", "locale": "en"})
    assert org["id"].startswith("org_")
    assert rpc.call("catalog", "get_org", org["id"]) == org
    event = events.wait_for("org_created", lambda e: e["data"]["id"] == org["id"])
    assert event["data"] == org
    assert set(event) == {"event_id", "type", "occurred_at", "version", "data"}


def test_an_invalid_org_is_refused_field_by_field(rpc):
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "create_org", {"name": "X", "timezone": "Montreal",
                                           "currency": "dollars"})
    assert set(caught.value.details) == {"timezone", "currency"}


def test_an_unknown_org_is_not_found(rpc):
    with pytest.raises(OrgNotFound) as caught:
        rpc.call("catalog", "create_program", "org_nope", {"name": "Fall"})
    assert caught.value.code == "not_found"


def test_a_weekly_schedule_across_dst_gives_occurrences_at_the_same_local_time(rpc, org,
                                                                               program, events):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    assert activity["occurrence_count"] == 5
    assert activity["first_starts_at"] == "2027-03-01T09:00:00-05:00"
    assert activity["last_ends_at"] == "2027-03-29T10:00:00-04:00"
    assert rpc.call("catalog", "get_activity", org["id"], activity["id"]) == activity
    occurrences = rpc.call("catalog", "list_occurrences", org["id"], activity["id"])["items"]
    assert local_times(occurrences) == [
        "2027-03-01 Mon 09:00 -0500", "2027-03-08 Mon 09:00 -0500",
        "2027-03-15 Mon 09:00 -0400", "2027-03-22 Mon 09:00 -0400",
        "2027-03-29 Mon 09:00 -0400"]
    assert {o["a_la_carte"]["capacity"] for o in occurrences} == {15}
    event = events.wait_for("activity_created", lambda e: e["data"]["id"] == activity["id"])
    assert event["data"] == activity


def test_occurrences_between_dates_are_read_in_the_org_timezone(rpc, org, program):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    between = rpc.call("catalog", "list_occurrences", org["id"], activity["id"],
                       from_="2027-03-08", to="2027-03-22")["items"]
    assert local_times(between) == ["2027-03-08 Mon 09:00 -0500", "2027-03-15 Mon 09:00 -0400"]
    # 14:00 UTC on March 15 is 10:00 in Montreal: after that day's class started
    after = rpc.call("catalog", "list_occurrences", org["id"], activity["id"],
                     from_="2027-03-15T14:00:00Z")["items"]
    assert len(after) == 2
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "list_occurrences", org["id"], activity["id"], from_="soon")
    assert "from" in caught.value.details


def test_another_org_sees_nothing(rpc, org, program):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    other = rpc.call("catalog", "create_org", {"name": "Autre", "timezone": "America/Toronto",
                                               "currency": "CAD"})
    with pytest.raises(ActivityNotFound):
        rpc.call("catalog", "get_activity", other["id"], activity["id"])
    with pytest.raises(NotFound):
        rpc.call("catalog", "list_occurrences", other["id"], activity["id"])
    assert rpc.call("catalog", "list_activities", other["id"])["items"] == []
    # and a reference to another org's program is refused
    with pytest.raises(InvalidCatalogInput) as caught:
        rpc.call("catalog", "create_activity", other["id"], swim(program["id"]))
    assert "program_id" in caught.value.details


def test_references_and_whole_object_rules_are_validation_errors(rpc, org, program):
    data = swim(program["id"], restrictions={"membership_type_ids": ["mbt_nope"]},
                session={"enabled": True, "price": 100})
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "create_activity", org["id"], data)
    assert caught.value.details == {
        "session": {"capacity": ["required when the session offer is enabled"]},
        "restrictions": {"membership_type_ids": ["no membership type mbt_nope in this "
                                                 "organisation"]}}
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "create_activity", org["id"],
                 swim(program["id"], a_la_carte={"price": 15.0}))
    assert caught.value.details == {"a_la_carte": {"price": ["Not a valid integer."]}}


def test_patch_merges_nested_objects(rpc, org, program, events):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    updated = rpc.call("catalog", "update_activity", org["id"], activity["id"],
                       {"session": {"price": 9900},
                        "a_la_carte": {"cancellation": {"allowed": True}}})
    assert updated["session"] == dict(activity["session"], price=9900)
    assert updated["a_la_carte"]["capacity"] == 15
    assert updated["a_la_carte"]["cancellation"] == {"allowed": True,
                                                     "deadline_minutes_before": 0}
    assert updated["restrictions"] == activity["restrictions"]
    event = events.wait_for("activity_updated", lambda e: e["data"]["id"] == activity["id"])
    assert event["data"] == updated


def test_a_schedule_change_keeps_the_occurrences_it_does_not_move(rpc, org, program, events):
    data = swim(program["id"], schedule={
        "start_date": "2030-09-02", "end_date": "2030-09-30",
        "slots": [{"weekday": 0, "start_time": "09:00", "duration_minutes": 60}]})
    activity = rpc.call("catalog", "create_activity", org["id"], data)
    before = rpc.call("catalog", "list_occurrences", org["id"], activity["id"])["items"]
    assert len(before) == 5
    # drop the last Monday, add Wednesdays, make classes longer
    rpc.call("catalog", "update_activity", org["id"], activity["id"], {"schedule": {
        "end_date": "2030-09-23",
        "slots": [{"weekday": 0, "start_time": "09:00", "duration_minutes": 75},
                  {"weekday": 2, "start_time": "09:00", "duration_minutes": 75}]}})
    after = rpc.call("catalog", "list_occurrences", org["id"], activity["id"])["items"]
    by_id = {o["id"]: o for o in after}
    for old in before[:4]:
        kept = by_id[old["id"]]
        assert (kept["starts_at"], kept["status"]) == (old["starts_at"], "scheduled")
        assert kept["ends_at"].startswith(old["starts_at"][:11] + "10:15")
    dropped = by_id[before[4]["id"]]
    assert dropped["status"] == "cancelled"
    assert len([o for o in after if o["status"] == "scheduled"]) == 7  # 4 Mondays, 3 Wednesdays
    events.wait_for("occurrence_cancelled", lambda e: e["data"]["id"] == dropped["id"])
    assert rpc.call("catalog", "get_activity", org["id"],
                    activity["id"])["occurrence_count"] == 7


def test_single_occurrences_are_added_and_cancelled(rpc, org, program, events):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    added = rpc.call("catalog", "add_occurrence", org["id"], activity["id"],
                     {"starts_at": "2027-04-03T10:30:00", "duration_minutes": 45})
    assert (added["starts_at"], added["ends_at"]) == ("2027-04-03T10:30:00-04:00",
                                                      "2027-04-03T11:15:00-04:00")
    assert added["status"] == "scheduled"
    events.wait_for("occurrence_added", lambda e: e["data"]["id"] == added["id"])
    with pytest.raises(OccurrenceExists) as caught:
        rpc.call("catalog", "add_occurrence", org["id"], activity["id"],
                 {"starts_at": "2027-04-03T14:30:00Z", "duration_minutes": 45})
    assert caught.value.code == "occurrence_exists"

    cancelled = rpc.call("catalog", "cancel_occurrence", org["id"], added["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["a_la_carte"]["bookable"] is False
    assert cancelled["a_la_carte"]["reason"] == "cancelled"
    events.wait_for("occurrence_cancelled", lambda e: e["data"]["id"] == added["id"])
    again = rpc.call("catalog", "cancel_occurrence", org["id"], added["id"])
    assert again["status"] == "cancelled" and again["cancelled_at"] == cancelled["cancelled_at"]
    assert rpc.call("catalog", "get_occurrence", org["id"], added["id"])["status"] == "cancelled"
    with pytest.raises(OccurrenceNotFound):
        rpc.call("catalog", "get_occurrence", org["id"], "occ_nope")


def test_get_occurrences_leaves_unknown_ids_out(rpc, org, program):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    ids = [o["id"] for o in rpc.call("catalog", "list_occurrences", org["id"],
                                     activity["id"])["items"]]
    found = rpc.call("catalog", "get_occurrences", org["id"], [ids[2], "occ_nope", ids[0]])
    assert [o["id"] for o in found["items"]] == [ids[0], ids[2]]


def test_the_calendar_lists_scheduled_a_la_carte_occurrences_across_activities(rpc, org,
                                                                                program):
    swim_ = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    rpc.call("catalog", "create_activity", org["id"], swim(
        program["id"], name="Session only", a_la_carte={"enabled": False}))
    other_program = rpc.call("catalog", "create_program", org["id"], {"name": "Adultes"})
    aqua = rpc.call("catalog", "create_activity", org["id"], swim(
        other_program["id"], name="Aquaforme", schedule={
            "start_date": "2027-03-01", "end_date": "2027-03-31",
            "slots": [{"weekday": 2, "start_time": "19:00", "duration_minutes": 60}]}))
    first = rpc.call("catalog", "list_occurrences", org["id"], swim_["id"])["items"][0]
    rpc.call("catalog", "cancel_occurrence", org["id"], first["id"])

    march = rpc.call("catalog", "calendar", org["id"], "2027-03-01", "2027-03-15")["items"]
    assert [(o["activity_id"], o["starts_at"]) for o in march] == [
        (aqua["id"], "2027-03-03T19:00:00-05:00"),
        (swim_["id"], "2027-03-08T09:00:00-05:00"),
        (aqua["id"], "2027-03-10T19:00:00-05:00")]
    only_swim = rpc.call("catalog", "calendar", org["id"], "2027-03-01", "2027-03-15",
                         program_id=program["id"])["items"]
    assert [o["activity_id"] for o in only_swim] == [swim_["id"]]
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "calendar", org["id"], "2027-03-01", "2029-03-01")
    assert "to" in caught.value.details


def test_pass_type_edits_make_new_terms_versions_and_keep_the_old_ones(rpc, org, program,
                                                                        events):
    activity = rpc.call("catalog", "create_activity", org["id"], swim(program["id"]))
    created = rpc.call("catalog", "create_pass_type", org["id"], {
        "name": "10 bains", "price": 10000, "uses": 10, "valid_days": 365,
        "eligible_activity_ids": [activity["id"]], "accounting_code": "4200"})
    assert created["terms_version"] == 1
    assert (created["family"], created["credit_on_cancel"]) == (False, True)
    updated = rpc.call("catalog", "update_pass_type", org["id"], created["id"],
                       {"price": 12000, "expires_on": "2028-06-30"})
    assert updated["terms_version"] == 2
    assert (updated["price"], updated["valid_days"], updated["expires_on"]) == (
        12000, None, "2028-06-30")
    assert updated["uses"] == 10
    events.wait_for("pass_type_updated", lambda e: e["data"]["id"] == created["id"]
                    and e["data"]["terms_version"] == 2)

    current = rpc.call("catalog", "get_pass_type", org["id"], created["id"])
    assert current == updated
    first = rpc.call("catalog", "get_pass_type_terms", org["id"], created["id"], 1)
    assert first == created
    with pytest.raises(PassTypeTermsNotFound):
        rpc.call("catalog", "get_pass_type_terms", org["id"], created["id"], 3)
    listed = rpc.call("catalog", "list_pass_types", org["id"])["items"]
    assert [(p["id"], p["terms_version"]) for p in listed] == [(created["id"], 2)]
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "update_pass_type", org["id"], created["id"],
                 {"eligible_activity_ids": ["act_nope"]})
    assert "eligible_activity_ids" in caught.value.details
    assert rpc.call("catalog", "get_pass_type", org["id"], created["id"])["terms_version"] == 2


def test_bundle_division_prices_default_to_the_services_and_can_be_overridden(rpc, org,
                                                                              events):
    treatment = rpc.call("catalog", "create_service", org["id"], {
        "name": "Soin minceur", "duration_minutes": 60, "price": 5000,
        "accounting_code": "4300"})
    assert rpc.call("catalog", "get_service", org["id"], treatment["id"]) == treatment
    bundle = rpc.call("catalog", "create_bundle_type", org["id"], {
        "name": "Cure minceur", "divisions": [
            {"name": "10+1", "items": [{"service_id": treatment["id"], "count": 11}]},
            {"name": "10+1 promo", "items": [{"service_id": treatment["id"], "count": 11}],
             "price": 50000}]})
    assert [(d["name"], d["price"], d["price_overridden"]) for d in bundle["divisions"]] == [
        ("10+1", 55000, False), ("10+1 promo", 50000, True)]
    assert rpc.call("catalog", "get_bundle_type", org["id"], bundle["id"]) == bundle
    events.wait_for("bundle_type_created", lambda e: e["data"]["id"] == bundle["id"])
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "create_bundle_type", org["id"], {"name": "x", "divisions": [
            {"name": "a", "items": [{"service_id": "svc_nope", "count": 1}]}]})
    assert caught.value.details == {"divisions": {"0": {"items": {"0": {"service_id": [
        "no service svc_nope in this organisation"]}}}}}


def test_memberships_and_subscription_plans(rpc, org, program, events):
    membership = rpc.call("catalog", "create_membership_type", org["id"], {
        "name": "Membre annuel", "price": 2500, "duration_days": 365,
        "accounting_code": "4400"})
    events.wait_for("membership_type_created", lambda e: e["data"]["id"] == membership["id"])
    activity = rpc.call("catalog", "create_activity", org["id"], swim(
        program["id"], restrictions={"membership_type_ids": [membership["id"]]}))
    assert activity["restrictions"]["membership_type_ids"] == [membership["id"]]
    plan = rpc.call("catalog", "create_subscription_plan", org["id"], {
        "name": "Illimité", "monthly_price": 4900, "activity_ids": [activity["id"]],
        "accounting_code": "4500"})
    assert rpc.call("catalog", "get_subscription_plan", org["id"], plan["id"]) == plan
    assert rpc.call("catalog", "list_subscription_plans", org["id"])["items"] == [plan]
    assert rpc.call("catalog", "get_membership_type", org["id"], membership["id"]) == membership
    with pytest.raises(InvalidInput) as caught:
        rpc.call("catalog", "create_subscription_plan", org["id"], {
            "name": "x", "monthly_price": 100, "activity_ids": ["act_nope"]})
    assert "activity_ids" in caught.value.details


def test_lists_are_paginated(rpc, org):
    names = [f"Programme {i}" for i in range(5)]
    for name in names:
        rpc.call("catalog", "create_program", org["id"], {"name": name})
    first = rpc.call("catalog", "list_programs", org["id"], limit=3)
    second = rpc.call("catalog", "list_programs", org["id"], limit=3,
                      cursor=first["next_cursor"])
    assert second["next_cursor"] is None
    assert [p["name"] for p in first["items"] + second["items"]] == names
