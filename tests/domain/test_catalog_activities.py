"""Activities: defaults, PATCH merges nested objects (docs/http-api.md), whole-object rules (R2.2,
R2.3, R2.7), and when an occurrence can be booked à la carte as far as the catalog knows."""
from datetime import date, datetime, timedelta, timezone

from services.catalog.domain.activities import (REASON_CANCELLED, REASON_CLOSED,
                                                REASON_DISABLED, REASON_NOT_OPEN,
                                                a_la_carte_state, a_la_carte_window,
                                                apply_patch, cancellation_deadline, new_spec,
                                                spec_errors)

UTC = timezone.utc


def swim(**extra):
    data = {"program_id": "prg_1", "name": "Swim",
            "session": {"enabled": True, "price": 12000, "capacity": 10},
            "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15,
                           "opens_minutes_before": 7 * 24 * 60, "closes_minutes_before": 60,
                           "cancellation": {"allowed": True, "deadline_minutes_before": 1440}},
            "restrictions": {"min_age": 6, "max_age": 12, "skills": ["float"]},
            "schedule": {"start_date": date(2030, 1, 7), "end_date": date(2030, 3, 25),
                         "slots": [{"weekday": 0, "start_time": "09:00",
                                    "duration_minutes": 60}]}}
    data.update(extra)
    return new_spec(data)


def test_a_new_activity_gets_the_defaults_for_what_was_not_sent():
    spec = new_spec({"program_id": "prg_1", "name": "Yoga"})
    assert spec["session"] == {"enabled": False, "price": None, "capacity": None,
                               "opens_at": None, "closes_at": None,
                               "cancellation": None}  # R8.2: no client cancellation
    assert spec["a_la_carte"]["enabled"] is False
    assert spec["a_la_carte"]["closes_minutes_before"] == 0
    assert spec["a_la_carte"]["cancellation"] == {"allowed": False,
                                                  "deadline_minutes_before": 0}
    assert spec["restrictions"] == {"min_age": None, "max_age": None, "genders": [],
                                    "membership_type_ids": [], "skills": []}
    assert spec["schedule"] is None
    assert spec_errors(spec) == {}


def test_patch_merges_nested_objects_instead_of_replacing_them():
    before = swim()
    after = apply_patch(before, {"session": {"price": 9000},
                                 "a_la_carte": {"cancellation": {"allowed": False}},
                                 "restrictions": {"max_age": 14}})
    assert after["session"] == dict(before["session"], price=9000)
    assert after["a_la_carte"]["capacity"] == 15
    assert after["a_la_carte"]["cancellation"] == {"allowed": False,
                                                   "deadline_minutes_before": 1440}
    assert after["restrictions"] == dict(before["restrictions"], max_age=14)
    assert before["session"]["price"] == 12000  # the current spec is not modified


def test_patch_replaces_lists_and_scalars_and_merges_the_schedule_keys():
    before = swim()
    after = apply_patch(before, {"name": "Swim II", "restrictions": {"skills": []},
                                 "schedule": {"end_date": date(2030, 6, 24)}})
    assert after["name"] == "Swim II"
    assert after["restrictions"]["skills"] == []
    assert after["schedule"]["start_date"] == date(2030, 1, 7)
    assert after["schedule"]["end_date"] == date(2030, 6, 24)
    assert after["schedule"]["slots"] == before["schedule"]["slots"]


def test_a_null_schedule_removes_it():
    assert apply_patch(swim(), {"schedule": None})["schedule"] is None


def test_an_enabled_offer_needs_its_price_and_capacity():
    spec = new_spec({"program_id": "prg_1", "name": "Yoga", "session": {"enabled": True},
                     "a_la_carte": {"enabled": True, "price": 1000}})
    assert spec_errors(spec) == {
        "session": {"price": ["required when the session offer is enabled"],
                    "capacity": ["required when the session offer is enabled"]},
        "a_la_carte": {"capacity": ["required when the à la carte offer is enabled"]}}


def test_rules_over_the_whole_object_also_apply_after_a_patch():
    errors = spec_errors(apply_patch(swim(), {"restrictions": {"min_age": 16},
                                              "a_la_carte": {"opens_minutes_before": 30}}))
    assert errors["restrictions"] == {"max_age": ["greater than or equal to min_age"]}
    assert "opens_minutes_before" in errors["a_la_carte"]
    opens = datetime(2030, 1, 1, tzinfo=UTC)
    errors = spec_errors(apply_patch(swim(), {"session": {"opens_at": opens,
                                                          "closes_at": opens}}))
    assert errors == {"session": {"closes_at": ["after opens_at"]}}


def test_the_a_la_carte_window_is_relative_to_each_occurrence():
    starts = datetime(2030, 1, 14, 14, 0, tzinfo=UTC)
    alc = swim()["a_la_carte"]
    assert a_la_carte_window(starts, alc) == (starts - timedelta(days=7),
                                              starts - timedelta(hours=1))
    assert cancellation_deadline(starts, alc) == starts - timedelta(days=1)
    assert cancellation_deadline(starts, dict(alc, cancellation={"allowed": False})) is None


def test_bookable_inside_the_window_and_why_not_outside_it():
    starts = datetime(2030, 1, 14, 14, 0, tzinfo=UTC)
    alc = swim()["a_la_carte"]
    assert a_la_carte_state("scheduled", starts, alc, starts - timedelta(days=2)) == (True, None)
    assert a_la_carte_state("scheduled", starts, alc, starts - timedelta(days=8)) == (
        False, REASON_NOT_OPEN)
    assert a_la_carte_state("scheduled", starts, alc, starts - timedelta(minutes=30)) == (
        False, REASON_CLOSED)
    assert a_la_carte_state("cancelled", starts, alc, starts - timedelta(days=2)) == (
        False, REASON_CANCELLED)
    assert a_la_carte_state("scheduled", starts, dict(alc, enabled=False),
                            starts - timedelta(days=2)) == (False, REASON_DISABLED)


def test_without_an_opening_time_registration_is_open_until_it_closes():
    starts = datetime(2030, 1, 14, 14, 0, tzinfo=UTC)
    alc = dict(swim()["a_la_carte"], opens_minutes_before=None, closes_minutes_before=0)
    assert a_la_carte_state("scheduled", starts, alc, starts - timedelta(days=300)) == (True,
                                                                                       None)
    assert a_la_carte_state("scheduled", starts, alc, starts)[1] == REASON_CLOSED
