"""Schedules produce occurrences in the org's local time (R2.1, R1.4), and a schedule change
keeps the ids of the occurrences it does not move."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from services.catalog.domain.schedule import (CANCELLED, CANCELLED_BY_ADMIN,
                                              CANCELLED_BY_SCHEDULE, ORIGIN_SCHEDULE,
                                              ORIGIN_SINGLE, SCHEDULED, Existing, Planned,
                                              generate, plan_regeneration, schedule_errors)

MONTREAL = ZoneInfo("America/Montreal")
UTC = timezone.utc


def weekly(start, end, *slots, excluded=()):
    return {"start_date": start, "end_date": end, "excluded_dates": list(excluded),
            "slots": [{"weekday": w, "start_time": t, "duration_minutes": d} for w, t, d in slots]}


def test_a_weekly_0900_class_stays_0900_local_across_both_dst_changes():
    # Montreal springs forward on 2026-03-08 and falls back on 2026-11-01.
    occurrences = generate(weekly(date(2026, 2, 23), date(2026, 11, 16), (0, "09:00", 60)),
                           MONTREAL)
    local = [o.starts_at.astimezone(MONTREAL) for o in occurrences]
    assert len(occurrences) == 39  # every Monday from 2026-02-23 to 2026-11-16
    assert all((t.weekday(), t.hour, t.minute) == (0, 9, 0) for t in local)
    assert all(o.ends_at - o.starts_at == timedelta(minutes=60) for o in occurrences)
    offsets = {t.date(): t.utcoffset() for t in local}
    assert offsets[date(2026, 3, 2)] == timedelta(hours=-5)    # EST
    assert offsets[date(2026, 3, 9)] == timedelta(hours=-4)    # EDT, the day after the change
    assert offsets[date(2026, 10, 26)] == timedelta(hours=-4)
    assert offsets[date(2026, 11, 2)] == timedelta(hours=-5)   # EST again
    utc_hours = {o.starts_at.astimezone(UTC).date(): o.starts_at.astimezone(UTC).hour
                 for o in occurrences}
    assert utc_hours[date(2026, 3, 2)] == 14
    assert utc_hours[date(2026, 3, 9)] == 13
    assert utc_hours[date(2026, 11, 2)] == 14


def test_another_timezone_changes_on_its_own_date():
    paris = ZoneInfo("Europe/Paris")  # springs forward on 2026-03-29
    occurrences = generate(weekly(date(2026, 3, 20), date(2026, 4, 5), (5, "18:30", 90)), paris)
    assert [o.starts_at.astimezone(paris).strftime("%Y-%m-%d %H:%M %z") for o in occurrences] == [
        "2026-03-21 18:30 +0100", "2026-03-28 18:30 +0100", "2026-04-04 18:30 +0200"]


def test_start_and_end_dates_are_inclusive_and_excluded_dates_are_skipped():
    schedule = weekly(date(2026, 9, 7), date(2026, 9, 30), (0, "18:00", 45), (2, "18:00", 45),
                      excluded=[date(2026, 9, 16), date(2026, 12, 25)])
    days = [o.starts_at.astimezone(MONTREAL).date() for o in generate(schedule, MONTREAL)]
    assert days == [date(2026, 9, 7), date(2026, 9, 9), date(2026, 9, 14),
                    date(2026, 9, 21), date(2026, 9, 23), date(2026, 9, 28),
                    date(2026, 9, 30)]


def test_weekday_zero_is_monday_and_six_is_sunday():
    occurrences = generate(weekly(date(2026, 6, 1), date(2026, 6, 7), (0, "10:00", 30),
                                  (6, "10:00", 30)), MONTREAL)
    assert [o.starts_at.astimezone(MONTREAL).strftime("%A") for o in occurrences] == [
        "Monday", "Sunday"]


def test_a_time_skipped_by_the_spring_change_lands_just_after_the_gap():
    # 02:30 does not exist in Montreal on 2026-03-08: the class happens at 03:30 EDT that day.
    occurrences = generate(weekly(date(2026, 3, 1), date(2026, 3, 15), (6, "02:30", 60)),
                           MONTREAL)
    local = [o.starts_at.astimezone(MONTREAL).strftime("%m-%d %H:%M") for o in occurrences]
    assert local == ["03-01 02:30", "03-08 03:30", "03-15 02:30"]


def test_no_schedule_means_no_occurrences():
    assert generate(None, MONTREAL) == []


def test_schedule_errors_name_the_field():
    assert schedule_errors(weekly(date(2026, 9, 7), date(2026, 9, 1), (0, "09:00", 60))) == {
        "end_date": ["on or after start_date"]}
    duplicated = schedule_errors(weekly(date(2026, 9, 1), date(2026, 9, 30), (0, "09:00", 60),
                                        (0, "09:00", 30)))
    assert list(duplicated["slots"]) == [1]
    too_long = schedule_errors(weekly(date(2026, 1, 1), date(2046, 1, 1),
                                      *[(d, "09:00", 60) for d in range(7)]))
    assert "end_date" in too_long
    assert schedule_errors({"start_date": date(2026, 1, 1)}) == {
        "end_date": ["required in a schedule"], "slots": ["required in a schedule"]}


# -- regeneration ---------------------------------------------------------------------------------

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def at(day, hour=14):
    return datetime(2030, 1, day, hour, 0, tzinfo=UTC)


def existing(id_, day, status=SCHEDULED, origin=ORIGIN_SCHEDULE, reason=None, minutes=60):
    return Existing(id_, at(day), at(day) + timedelta(minutes=minutes), status, origin, reason)


def planned(day, minutes=60):
    return Planned(at(day), at(day) + timedelta(minutes=minutes))


def test_occurrences_whose_start_does_not_move_keep_their_id():
    plan = plan_regeneration([existing("a", 20), existing("b", 27)],
                             [planned(20), planned(27), planned(31)], NOW)
    assert plan.cancel == [] and plan.revive == [] and plan.reschedule == []
    assert [p.starts_at for p in plan.create] == [at(31)]


def test_occurrences_that_leave_the_schedule_are_cancelled_not_deleted():
    plan = plan_regeneration([existing("a", 20), existing("b", 27)], [planned(20)], NOW)
    assert plan.cancel == ["b"]
    assert plan.create == []


def test_a_new_duration_moves_the_end_and_keeps_the_id():
    plan = plan_regeneration([existing("a", 20)], [planned(20, minutes=90)], NOW)
    assert plan.reschedule == [("a", at(20) + timedelta(minutes=90))]
    assert plan.create == [] and plan.cancel == []


def test_the_past_is_never_rewritten():
    plan = plan_regeneration([existing("past", 8), existing("future", 20)], [planned(1)], NOW)
    assert plan.cancel == ["future"]          # the past occurrence stays as it was
    assert plan.create == []                  # nothing is created in the past


def test_a_start_back_in_the_schedule_revives_its_occurrence_with_its_id():
    gone = existing("a", 20, status=CANCELLED, reason=CANCELLED_BY_SCHEDULE)
    plan = plan_regeneration([gone], [planned(20)], NOW)
    assert plan.revive == [("a", at(20) + timedelta(minutes=60))]
    assert plan.create == []


def test_an_occurrence_cancelled_by_an_admin_stays_cancelled():
    cancelled = existing("a", 20, status=CANCELLED, reason=CANCELLED_BY_ADMIN)
    plan = plan_regeneration([cancelled], [planned(20)], NOW)
    assert plan.empty


def test_single_occurrences_are_left_alone_and_not_doubled():
    single = existing("s", 20, origin=ORIGIN_SINGLE)
    assert plan_regeneration([single], [planned(20)], NOW).empty
    assert plan_regeneration([single], [], NOW).empty
