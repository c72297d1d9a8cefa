"""Every refusal of a hold with its own code (R3.3) through the real broker:
registration_closed, not_eligible (each restriction in details.failed), pass_required."""
from datetime import date, timedelta

import pytest

from services.passes.contract import errors as _passes_errors  # noqa: F401 (typed errors)
from tests.services.test_registration_support import Shop, in_days, now_utc, refused


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


# -- registration_closed (R2.2, R2.3) --------------------------------------------------------------

def test_session_window_not_open_yet_and_closed(shop):
    later, _ = shop.activity(session={"opens_at": in_days(1).isoformat()},
                             starts=[in_days(5)])
    over, _ = shop.activity(session={"opens_at": in_days(-10).isoformat(),
                                     "closes_at": in_days(-1).isoformat()},
                            starts=[in_days(5)])
    open_, _ = shop.activity(session={"opens_at": in_days(-1).isoformat(),
                                      "closes_at": in_days(1).isoformat()},
                             starts=[in_days(5)])
    household = shop.household({})
    error = refused(lambda: shop.hold(household, activity=later), "registration_closed")
    assert error.details["reason"] == "not_open_yet" and error.details["opens_at"]
    error = refused(lambda: shop.hold(household, activity=over), "registration_closed")
    assert error.details["reason"] == "closed"
    assert shop.hold(household, activity=open_)["status"] == "held"


def test_a_la_carte_window_relative_to_each_occurrence(shop):
    # Opens 2 days before, closes 3 hours before each occurrence.
    activity, (too_early, bookable, too_late) = shop.activity(
        a_la_carte={"opens_minutes_before": 2 * 24 * 60, "closes_minutes_before": 180},
        starts=[in_days(3), in_days(1), now_utc() + timedelta(hours=2)])
    household = shop.household({})
    error = refused(lambda: shop.hold(household, occurrence=too_early), "registration_closed")
    assert error.details["reason"] == "not_open_yet"
    error = refused(lambda: shop.hold(household, occurrence=too_late), "registration_closed")
    assert error.details["reason"] == "closed"
    assert shop.hold(household, occurrence=bookable)["status"] == "held"


def test_an_offer_switched_off_or_a_cancelled_occurrence_is_closed(shop):
    no_session, (occurrence,) = shop.activity(session={"enabled": False},
                                              a_la_carte={"enabled": False},
                                              starts=[in_days(2)])
    household = shop.household({})
    error = refused(lambda: shop.hold(household, activity=no_session), "registration_closed")
    assert error.details["reason"] == "session_not_offered"
    error = refused(lambda: shop.hold(household, occurrence=occurrence), "registration_closed")
    assert error.details["reason"] == "a_la_carte_not_offered"
    _, (cancelled,) = shop.activity(starts=[in_days(2)])
    shop.call("catalog", "cancel_occurrence", shop.org_id, cancelled["id"])
    error = refused(lambda: shop.hold(household, occurrence=cancelled), "registration_closed")
    assert error.details["reason"] == "occurrence_cancelled"


# -- not_eligible (R2.7) ------------------------------------------------------------------------

def born_years_before(day, years, days=0):
    try:
        birthday = date(day.year - years, day.month, day.day)
    except ValueError:  # 29 February: the birthday comes on 1 March
        birthday = date(day.year - years, 3, 1)
    return birthday + timedelta(days=days)


def test_age_on_the_occurrence_date(shop):
    start = in_days(10).replace(hour=17)  # 12:00 or 13:00 in Montréal: the UTC date
    local_day = start.date()
    _, (occurrence,) = shop.activity(restrictions={"min_age": 12, "max_age": 17},
                                     starts=[start])
    household = shop.household(
        {"birth_date": born_years_before(local_day, 12).isoformat()},            # 12 that day
        {"birth_date": born_years_before(local_day, 12, days=1).isoformat()},    # 11 that day
        {"birth_date": born_years_before(local_day, 18).isoformat()},            # 18 that day
        {"birth_date": born_years_before(local_day, 18, days=1).isoformat()})    # still 17
    twelve, eleven, eighteen, seventeen = household["members"]
    assert shop.hold(household, twelve, occurrence=occurrence)["status"] == "held"
    assert shop.hold(household, seventeen, occurrence=occurrence)["status"] == "held"
    error = refused(lambda: shop.hold(household, eleven, occurrence=occurrence), "not_eligible")
    assert error.details["failed"] == ["min_age"]
    assert error.details["on_date"] == local_day.isoformat()
    error = refused(lambda: shop.hold(household, eighteen, occurrence=occurrence),
                    "not_eligible")
    assert error.details["failed"] == ["max_age"]


def test_gender_and_skills(shop):
    household = shop.household({"gender": "male", "skills": ["Nage niveau 3"]})
    _, (g_occ,) = shop.activity(restrictions={"genders": ["female"]}, starts=[in_days(2)])
    by_skill, (s_occ,) = shop.activity(restrictions={"skills": ["Nage niveau 4"]},
                                       starts=[in_days(2)])
    _, (ok_occ,) = shop.activity(restrictions={"skills": ["nage NIVEAU 3"],
                                               "genders": ["male", "female"]},
                                 starts=[in_days(2)])
    error = refused(lambda: shop.hold(household, occurrence=g_occ), "not_eligible")
    assert error.details["failed"] == ["genders"]
    error = refused(lambda: shop.hold(household, activity=by_skill), "not_eligible")
    assert error.details["failed"] == ["skills"]
    assert error.details["missing_skills"] == ["Nage niveau 4"]
    assert shop.hold(household, occurrence=ok_occ)["status"] == "held"


def test_a_required_membership_active_on_the_occurrence_date(shop):
    wanted, other = [shop.call("catalog", "create_membership_type", shop.org_id, {
        "name": name, "price": 2500, "duration_days": 365})["id"] for name in ("A", "B")]
    _, (occurrence,) = shop.activity(
        restrictions={"membership_type_ids": [wanted]}, starts=[in_days(2)])
    household = shop.household({}, {})
    member, without = household["members"]
    for membership_type_id, who in ((wanted, member), (other, without)):
        shop.call("passes", "sell_membership", shop.org_id, {
            "membership_type_id": membership_type_id, "account_id": household["id"],
            "member_id": who["id"], "invoice_id": "inv_" + who["id"]})
    error = refused(lambda: shop.hold(household, without, occurrence=occurrence),
                    "not_eligible")
    assert error.details["failed"] == ["membership_type_ids"]
    assert shop.hold(household, member, occurrence=occurrence)["status"] == "held"


def test_every_failed_restriction_is_listed(shop):
    _, (occurrence,) = shop.activity(
        restrictions={"min_age": 60, "genders": ["female"], "skills": ["Plongée"]},
        starts=[in_days(2)])
    household = shop.household({"gender": "male", "birth_date": "2000-01-01"})
    error = refused(lambda: shop.hold(household, occurrence=occurrence), "not_eligible")
    assert error.details["failed"] == ["min_age", "genders", "skills"]


# -- pass_required, payment ------------------------------------------------------------------------

def test_pass_holders_only_refuses_money(shop):
    activity, (occurrence,) = shop.activity(a_la_carte={"pass_only": True},
                                            starts=[in_days(2)])
    household = shop.household({})
    refused(lambda: shop.hold(household, occurrence=occurrence), "pass_required")
    refused(lambda: shop.hold(household, occurrence=occurrence, pay_with={"type": "money"}),
            "pass_required")
    # The session offer of the same activity is not pass-only.
    assert shop.hold(household, activity=activity)["status"] == "held"
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0


def test_paying_with_a_pass_needs_a_real_pass_and_a_la_carte(shop):
    activity, (occurrence,) = shop.activity(starts=[in_days(2)])
    household = shop.household({})
    error = refused(lambda: shop.hold(household, occurrence=occurrence,
                                      pay_with={"type": "pass"}), "validation_error")
    assert "pay_with" in error.details
    refused(lambda: shop.hold(household, activity=activity,
                              pay_with={"type": "pass", "pass_id": "pas_x"}), "validation_error")
    # an unknown pass: the seat is given back (tests/services/test_pass_booking_*.py)
    refused(lambda: shop.hold(household, occurrence=occurrence,
                              pay_with={"type": "pass", "pass_id": "pas_x"}), "not_found")
    assert shop.taken(occurrence)["a_la_carte_taken"] == 0
