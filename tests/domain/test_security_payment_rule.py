"""R6.7 as a plain rule (billing/domain/payment.py): who may pay how."""
import pytest

from services.billing.domain.payment import METHODS, ensure_method_allowed
from services.billing.contract.errors import PaymentMethodNotAllowed


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ["admin", "staff", None])
def test_the_counter_and_internal_callers_take_every_method(role, method):
    ensure_method_allowed(role, method, 1500)


@pytest.mark.parametrize("role", ["customer", "someone-new"])
def test_a_customer_pays_by_card_or_credit_never_cash(role):
    for method in ("card", "account_credit", "none"):  # none>0 is plan_payment's 400
        ensure_method_allowed(role, method, 1500)
    with pytest.raises(PaymentMethodNotAllowed) as refused:
        ensure_method_allowed(role, "cash", 1500)
    assert refused.value.code == "payment_method_not_allowed"
    assert refused.value.details["allowed"] == ["card", "account_credit", "none"]


def test_nothing_to_pay_means_nothing_is_trusted():
    for method in METHODS:
        ensure_method_allowed("customer", method, 0)
