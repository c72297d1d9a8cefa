"""Bundle and membership rules without a broker or a database (R2.11, R2.12, R4.4-R4.7,
R6.5)."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from services.passes.domain import bundles as b
from services.passes.domain import memberships as m
from services.passes.contract.errors import (BundleExhausted, BundleNotApplicable, ClientRequired,
                                        InvalidPassesInput)

BUNDLE_TYPE = {"id": "bdt_1", "name": "Slimming", "divisions": [
    {"name": "5+1", "items": [{"service_id": "svc_a", "count": 6}], "price": 30000},
    {"name": "Long hair", "items": [{"service_id": "svc_a", "count": 2},
                                    {"service_id": "svc_b", "count": 1}], "price": 12000},
]}


def counts(total=2, booked=0, used=0, service="svc_a"):
    return b.Counts(service, total, booked, used)


NOTHING = b.appointment_state([])


# -- sale (R4.4, R2.11) ---------------------------------------------------------------------
def test_a_bundle_needs_a_named_client():
    with pytest.raises(ClientRequired) as refused:
        b.require_client(None)
    assert refused.value.code == "client_required"
    b.require_client("mem_1")


def test_the_division_is_found_by_name_whatever_its_case():
    assert b.find_division(BUNDLE_TYPE, " long HAIR ")["price"] == 12000
    with pytest.raises(InvalidPassesInput) as refused:
        b.find_division(BUNDLE_TYPE, "10+1")
    assert "5+1" in refused.value.details["division"][0]


def test_a_division_gives_one_line_per_service():
    assert b.sale_items(BUNDLE_TYPE["divisions"][1]) == [("svc_a", 2), ("svc_b", 1)]


def test_remaining_is_total_minus_booked_minus_used():
    assert counts(10, 3, 4).remaining == 3
    assert counts(10, 3, 4).as_dict() == {"service_id": "svc_a", "total": 10, "booked": 3,
                                          "used": 4, "remaining": 3}


# -- book, unbook, use (R4.6, R4.7) --------------------------------------------------------
def test_booking_takes_one_remaining_use_and_refuses_past_zero():
    assert b.plan_book("bun_1", False, counts(2, 1, 0), "svc_a", NOTHING) == "book"
    assert b.movement("book") == (b.BOOK, 1, 0)
    with pytest.raises(BundleExhausted) as refused:
        b.plan_book("bun_1", False, counts(2, 1, 1), "svc_a", NOTHING)
    assert refused.value.details["remaining"] == 0


def test_a_service_outside_the_bundle_or_a_revoked_bundle_is_not_applicable():
    with pytest.raises(BundleNotApplicable) as refused:
        b.plan_book("bun_1", False, None, "svc_z", NOTHING)
    assert refused.value.details["reason"] == "service"
    with pytest.raises(BundleNotApplicable) as refused:
        b.plan_use("bun_1", True, counts(), "svc_a", NOTHING)
    assert refused.value.details["reason"] == "revoked"


def test_booking_an_appointment_twice_writes_nothing_the_second_time():
    booked = b.appointment_state([(b.BOOK, "svc_a")])
    assert booked.state == b.BOOKED
    # Even with no use left: the appointment already holds its use.
    assert b.plan_book("bun_1", False, counts(1, 1, 0), "svc_a", booked) == "replay"
    with pytest.raises(BundleNotApplicable):
        b.plan_book("bun_1", False, counts(1, 1, 0, "svc_b"), "svc_b", booked)


def test_unbooking_gives_the_use_back_once_and_the_appointment_may_be_booked_again():
    booked = b.appointment_state([(b.BOOK, "svc_a")])
    assert b.plan_unbook(booked) == "unbook"
    assert b.movement("unbook") == (b.UNBOOK, -1, 0)
    unbooked = b.appointment_state([(b.BOOK, "svc_a"), (b.UNBOOK, "svc_a")])
    assert unbooked.state == b.NONE
    assert b.plan_unbook(unbooked) == "noop"
    assert b.plan_unbook(NOTHING) == "noop"
    # Applied again after being removed: a new booking, numbered after the first.
    assert b.plan_book("bun_1", False, counts(), "svc_a", unbooked) == "book"
    assert unbooked.books == 1 and unbooked.unbooks == 1


def test_checking_out_turns_booked_into_used_or_uses_directly_once():
    booked = b.appointment_state([(b.BOOK, "svc_a")])
    assert b.plan_use("bun_1", False, counts(1, 1, 0), "svc_a", booked) == "use_booked"
    assert b.movement("use_booked") == (b.USE, -1, 1)
    assert b.plan_use("bun_1", False, counts(1, 0, 0), "svc_a", NOTHING) == "use_direct"
    assert b.movement("use_direct") == (b.USE, 0, 1)
    with pytest.raises(BundleExhausted):
        b.plan_use("bun_1", False, counts(1, 0, 1), "svc_a", NOTHING)
    used = b.appointment_state([(b.BOOK, "svc_a"), (b.USE, "svc_a")])
    assert used.state == b.USED
    assert b.plan_use("bun_1", False, counts(1, 0, 1), "svc_a", used) == "replay"
    assert b.plan_unbook(used) == "noop"  # a done appointment keeps its use


def test_a_bundle_with_anything_booked_or_used_is_not_revoked():
    assert b.revocable([counts(2), counts(1, service="svc_b")])
    assert not b.revocable([counts(2, 1, 0)])
    assert b.not_revocable_reason([counts(2, 1, 0)]) == "booked"
    assert b.not_revocable_reason([counts(2, 1, 0), counts(1, 0, 1, "svc_b")]) == "used"


# -- memberships (R2.12) -------------------------------------------------------------------
def test_a_membership_ends_duration_days_after_it_starts():
    starts, ends = m.period(date(2026, 1, 1), 365)
    assert ends == date(2027, 1, 1)
    assert m.last_day(ends) == date(2026, 12, 31)
    with pytest.raises(InvalidPassesInput):
        m.period(date(2026, 1, 1), 0)


def test_active_from_the_first_day_to_the_last_and_not_when_revoked():
    starts, ends = m.period(date(2026, 1, 1), 30)
    assert not m.active_on(starts, ends, False, date(2025, 12, 31))
    assert m.active_on(starts, ends, False, date(2026, 1, 1))
    assert m.active_on(starts, ends, False, date(2026, 1, 30))
    assert not m.active_on(starts, ends, False, date(2026, 1, 31))
    assert not m.active_on(starts, ends, True, date(2026, 1, 15))
    assert m.status(starts, ends, False, date(2025, 12, 1)) == m.UPCOMING
    assert m.status(starts, ends, False, date(2026, 1, 15)) == m.ACTIVE
    assert m.status(starts, ends, False, date(2026, 1, 31)) == m.EXPIRED
    assert m.status(starts, ends, True, date(2026, 1, 15)) == m.REVOKED


def test_without_a_start_date_a_membership_starts_on_the_org_local_day_of_the_sale():
    late_evening = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # 1 March 22:00 Montreal
    assert m.default_start(late_evening, ZoneInfo("America/Montreal")) == date(2026, 3, 1)
    assert m.default_start(late_evening, ZoneInfo("Europe/Paris")) == date(2026, 3, 2)
