"""Appointment rules without a broker or a database (R4.6, R5.1, R5.2)."""
from datetime import date, datetime, timezone

from services.registration.domain import appointments as rules


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_the_window_is_the_start_plus_the_service_duration_in_utc():
    start, end = rules.window(datetime.fromisoformat("2026-03-02T10:00:00-05:00"), 45)
    assert (start, end) == (utc(2026, 3, 2, 15, 0), utc(2026, 3, 2, 15, 45))


def test_back_to_back_appointments_do_not_overlap_but_a_shared_minute_does():
    nine, ten, eleven = utc(2026, 1, 1, 9), utc(2026, 1, 1, 10), utc(2026, 1, 1, 11)
    assert not rules.overlaps(nine, ten, ten, eleven)
    assert rules.overlaps(nine, ten, utc(2026, 1, 1, 9, 59), eleven)
    assert rules.overlaps(nine, eleven, ten, utc(2026, 1, 1, 10, 30))  # inside


def test_an_org_local_day_across_a_dst_change_is_23_hours():
    start, end = rules.day_range(date(2026, 3, 8), "America/Montreal")
    assert start == utc(2026, 3, 8, 5) and end == utc(2026, 3, 9, 4)


def test_one_candidate_is_chosen_none_and_several_are_refusals_listing_the_bundles():
    one = {"id": "bun_1", "name": "10 + 1", "division": "10+1", "items": []}
    two = {"id": "bun_2", "name": "5 + 1", "division": "5+1", "items": []}
    assert rules.choose_bundle([one]) == rules.Choice("bun_1")
    assert rules.choose_bundle([]).problem == "none"
    several = rules.choose_bundle([one, two])
    assert several.problem == "several" and several.bundle_id is None
    assert [c["id"] for c in several.candidates] == ["bun_1", "bun_2"]
    assert several.candidates[0] == {"id": "bun_1", "name": "10 + 1", "division": "10+1"}


def test_a_bundle_pays_only_for_its_own_client():
    assert rules.bundle_belongs_to({"member_id": "mem_1"}, "mem_1")
    assert not rules.bundle_belongs_to({"member_id": "mem_1"}, "mem_2")


def test_the_agenda_groups_by_staff_by_name_with_unassigned_last_and_the_asked_staff_kept():
    items = [{"id": "a", "staff_id": "stf_z", "staff_name": "Zoé"},
             {"id": "b", "staff_id": None, "staff_name": None},
             {"id": "c", "staff_id": "stf_a", "staff_name": "Ana"},
             {"id": "d", "staff_id": "stf_z", "staff_name": "Zoé"}]
    day = rules.agenda(date(2026, 5, 1), "America/Montreal", items)
    assert day["date"] == "2026-05-01"
    assert [(g["staff_id"], [a["id"] for a in g["appointments"]]) for g in day["staff"]] == \
        [("stf_a", ["c"]), ("stf_z", ["a", "d"]), (None, ["b"])]
    empty = rules.agenda(date(2026, 5, 1), "UTC", [], staff_id="stf_q")
    assert empty["staff"] == [{"staff_id": "stf_q", "staff_name": None, "appointments": []}]
