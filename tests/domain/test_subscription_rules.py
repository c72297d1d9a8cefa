"""Subscription periods, renewals and retries (R2.13, R6.3, R6.4) as plain rules."""
from datetime import date, datetime, timedelta, timezone

from services.billing.domain import subscriptions as rules

UTC = timezone.utc


def test_anniversaries_count_from_the_anchor_and_clamp_to_the_month_end():
    jan31 = date(2027, 1, 31)
    assert [rules.period_start_date(jan31, k) for k in range(5)] == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30),
        date(2027, 5, 31)]
    assert rules.period_start_date(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert rules.period_start_date(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_a_period_starts_at_local_midnight_in_the_orgs_timezone():
    assert rules.period_start(date(2027, 1, 31), 1, "America/Montreal") == \
        datetime(2027, 2, 28, 5, tzinfo=UTC)            # EST
    assert rules.period_start(date(2027, 1, 31), 2, "America/Montreal") == \
        datetime(2027, 3, 31, 4, tzinfo=UTC)            # EDT
    # bought at 23:30 on Jan 31 in Montréal (already Feb 1 in UTC): anchored on Jan 31
    assert rules.anchor_of(datetime(2027, 2, 1, 4, 30, tzinfo=UTC), "America/Montreal") == \
        date(2027, 1, 31)


def test_what_is_due():
    due = datetime(2027, 2, 28, 5, tzinfo=UTC)
    assert rules.what_is_due("active", due, False, 1, due - timedelta(seconds=1)).action == "none"
    assert rules.what_is_due("active", due, False, 1, due) == rules.Due("charge", 1)
    assert rules.what_is_due("past_due", due, False, 1, due) == rules.Due("charge", 1)
    assert rules.what_is_due("active", due, True, 1, due).action == "end"
    assert rules.what_is_due("cancelled", due, False, 1, due).action == "none"
    assert rules.what_is_due("active", None, False, 1, due).action == "none"


def test_declines_are_retried_1_3_and_7_days_after_the_due_date_then_cancelled():
    due = datetime(2027, 2, 28, 5, tzinfo=UTC)
    steps = [rules.after_decline(due, attempt) for attempt in (1, 2, 3, 4)]
    assert [(s.charge_status, s.subscription_status) for s in steps] == [
        ("retrying", "past_due"), ("retrying", "past_due"), ("retrying", "past_due"),
        ("failed", "cancelled")]
    assert [s.next_charge_at for s in steps] == [
        due + timedelta(days=1), due + timedelta(days=3), due + timedelta(days=7), None]


def test_a_withdrawn_subscription_reads_cancelled_once_its_paid_month_is_over():
    end = datetime(2027, 3, 31, 4, tzinfo=UTC)
    assert rules.status_as_of("active", True, end, end - timedelta(seconds=1)) == "active"
    assert rules.status_as_of("active", True, end, end) == "cancelled"
    assert rules.status_as_of("active", False, end, end + timedelta(days=9)) == "active"


def test_what_a_subscription_covers():
    start = datetime(2027, 1, 31, 5, tzinfo=UTC)
    end = datetime(2027, 2, 28, 5, tzinfo=UTC)
    later = end + timedelta(days=10)
    assert rules.covers("active", False, start, end, ["act"], "act", start)
    assert rules.covers("active", False, start, end, ["act"], "act", later)
    assert not rules.covers("active", True, start, end, ["act"], "act", later)   # withdrawn
    assert not rules.covers("active", False, start, end, ["act"], "other", start)
    assert not rules.covers("active", False, start, end, ["act"], "act",
                            start - timedelta(days=1))
    assert not rules.covers("past_due", False, start, end, ["act"], "act", start)


def test_a_retry_asks_the_provider_with_a_new_key_a_replay_with_the_same():
    assert rules.charge_key("sub_1", 3, 0) == rules.charge_key("sub_1", 3, 0)
    assert rules.charge_key("sub_1", 3, 0) != rules.charge_key("sub_1", 3, 1)


def test_a_subscription_stops_paying_for_seats_when_its_paid_month_ends_or_it_is_cancelled():
    from types import SimpleNamespace
    end = datetime(2027, 7, 10, 4, tzinfo=UTC)
    withdrawn = SimpleNamespace(status="active", cancel_at_period_end=True, cancelled_at=None,
                                current_period_end=end)
    assert rules.ends_at(withdrawn) == end
    voided = SimpleNamespace(status="active", cancelled_at=None, current_period_end=end,
                             next_charge_at=end, updated_at=None, cancel_reason=None)
    rules.cancel_voided(voided, datetime(2027, 6, 12, tzinfo=UTC), datetime(2026, 12, 2))
    assert (voided.status, voided.cancel_reason, voided.next_charge_at) == \
        ("cancelled", "voided", None)
    assert rules.ends_at(voided) == datetime(2027, 6, 12, tzinfo=UTC)  # the void's instant
