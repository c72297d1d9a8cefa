"""Billing: how a checkout may be paid (R6.2), and the sandbox provider's card tokens."""
import pytest

from services.billing.adapters.sandbox_provider import decide
from services.billing.domain.payment import PaymentPlan, plan_payment
from services.billing.contract.errors import InvalidBillingInput


@pytest.mark.parametrize("method", ["cash", "account_credit"])
def test_cash_and_credit_pay_the_total(method):
    plan = plan_payment(2500, method)
    assert plan == PaymentPlan(method, 2500, None)
    assert not plan.charges_card
    assert plan.debits_credit == (method == "account_credit")


def test_card_needs_a_token_and_charges_the_total():
    plan = plan_payment(2500, "card", "tok_ok")
    assert plan.charges_card and plan.amount == 2500 and plan.card_token == "tok_ok"
    with pytest.raises(InvalidBillingInput) as refused:
        plan_payment(2500, "card")
    assert refused.value.details == {"payment": {"card_token": ["is required to pay by card"]}}


def test_none_is_only_for_a_zero_total():
    with pytest.raises(InvalidBillingInput) as refused:
        plan_payment(100, "none")
    assert "method" in refused.value.details["payment"]
    assert plan_payment(0, "none") == PaymentPlan("none", 0, None)


@pytest.mark.parametrize("method,token", [("cash", None), ("card", "tok_decline"),
                                          ("account_credit", None), ("none", None)])
def test_any_method_is_accepted_for_a_zero_total_and_nothing_is_charged(method, token):
    plan = plan_payment(0, method, token)
    assert plan.amount == 0 and not plan.charges_card and not plan.debits_credit


def test_a_card_token_with_another_method_is_refused():
    with pytest.raises(InvalidBillingInput) as refused:
        plan_payment(100, "cash", "tok_ok")
    assert "card_token" in refused.value.details["payment"]


def test_unknown_method_is_refused():
    with pytest.raises(InvalidBillingInput):
        plan_payment(100, "cheque")


def test_sandbox_tokens():
    assert decide("tok_ok", off_session=False) is None
    assert decide("tok_ok", off_session=True) is None
    assert decide("tok_decline", off_session=False) == "card_declined"
    assert decide("tok_decline_renewals", off_session=False) is None
    assert decide("tok_decline_renewals", off_session=True) == "card_declined"
    assert decide("tok_typo", off_session=False) == "invalid_token"
