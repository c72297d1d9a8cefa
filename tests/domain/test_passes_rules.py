"""Pass rules without a broker or a database (R2.8, R2.9, R3.4-R3.6, R4.1, R6.5)."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.passes.domain import passes as rules
from services.common import timeutil
from services.passes.domain import validity
from services.passes.contract.errors import (PassExhausted, PassExpired, PassNotEligible,
                                        PassRevoked)

MTL = ZoneInfo("America/Montreal")
UTC = timezone.utc
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def state(**overrides):
    values = dict(id="pas_1", account_id="acc_1", member_id="mem_1", family=False,
                  uses_total=10, balance=10, expires_at=NOW + timedelta(days=30),
                  revoked=False, eligible_activity_ids=("act_yoga",), credit_on_cancel=True)
    values.update(overrides)
    return rules.PassState(**values)


# -- terms (R2.8, R2.9) ---------------------------------------------------------------------------
def test_a_sale_keeps_a_copy_of_the_terms_and_nothing_else():
    pass_type = {"id": "pst_1", "org_id": "org_1", "terms_version": 3, "name": "10 yoga",
                 "price": 9000, "uses": 10, "valid_days": 90, "expires_on": None,
                 "family": None, "eligible_activity_ids": ["act_1"], "credit_on_cancel": 1,
                 "accounting_code": "4100", "terms_created_at": "2026-01-01T00:00:00-05:00"}
    terms = rules.copy_terms(pass_type)
    assert terms == {"name": "10 yoga", "price": 9000, "uses": 10, "valid_days": 90,
                     "expires_on": None, "family": False, "eligible_activity_ids": ["act_1"],
                     "credit_on_cancel": True, "accounting_code": "4100"}
    pass_type["eligible_activity_ids"].append("act_2")  # a later edit of the catalog's copy
    assert terms["eligible_activity_ids"] == ["act_1"]


def test_valid_days_count_whole_org_local_days_after_the_purchase_day():
    # Bought on 1 March at 23:30 in Montreal (04:30 UTC on the 2nd): valid through 31 March.
    bought = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    expires = rules.expiry_from_terms({"valid_days": 30}, bought, MTL)
    assert expires.astimezone(MTL) == datetime(2026, 4, 1, 0, 0, tzinfo=MTL)
    assert validity.last_valid_day(expires, MTL) == date(2026, 3, 31)


def test_a_fixed_expiry_date_is_valid_through_that_local_day_across_dst():
    # 8 March 2026 is the spring-forward day in Montreal: midnight after it is at -04:00.
    expires = rules.expiry_from_terms({"expires_on": "2026-03-08"}, NOW, MTL)
    assert expires == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    assert expires.astimezone(MTL).hour == 0


def test_terms_without_validity_never_expire():
    assert rules.expiry_from_terms({"valid_days": None, "expires_on": None}, NOW, MTL) is None
    assert rules.status(state(expires_at=None), NOW + timedelta(days=9999)) == rules.ACTIVE


def test_status_is_revoked_then_expired_then_active():
    assert rules.status(state(), NOW) == rules.ACTIVE
    assert rules.status(state(expires_at=NOW), NOW) == rules.EXPIRED
    assert rules.status(state(revoked=True, expires_at=NOW), NOW) == rules.REVOKED


# -- who may use a pass (R3.4) -------------------------------------------------------------------
def test_an_individual_pass_is_used_by_its_member_only():
    rules.check_holder(state(), "mem_1", None)
    with pytest.raises(PassNotEligible) as refused:
        rules.check_holder(state(), "mem_2", "acc_1")  # same account, other member
    assert refused.value.details["reason"] == "holder"
    assert not rules.needs_member_account(state(), "mem_1")
    assert rules.needs_member_account(state(), "mem_2")


def test_a_family_pass_is_used_by_any_member_of_its_account():
    family = state(family=True, member_id=None)
    assert rules.needs_member_account(family, "mem_9")
    rules.check_holder(family, "mem_9", "acc_1")
    with pytest.raises(PassNotEligible):
        rules.check_holder(family, "mem_x", "acc_2")
    with pytest.raises(PassNotEligible):  # account unknown: refused, never assumed
        rules.check_holder(family, "mem_9", None)


def test_an_individual_pass_without_a_member_binds_to_its_first_user_of_the_account():
    unbound = state(member_id=None)
    assert rules.binds_member(unbound)
    assert not rules.binds_member(state())
    assert not rules.binds_member(state(family=True, member_id=None))
    rules.check_holder(unbound, "mem_5", "acc_1")
    with pytest.raises(PassNotEligible):
        rules.check_holder(unbound, "mem_5", "acc_2")


# -- a debit (R3.4) ----------------------------------------------------------------------------
def test_a_debit_checks_activity_then_expiry_then_uses():
    rules.check_debit(state(), "mem_1", None, "act_yoga", NOW)
    with pytest.raises(PassNotEligible) as refused:
        rules.check_debit(state(), "mem_1", None, "act_swim", NOW)
    assert refused.value.details["reason"] == "activity"
    with pytest.raises(PassExpired):
        rules.check_debit(state(expires_at=NOW), "mem_1", None, "act_yoga", NOW)
    with pytest.raises(PassExhausted) as refused:
        rules.check_debit(state(balance=0), "mem_1", None, "act_yoga", NOW)
    assert refused.value.details["uses_left"] == 0
    # Several failures: the first in that order is what the client is told.
    with pytest.raises(PassNotEligible):
        rules.check_debit(state(balance=0, expires_at=NOW), "mem_1", None, "act_swim", NOW)
    with pytest.raises(PassExpired):
        rules.check_debit(state(balance=0, expires_at=NOW), "mem_1", None, "act_yoga", NOW)


def test_expiry_is_judged_at_the_start_of_the_occurrence_booked():
    expires = NOW + timedelta(days=1)
    rules.check_debit(state(expires_at=expires), "mem_1", None, "act_yoga",
                      expires - timedelta(minutes=1))
    with pytest.raises(PassExpired):  # booked today, for a class after the expiry
        rules.check_debit(state(expires_at=expires), "mem_1", None, "act_yoga", expires)


def test_a_revoked_pass_cannot_be_used_even_with_uses_left():
    with pytest.raises(PassRevoked):
        rules.check_debit(state(revoked=True), "mem_1", None, "act_yoga", NOW)


def test_no_activity_is_eligible_when_the_terms_list_none():
    with pytest.raises(PassNotEligible):
        rules.check_debit(state(eligible_activity_ids=()), "mem_1", None, "act_yoga", NOW)


def test_an_unlimited_pass_never_runs_out():
    unlimited = state(uses_total=None, balance=-500)
    rules.check_debit(unlimited, "mem_1", None, "act_yoga", NOW)
    assert unlimited.uses_left is None
    assert rules.sale_delta(None) == 0


def test_credit_follows_the_terms_unless_staff_force_it():
    assert rules.credit_allowed(True, False)
    assert not rules.credit_allowed(False, False)
    assert rules.credit_allowed(False, True)


# -- the ledger (R4.1, R6.5) ------------------------------------------------------------------
def test_the_balance_is_the_sum_of_the_ledger():
    entries = [(rules.SALE, 5), (rules.DEBIT, -1), (rules.DEBIT, -1), (rules.CREDIT, 1),
               (rules.ADJUSTMENT, 0)]
    assert rules.balance(d for _, d in entries) == 4
    assert rules.uses_made(entries) == 1
    assert not rules.revocable(entries)


def test_a_pass_whose_uses_all_came_back_counts_as_unused():
    entries = [(rules.GRANT, 5), (rules.DEBIT, -1), (rules.CREDIT, 1)]
    assert rules.uses_made(entries) == 0
    assert rules.revocable(entries)


# -- expiry as staff type it (R4.3) ---------------------------------------------------------
def test_a_new_expiry_is_a_day_or_an_instant_in_the_org_timezone():
    assert timeutil.parse_instant_or_day("2026-06-30", MTL) == datetime(2026, 7, 1, 4, 0,
                                                                          tzinfo=UTC)
    assert timeutil.parse_instant_or_day("2026-06-30T12:00:00", MTL) == datetime(
        2026, 6, 30, 16, 0, tzinfo=UTC)
    assert timeutil.parse_instant_or_day("2026-06-30T12:00:00Z", MTL) == datetime(
        2026, 6, 30, 12, 0, tzinfo=UTC)
    for bad in ("tomorrow", "2026-13-01", 12):
        with pytest.raises(ValueError):
            timeutil.parse_instant_or_day(bad, MTL)
