"""The catalog over HTTP (docs/http-api.md "Catalog"): admins write, every role of the org reads."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.client import Client, error_of


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def admin(org):
    return org.admin


@pytest.fixture(scope="module")
def program(org, admin):
    return admin.ok("POST", org.path("/programs"), json={"name": "Saison 2027"})


@pytest.fixture(scope="module")
def staff(org, admin, api):
    key = admin.ok("POST", org.path("/api-keys"), json={"role": "staff", "name": "desk"})
    token = api.ok("POST", "/auth/token", json={"api_key": key["api_key"]})["token"]
    return api.with_token(token)


def activity_body(program_id, **extra):
    body = {"program_id": program_id, "name": "Natation 6-12 ans", "accounting_code": "4100",
            "restrictions": {"min_age": 6, "max_age": 12, "genders": [], "skills": []},
            "schedule": {"start_date": "2027-02-22", "end_date": "2027-11-22",
                         "slots": [{"weekday": 0, "start_time": "09:00",
                                    "duration_minutes": 60}],
                         "excluded_dates": ["2027-05-24"]},
            "session": {"enabled": True, "price": 12000, "capacity": 10,
                        "opens_at": "2027-01-04T08:00:00", "closes_at": "2027-02-21T23:59:00"},
            "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15, "pass_only": False,
                           "opens_minutes_before": None, "closes_minutes_before": 60,
                           "cancellation": {"allowed": True, "deadline_minutes_before": 1440}}}
    body.update(extra)
    return body


def read_all(client, path, **params):
    items, cursor = [], None
    while True:
        page = client.ok("GET", path, params=dict(params, **({"cursor": cursor} if cursor else {})))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


# -- the acceptance scenario --------------------------------------------------------------------

def test_a_weekly_class_across_both_dst_changes_stays_at_0900_local(org, admin, program):
    # Montreal's clocks go forward on 2027-03-14 and back on 2027-11-07.
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(program["id"]),
                        expect=201)
    # 40 Mondays from 2027-02-22 to 2027-11-22, minus the excluded 2027-05-24
    assert activity["occurrence_count"] == 39
    assert activity["program_id"] == program["id"]
    assert activity["session"]["opens_at"] == "2027-01-04T08:00:00-05:00"

    occurrences = admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    assert len(occurrences) == 39
    starts = [datetime.fromisoformat(o["starts_at"]) for o in occurrences]
    assert all((s.weekday(), s.hour, s.minute) == (0, 9, 0) for s in starts)
    assert all(datetime.fromisoformat(o["ends_at"]) - s == timedelta(hours=1)
               for o, s in zip(occurrences, starts))
    weeks_apart = [(b.date() - a.date()).days // 7 for a, b in zip(starts, starts[1:])]
    assert weeks_apart == [1] * 12 + [2] + [1] * 25  # 2027-05-24 is excluded
    offsets = {s.date().isoformat(): s.utcoffset() for s in starts}
    assert offsets["2027-03-08"] == timedelta(hours=-5)
    assert offsets["2027-03-15"] == timedelta(hours=-4)
    assert offsets["2027-11-01"] == timedelta(hours=-4)
    assert offsets["2027-11-08"] == timedelta(hours=-5)
    utc = {s.date().isoformat(): s.astimezone(timezone.utc).hour for s in starts}
    assert (utc["2027-03-08"], utc["2027-03-15"], utc["2027-11-08"]) == (14, 13, 14)

    item = occurrences[0]
    assert set(item) >= {"id", "starts_at", "ends_at", "status", "a_la_carte"}
    assert item["status"] == "scheduled"
    assert item["a_la_carte"] == dict(item["a_la_carte"], price=1500, capacity=15, taken=0,
                                      available=15, bookable=True, reason=None)
    assert admin.ok("GET", org.path(f"/activities/{activity['id']}")) == activity


def test_occurrences_between_two_dates_of_the_org(org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(program["id"]))
    path = org.path(f"/activities/{activity['id']}/occurrences")
    march = admin.ok("GET", path, params={"from": "2027-03-01", "to": "2027-03-15"})["items"]
    assert [o["starts_at"] for o in march] == ["2027-03-01T09:00:00-05:00",
                                               "2027-03-08T09:00:00-05:00"]
    later = admin.ok("GET", path, params={"from": "2027-11-15T09:00:00-05:00"})["items"]
    assert [o["starts_at"] for o in later] == ["2027-11-15T09:00:00-05:00",
                                               "2027-11-22T09:00:00-05:00"]
    paged = read_all(admin, path, limit=10)
    assert len(paged) == 39 and len({o["id"] for o in paged}) == 39
    error = error_of(admin.get(path, params={"from": "mardi"}), 400, "validation_error")
    assert "from" in error["details"]


# -- who may do what ------------------------------------------------------------------------------

def test_no_token_is_401(org):
    anonymous = Client(org.admin.base)
    error_of(anonymous.get(org.path("/activities")), 401, "unauthenticated")
    error_of(anonymous.post(org.path("/programs"), json={"name": "x"}), 401, "unauthenticated")


def test_another_orgs_token_is_403(new_org, org, program):
    other = new_org(name="Autre centre")
    error_of(other.admin.get(org.path("/activities")), 403, "forbidden")
    error_of(other.admin.get(org.path()), 403, "forbidden")
    error_of(other.admin.post(org.path("/activities"), json=activity_body(program["id"])),
             403, "forbidden")


def test_staff_read_the_catalog_but_only_admins_change_it(org, staff, program):
    assert staff.ok("GET", org.path())["timezone"] == "America/Montreal"
    assert program["id"] in [p["id"] for p in read_all(staff, org.path("/programs"))]
    error_of(staff.post(org.path("/programs"), json={"name": "x"}), 403, "forbidden")
    error_of(staff.post(org.path("/services"), json={
        "name": "x", "duration_minutes": 30, "price": 100}), 403, "forbidden")


def test_another_orgs_ids_are_not_found_in_this_org(new_org, org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(program["id"]))
    other = new_org(name="Centre voisin")
    error_of(other.admin.get(other.path(f"/activities/{activity['id']}")), 404, "not_found")
    error = error_of(other.admin.post(other.path("/activities"),
                                      json=activity_body(program["id"])),
                     400, "validation_error")
    assert "program_id" in error["details"]


# -- bad input -------------------------------------------------------------------------------------

def test_a_malformed_body_is_400_with_field_details(org, admin, program):
    body = activity_body(program["id"], name="")
    body["a_la_carte"] = dict(body["a_la_carte"], price=15.5)
    body["schedule"] = dict(body["schedule"], slots=[{"weekday": 9, "start_time": "25:00",
                                                      "duration_minutes": 60}])
    error = error_of(admin.post(org.path("/activities"), json=body), 400, "validation_error")
    assert set(error["details"]) == {"name", "a_la_carte", "schedule"}
    assert set(error["details"]["a_la_carte"]) == {"price"}
    assert set(error["details"]["schedule"]["slots"]["0"]) == {"weekday", "start_time"}

    error = error_of(admin.post(org.path("/services"), json={"name": "Coupe"}), 400,
                     "validation_error")
    assert set(error["details"]) == {"duration_minutes", "price"}
    error = error_of(admin.post(org.path("/programs"), json={"name": "x", "colour": "red"}),
                     400, "validation_error")
    assert "colour" in error["details"]


def test_rules_over_the_whole_activity_are_400_too(org, admin, program):
    error = error_of(admin.post(org.path("/activities"), json=activity_body(
        program["id"], session={"enabled": True, "price": 100},
        restrictions={"min_age": 12, "max_age": 6})), 400, "validation_error")
    assert error["details"] == {
        "session": {"capacity": ["required when the session offer is enabled"]},
        "restrictions": {"max_age": ["greater than or equal to min_age"]}}


def test_a_missing_or_unreadable_body_is_400(org, admin):
    error_of(admin.post(org.path("/programs")), 400, "validation_error")
    raw = requests.post(admin.base + "/api/v1" + org.path("/programs"), data="{not json",
                        headers={"Content-Type": "application/json",
                                 "Authorization": f"Bearer {admin.token}"}, timeout=30)
    error_of(raw, 400, "validation_error")


def test_missing_ids_are_404(org, admin):
    error_of(admin.get(org.path("/activities/act_missing")), 404, "not_found")
    error_of(admin.patch(org.path("/activities/act_missing"), json={"name": "x"}), 404,
             "not_found")
    error_of(admin.get(org.path("/activities/act_missing/occurrences")), 404, "not_found")
    error_of(admin.post(org.path("/occurrences/occ_missing/cancel")), 404, "not_found")
    error_of(admin.get(org.path("/pass-types/pst_missing")), 404, "not_found")
    error_of(admin.get(org.path("/bundle-types/bdt_missing")), 404, "not_found")


# -- PATCH, occurrences, availability ----------------------------------------------------------

def test_patch_merges_nested_objects(org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(program["id"]))
    patched = admin.ok("PATCH", org.path(f"/activities/{activity['id']}"), json={
        "session": {"price": 9900}, "a_la_carte": {"cancellation": {"allowed": False}},
        "restrictions": {"skills": ["float"]}})
    assert patched["session"] == dict(activity["session"], price=9900)
    assert patched["a_la_carte"] == dict(activity["a_la_carte"], cancellation={
        "allowed": False, "deadline_minutes_before": 1440})
    assert patched["restrictions"] == dict(activity["restrictions"], skills=["float"])
    assert patched["schedule"] == activity["schedule"]
    assert patched["occurrence_count"] == activity["occurrence_count"]


def test_a_schedule_change_keeps_the_ids_of_occurrences_that_do_not_move(org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(
        program["id"], schedule={"start_date": "2031-01-06", "end_date": "2031-01-27",
                                 "slots": [{"weekday": 0, "start_time": "18:00",
                                            "duration_minutes": 60}]}))
    path = org.path(f"/activities/{activity['id']}/occurrences")
    before = admin.ok("GET", path)["items"]
    patched = admin.ok("PATCH", org.path(f"/activities/{activity['id']}"), json={
        "schedule": {"excluded_dates": ["2031-01-13"], "end_date": "2031-02-03"}})
    assert patched["occurrence_count"] == 4
    after = {o["starts_at"]: o for o in admin.ok("GET", path)["items"]}
    assert {o["starts_at"]: o["id"] for o in before if o["starts_at"][:10] != "2031-01-13"} == {
        s: o["id"] for s, o in after.items() if s[:10] in ("2031-01-06", "2031-01-20",
                                                           "2031-01-27")}
    assert after["2031-01-13T18:00:00-05:00"]["status"] == "cancelled"
    assert after["2031-02-03T18:00:00-05:00"]["status"] == "scheduled"


def test_single_occurrences_and_why_an_occurrence_is_not_bookable(org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(
        program["id"], schedule=None,
        a_la_carte={"enabled": True, "price": 1500, "capacity": 15,
                    "opens_minutes_before": 7 * 24 * 60, "closes_minutes_before": 60}))
    assert activity["occurrence_count"] == 0
    path = org.path(f"/activities/{activity['id']}/occurrences")
    soon = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0)
    open_now = admin.ok("POST", path, json={"starts_at": soon.isoformat(),
                                            "duration_minutes": 45}, expect=201)
    not_yet = admin.ok("POST", path, json={"starts_at": "2035-06-04T10:00:00",
                                           "duration_minutes": 45}, expect=201)
    past = admin.ok("POST", path, json={"starts_at": "2026-01-05T10:00:00",
                                        "duration_minutes": 45}, expect=201)
    assert not_yet["starts_at"] == "2035-06-04T10:00:00-04:00"
    assert not_yet["ends_at"] == "2035-06-04T10:45:00-04:00"
    error_of(admin.post(path, json={"starts_at": "2035-06-04T14:00:00Z",
                                    "duration_minutes": 30}), 409, "occurrence_exists")

    cancelled = admin.ok("POST", org.path(f"/occurrences/{not_yet['id']}/cancel"))
    assert cancelled["status"] == "cancelled"
    state = {o["id"]: (o["a_la_carte"]["bookable"], o["a_la_carte"]["reason"])
             for o in admin.ok("GET", path)["items"]}
    assert state == {past["id"]: (False, "registration_closed"),
                     open_now["id"]: (True, None),
                     not_yet["id"]: (False, "cancelled")}

    admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
             json={"a_la_carte": {"capacity": 0}})
    # ``from`` is a date in the org's time zone (between 00:00 and 05:00 UTC, the UTC date
    # of ``soon`` is the day after its Montreal date)
    local_day = soon.astimezone(ZoneInfo("America/Montreal")).date()
    [item] = admin.ok("GET", path, params={"from": local_day.isoformat(),
                                           "to": "2030-01-01"})["items"]
    assert item["a_la_carte"] == dict(item["a_la_carte"], capacity=0, available=0,
                                      bookable=False, reason="sold_out")
    admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
             json={"a_la_carte": {"enabled": False}})
    item = admin.ok("GET", org.path(f"/occurrences/{open_now['id']}"))
    assert (item["a_la_carte"]["bookable"], item["a_la_carte"]["reason"]) == (
        False, "a_la_carte_disabled")


def test_cancelling_an_occurrence_honours_the_idempotency_key(org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(program["id"]))
    occurrence = admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))[
        "items"][0]
    path = org.path(f"/occurrences/{occurrence['id']}/cancel")
    first = admin.post(path, headers={"Idempotency-Key": "cancel-1"})
    again = admin.post(path, headers={"Idempotency-Key": "cancel-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert first.json()["status"] == "cancelled"


def test_the_calendar_shows_bookable_a_la_carte_occurrences(new_org):
    org = new_org(name="Studio")
    admin = org.admin
    yoga_program = admin.ok("POST", org.path("/programs"), json={"name": "Yoga"})
    dance_program = admin.ok("POST", org.path("/programs"), json={"name": "Danse"})
    yoga = admin.ok("POST", org.path("/activities"), json=activity_body(
        yoga_program["id"], name="Yoga", schedule={
            "start_date": "2027-03-01", "end_date": "2027-03-31",
            "slots": [{"weekday": 1, "start_time": "12:00", "duration_minutes": 60}]}))
    admin.ok("POST", org.path("/activities"), json=activity_body(
        dance_program["id"], name="Ballet (session only)", a_la_carte={"enabled": False}))
    items = admin.ok("GET", org.path("/calendar"), params={
        "from": "2027-03-01", "to": "2027-03-10"})["items"]
    assert [(o["activity_id"], o["starts_at"]) for o in items] == [
        (yoga["id"], "2027-03-02T12:00:00-05:00"), (yoga["id"], "2027-03-09T12:00:00-05:00")]
    assert items[0]["a_la_carte"]["available"] == 15
    assert admin.ok("GET", org.path("/calendar"), params={
        "from": "2027-03-01", "to": "2027-03-10", "program_id": dance_program["id"]})[
        "items"] == []
    error = error_of(admin.get(org.path("/calendar")), 400, "validation_error")
    assert set(error["details"]) == {"from", "to"}


# -- what else the org sells -------------------------------------------------------------------

def test_bundle_division_price_is_the_sum_by_default_or_overridden(org, admin):
    treatment = admin.ok("POST", org.path("/services"), json={
        "name": "Soin minceur", "duration_minutes": 60, "price": 5000,
        "accounting_code": "4300"}, expect=201)
    bundle = admin.ok("POST", org.path("/bundle-types"), json={
        "name": "Cure 10+1", "divisions": [
            {"name": "10+1", "items": [{"service_id": treatment["id"], "count": 11}]}]},
        expect=201)
    assert bundle["divisions"][0]["price"] == 55000
    assert bundle["divisions"][0]["price_overridden"] is False
    overridden = admin.ok("POST", org.path("/bundle-types"), json={
        "name": "Cure 10+1 promo", "divisions": [
            {"name": "10+1", "items": [{"service_id": treatment["id"], "count": 11}],
             "price": 50000}]})
    assert (overridden["divisions"][0]["price"],
            overridden["divisions"][0]["price_overridden"]) == (50000, True)
    assert admin.ok("GET", org.path(f"/bundle-types/{bundle['id']}")) == bundle
    listed = [b["id"] for b in read_all(admin, org.path("/bundle-types"))]
    assert bundle["id"] in listed and overridden["id"] in listed


def test_a_pass_type_edit_keeps_the_old_terms_retrievable(org, admin, program):
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(program["id"]))
    created = admin.ok("POST", org.path("/pass-types"), json={
        "name": "10 bains", "price": 10000, "uses": 10, "valid_days": 365, "family": True,
        "eligible_activity_ids": [activity["id"]], "credit_on_cancel": True,
        "accounting_code": "4200"}, expect=201)
    assert created["terms_version"] == 1
    edited = admin.ok("PATCH", org.path(f"/pass-types/{created['id']}"),
                      json={"price": 11000, "uses": None})
    assert (edited["terms_version"], edited["price"], edited["uses"]) == (2, 11000, None)
    assert edited["family"] is True and edited["eligible_activity_ids"] == [activity["id"]]
    assert admin.ok("GET", org.path(f"/pass-types/{created['id']}")) == edited
    first = admin.ok("GET", org.path(f"/pass-types/{created['id']}"),
                     params={"terms_version": 1})
    assert first == created
    error_of(admin.get(org.path(f"/pass-types/{created['id']}"), params={"terms_version": 9}),
             404, "not_found")
    error = error_of(admin.post(org.path("/pass-types"), json={
        "name": "x", "price": 100, "valid_days": 30, "expires_on": "2030-01-01"}),
        400, "validation_error")
    assert set(error["details"]) == {"valid_days", "expires_on"}


def test_membership_types_and_subscription_plans(org, admin, program):
    membership = admin.ok("POST", org.path("/membership-types"), json={
        "name": "Membre", "price": 2500, "duration_days": 365, "accounting_code": "4400"},
        expect=201)
    assert admin.ok("GET", org.path(f"/membership-types/{membership['id']}")) == membership
    activity = admin.ok("POST", org.path("/activities"), json=activity_body(
        program["id"], restrictions={"membership_type_ids": [membership["id"]]}))
    plan = admin.ok("POST", org.path("/subscription-plans"), json={
        "name": "Illimité", "monthly_price": 4900, "activity_ids": [activity["id"]],
        "accounting_code": "4500"}, expect=201)
    assert plan["monthly_price"] == 4900 and plan["activity_ids"] == [activity["id"]]
    assert plan["id"] in [p["id"] for p in read_all(admin, org.path("/subscription-plans"))]
    assert membership["id"] in [m["id"] for m in read_all(admin, org.path("/membership-types"))]
    error = error_of(admin.post(org.path("/subscription-plans"), json={
        "name": "x", "monthly_price": 10.0, "activity_ids": ["act_nope"]}), 400,
        "validation_error")
    assert "monthly_price" in error["details"]


def test_lists_filter_and_paginate(new_org):
    org = new_org(name="Liste")
    admin = org.admin
    fall = admin.ok("POST", org.path("/programs"), json={"name": "Automne"})
    winter = admin.ok("POST", org.path("/programs"), json={"name": "Hiver"})
    made = [admin.ok("POST", org.path("/activities"), json=activity_body(
        p["id"], name=f"Activité {i}", schedule=None))["id"]
        for i, p in enumerate([fall, winter, fall])]
    first = admin.ok("GET", org.path("/activities"), params={"limit": 2})
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert [a["id"] for a in read_all(admin, org.path("/activities"), limit=2)] == made
    assert [a["id"] for a in read_all(admin, org.path("/activities"),
                                      program_id=fall["id"])] == [made[0], made[2]]
    error_of(admin.get(org.path("/activities"), params={"cursor": "garbage"}), 400,
             "validation_error")
    services = read_all(admin, org.path("/services"))
    assert services == []
