"""Registration rules without a broker or a database: eligibility (R2.7), windows (R2.2,
R2.3), pass-only offers, hold expiry (R3.1) and cancellation (R3.5, R3.6)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.registration.adapters import offerings
from services.registration.domain import rules
from services.registration.contract.errors import (CancellationDeadlinePassed, CancellationNotAllowed,
                                              NotEligible, PassPaymentUnavailable, PassRequired,
                                              RegistrationClosed, RegistrationNotConfirmed)

EST = timezone(timedelta(hours=-5))
START = datetime(2026, 3, 10, 9, 0, tzinfo=EST)  # an occurrence, 09:00 local


def activity(**overrides):
    base = {
        "id": "act_1", "org_id": "org_1", "name": "Aquafit", "accounting_code": "4100",
        "restrictions": {"min_age": None, "max_age": None, "genders": [],
                         "membership_type_ids": [], "skills": []},
        "schedule": {"start_date": "2026-03-03", "end_date": "2026-04-28"},
        "session": {"enabled": True, "price": 12000, "capacity": 10,
                    "opens_at": "2026-02-01T00:00:00-05:00",
                    "closes_at": "2026-03-03T00:00:00-05:00"},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15, "pass_only": False,
                       "opens_minutes_before": 7 * 24 * 60, "closes_minutes_before": 60,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 120}},
        "first_starts_at": "2026-03-03T09:00:00-05:00",
        "last_ends_at": "2026-04-28T10:00:00-04:00",
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def occurrence(**overrides):
    return {"id": "occ_1", "org_id": "org_1", "activity_id": "act_1",
            "starts_at": START.isoformat(), "ends_at": (START + timedelta(hours=1)).isoformat(),
            "status": "scheduled", "a_la_carte": {"enabled": True, "price": 1500,
                                                  "capacity": 15}, **overrides}


def person(**overrides):
    values = dict(member_id="mem_1", account_id="acc_1", first_name="Léa", last_name="Roy",
                  birth_date=date(2000, 3, 10), gender="female", skills=("Swim level 2",))
    values.update(overrides)
    return rules.Person(**values)


def a_la_carte(act=None, occ=None):
    return offerings.a_la_carte_offering("org_1", act or activity(), occ or occurrence())


def session(act=None):
    return offerings.session_offering("org_1", act or activity())


# -- eligibility (R2.7) -----------------------------------------------------------------------------

def failures(restrictions, who=None, memberships=()):
    offering = a_la_carte(activity(restrictions=restrictions))
    return rules.eligibility_failures(offering.restrictions, who or person(),
                                      offering.eligibility_date, memberships)


def test_no_restrictions_means_anyone():
    assert failures({}) == []


def test_age_is_taken_on_the_occurrence_date():
    # Born 2000-03-10: 26 on the occurrence's date (2026-03-10), 25 the day before.
    assert failures({"min_age": 26}) == []
    day_before = person(birth_date=date(2000, 3, 11))
    assert failures({"min_age": 26}, day_before) == ["min_age"]
    assert failures({"max_age": 25}) == ["max_age"]
    assert failures({"max_age": 25}, day_before) == []


def test_a_29_february_birthday_comes_on_1_march_in_other_years():
    assert rules.age_on(date(2004, 2, 29), date(2026, 2, 28)) == 21
    assert rules.age_on(date(2004, 2, 29), date(2026, 3, 1)) == 22


def test_the_date_is_the_local_date_of_the_occurrence_not_utc():
    # 21:00 in Montréal on 9 March is already 10 March in UTC.
    late = occurrence(starts_at="2026-03-09T21:00:00-05:00")
    offering = a_la_carte(occ=late)
    assert offering.eligibility_date == date(2026, 3, 9)
    assert rules.eligibility_failures(rules.Restrictions(min_age=26), person(),
                                      offering.eligibility_date) == ["min_age"]


def test_session_age_is_taken_on_the_first_occurrence():
    offering = session(activity(first_starts_at="2026-03-03T09:00:00-05:00"))
    assert offering.eligibility_date == date(2026, 3, 3)


def test_gender():
    assert failures({"genders": ["female"]}) == []
    assert failures({"genders": ["male"]}) == ["genders"]
    assert failures({"genders": ["male", "female"]}, person(gender="male")) == []


def test_required_membership_any_one_of_them_active():
    assert failures({"membership_type_ids": ["mt_a", "mt_b"]}) == ["membership_type_ids"]
    assert failures({"membership_type_ids": ["mt_a", "mt_b"]}, memberships=["mt_b"]) == []
    assert failures({"membership_type_ids": ["mt_a"]}, memberships=["mt_z"]) == \
        ["membership_type_ids"]


def test_required_skills_all_of_them_case_insensitively():
    assert failures({"skills": ["swim LEVEL 2"]}) == []
    assert failures({"skills": ["Swim level 2", "Diving"]}) == ["skills"]


def test_every_failed_restriction_is_listed():
    offering = a_la_carte(activity(restrictions={
        "min_age": 30, "genders": ["male"], "membership_type_ids": ["mt_a"],
        "skills": ["Diving"]}))
    with pytest.raises(NotEligible) as refused:
        rules.check_eligible(offering, person())
    assert refused.value.code == "not_eligible"
    assert refused.value.details["failed"] == ["min_age", "genders", "membership_type_ids",
                                               "skills"]
    assert refused.value.details["missing_skills"] == ["Diving"]
    assert refused.value.details["on_date"] == "2026-03-10"


# -- windows (R2.2, R2.3) ---------------------------------------------------------------------------

def test_a_la_carte_opens_n_minutes_before_and_closes_m_minutes_before():
    offering = a_la_carte()
    opens, closes = START - timedelta(days=7), START - timedelta(minutes=60)
    with pytest.raises(RegistrationClosed) as early:
        rules.check_open(offering, opens - timedelta(seconds=1))
    assert early.value.details["reason"] == "not_open_yet"
    rules.check_open(offering, opens)
    rules.check_open(offering, closes - timedelta(seconds=1))
    with pytest.raises(RegistrationClosed) as late:
        rules.check_open(offering, closes)
    assert late.value.details["reason"] == "closed"
    assert late.value.details["closes_at"] == closes.isoformat()


def test_a_la_carte_without_an_opening_is_open_until_the_closing():
    offering = a_la_carte(activity(a_la_carte={"opens_minutes_before": None,
                                               "closes_minutes_before": 0}))
    rules.check_open(offering, START - timedelta(days=365))
    rules.check_open(offering, START - timedelta(seconds=1))
    with pytest.raises(RegistrationClosed):
        rules.check_open(offering, START)


def test_session_window_from_opens_at_to_closes_at():
    offering = session()
    opens = datetime(2026, 2, 1, tzinfo=EST)
    closes = datetime(2026, 3, 3, tzinfo=EST)
    with pytest.raises(RegistrationClosed):
        rules.check_open(offering, opens - timedelta(seconds=1))
    rules.check_open(offering, opens)
    with pytest.raises(RegistrationClosed):
        rules.check_open(offering, closes)


def test_a_session_without_closing_time_closes_when_it_is_over():
    offering = session(activity(session={"opens_at": None, "closes_at": None}))
    last_end = datetime(2026, 4, 28, 10, 0, tzinfo=timezone(timedelta(hours=-4)))
    rules.check_open(offering, last_end - timedelta(seconds=1))
    with pytest.raises(RegistrationClosed):
        rules.check_open(offering, last_end)


@pytest.mark.parametrize("make, reason", [
    (lambda: session(activity(session={"enabled": False})), "session_not_offered"),
    (lambda: a_la_carte(activity(a_la_carte={"enabled": False})), "a_la_carte_not_offered"),
    (lambda: a_la_carte(occ=occurrence(status="cancelled")), "occurrence_cancelled"),
    (lambda: a_la_carte(occ=occurrence(a_la_carte={"enabled": False})),
     "a_la_carte_not_offered"),
])
def test_an_offer_that_is_off_is_closed_with_its_reason(make, reason):
    with pytest.raises(RegistrationClosed) as refused:
        rules.check_open(make(), START - timedelta(days=1))
    assert refused.value.details["reason"] == reason


# -- pools, price and description ----------------------------------------------------------------

def test_session_and_a_la_carte_are_separate_pools():
    assert session().pool_key == "session:act_1"
    assert a_la_carte().pool_key == "a_la_carte:occ_1"
    assert session().capacity == 10 and a_la_carte().capacity == 15


def test_the_occurrence_may_override_the_a_la_carte_price_and_capacity():
    offering = a_la_carte(occ=occurrence(a_la_carte={"enabled": True, "price": 900,
                                                     "capacity": 20}))
    assert (offering.price, offering.capacity) == (900, 20)
    inherited = a_la_carte(occ=occurrence(a_la_carte={}))
    assert (inherited.price, inherited.capacity) == (1500, 15)


def test_description_shows_the_local_start():
    assert a_la_carte().description == "Aquafit (2026-03-10 09:00)"
    assert session().description == "Aquafit (session)"


# -- payment ------------------------------------------------------------------------------------

def test_pass_only_a_la_carte_refuses_money():
    offering = a_la_carte(activity(a_la_carte={"pass_only": True}))
    with pytest.raises(PassRequired):
        rules.check_payment(offering, None)
    with pytest.raises(PassRequired):
        rules.check_payment(offering, {"type": "money"})
    assert rules.check_payment(session(activity(a_la_carte={"pass_only": True})), None) == \
        "money"


def test_a_pass_pays_for_a_la_carte_only_and_must_be_named():
    assert rules.check_payment(a_la_carte(), {"type": "pass", "pass_id": "pas_1"}) == "pass"
    # pass holders only: a pass is what they need (R2.3)
    assert rules.check_payment(a_la_carte(activity(a_la_carte={"pass_only": True})),
                               {"type": "pass", "pass_id": "pas_1"}) == "pass"
    with pytest.raises(PassPaymentUnavailable) as refused:
        rules.check_payment(a_la_carte(), {"type": "pass", "pass_id": None})
    assert refused.value.code == "validation_error"
    with pytest.raises(PassPaymentUnavailable):
        rules.check_payment(session(), {"type": "pass", "pass_id": "pas_1"})


def test_which_ends_give_a_pass_use_back():
    paid = {"paid_with": {"type": "pass", "id": "pas_1"}}
    assert rules.pass_credit("registration_released", paid)["force"] is True
    assert rules.pass_credit("registration_expired", paid)["force"] is True
    assert rules.pass_credit("registration_cancelled",
                             dict(paid, cancelled_by="client"))["force"] is False
    assert rules.pass_credit("registration_cancelled",
                             dict(paid, cancelled_by="staff"))["force"] is True
    assert rules.pass_credit("registration_cancelled",
                             dict(paid, cancelled_by="staff", restore_pass_use=False)) is None
    assert rules.pass_credit("registration_cancelled",
                             dict(paid, cancelled_by="invoice_void"))["force"] is True
    assert rules.pass_credit("registration_released",
                             {"paid_with": {"type": "money", "id": "inv_1"}}) is None


# -- holds (R3.1) ----------------------------------------------------------------------------------

def test_a_hold_lapses_at_its_expiry():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    expires = rules.hold_expires_at(now, 900)
    assert expires == now + timedelta(minutes=15)
    assert not rules.is_lapsed("held", expires, expires - timedelta(seconds=1))
    assert rules.is_lapsed("held", expires, expires)
    assert rules.is_live("held", expires, expires - timedelta(seconds=1))
    assert not rules.is_live("held", expires, expires)
    assert rules.is_live("confirmed", expires, expires + timedelta(days=1))
    assert not rules.is_lapsed("confirmed", expires, expires + timedelta(days=1))


# -- cancellation (R3.5, R3.6) ---------------------------------------------------------------------

ALLOWED = rules.CancellationPolicy(allowed=True, deadline_minutes_before=120)


def cancel(kind="a_la_carte", status="confirmed", by_staff=False, now=None, policy=ALLOWED):
    rules.check_cancellable(kind=kind, status=status, by_staff=by_staff,
                            now=now or START - timedelta(days=1), starts_at=START,
                            policy=policy)


def test_a_client_cancels_a_la_carte_before_the_deadline():
    cancel(now=START - timedelta(minutes=121))
    with pytest.raises(CancellationDeadlinePassed) as late:
        cancel(now=START - timedelta(minutes=120))
    assert late.value.details["deadline"] == (START - timedelta(minutes=120)).isoformat()


def test_with_a_zero_deadline_a_client_cancels_until_the_start():
    policy = rules.CancellationPolicy(allowed=True, deadline_minutes_before=0)
    cancel(now=START - timedelta(seconds=1), policy=policy)
    with pytest.raises(CancellationDeadlinePassed):
        cancel(now=START, policy=policy)


def test_a_client_cannot_cancel_where_the_activity_does_not_allow_it():
    with pytest.raises(CancellationNotAllowed):
        cancel(policy=rules.CancellationPolicy(allowed=False, deadline_minutes_before=0))


def test_a_client_cannot_cancel_a_session_registration():
    with pytest.raises(CancellationNotAllowed):
        cancel(kind="session")


def test_staff_cancel_regardless_of_policy_and_deadline():
    cancel(by_staff=True, now=START + timedelta(hours=1),
           policy=rules.CancellationPolicy(allowed=False, deadline_minutes_before=0))
    cancel(kind="session", by_staff=True)


@pytest.mark.parametrize("status", ["held", "released", "expired"])
def test_only_a_confirmed_registration_is_cancelled(status):
    with pytest.raises(RegistrationNotConfirmed):
        cancel(status=status, by_staff=True)


def test_money_paid_goes_to_credit_unless_the_invoice_is_voided():
    assert rules.refund_to_credit(1500, "money", rules.BY_CLIENT) == 1500
    assert rules.refund_to_credit(1500, "money", rules.BY_STAFF) == 1500
    assert rules.refund_to_credit(1500, "money", rules.BY_INVOICE_VOID) == 0
    assert rules.refund_to_credit(1500, "pass", rules.BY_CLIENT) == 0


def test_a_seat_paid_with_a_subscription_outlives_it_from_its_end_on():
    end = datetime(2027, 7, 10, 4, tzinfo=timezone.utc)
    assert rules.outlives_subscription(rules.SUBSCRIPTION, end, end)
    assert rules.outlives_subscription(rules.SUBSCRIPTION, end + timedelta(days=5), end)
    assert not rules.outlives_subscription(rules.SUBSCRIPTION, end - timedelta(minutes=1), end)
    assert not rules.outlives_subscription(rules.MONEY, end + timedelta(days=5), end)
    assert not rules.outlives_subscription(rules.PASS, end + timedelta(days=5), end)
