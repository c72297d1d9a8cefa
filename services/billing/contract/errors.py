"""Billing's typed errors (registered so they cross RPC as themselves).

Imported by the gateway and by billing's domain: keep this module free of database and
broker imports. The ``code`` of each business-rule error is the API's error code.
"""
from services.common.errors import (BusinessRuleViolation, Forbidden, InvalidInput, NotFound,
                                    PaymentDeclined, ServiceUnavailable, remote_error)


@remote_error
class CartNotFound(NotFound):
    code = "not_found"


@remote_error
class CartItemNotFound(NotFound):
    code = "not_found"


@remote_error
class InvoiceNotFound(NotFound):
    code = "not_found"


@remote_error
class InvalidBillingInput(InvalidInput):
    """400 ``validation_error`` from billing's rules (details: field -> messages)."""
    code = "validation_error"


@remote_error
class ItemTypeNotAvailable(InvalidInput):
    """A cart item type of the API that this version does not sell yet (pass, bundle,
    membership, subscription come in later issues)."""
    code = "validation_error"


@remote_error
class CartNotOpen(BusinessRuleViolation):
    """The cart is being checked out or was checked out (details: status, invoice_id)."""
    code = "cart_not_open"


@remote_error
class CartEmpty(BusinessRuleViolation):
    code = "cart_empty"


@remote_error
class InsufficientCredit(BusinessRuleViolation):
    """The account's credit does not cover the total (details: balance, amount)."""
    code = "insufficient_credit"


@remote_error
class CheckoutHoldExpired(BusinessRuleViolation):
    """A hold of the cart lapsed and its seat could not be taken again: nothing was
    charged (a charge already made was refunded); remove the item and add it again."""
    code = "hold_expired"


@remote_error
class CheckoutRefused(BusinessRuleViolation):
    """Registration refused to confirm the cart's seats for another reason (the code of
    that refusal is kept); nothing was charged."""
    code = "checkout_refused"

    def __init__(self, message=None, details=None, code=None):
        super().__init__(message, details)
        if code:
            self.code = code
            self.args = (self.message, self.args[1], code)


@remote_error
class CardPaymentDeclined(PaymentDeclined):
    """402: the card was declined; the holds stay until they expire so the client can
    retry with another card (R6.2)."""
    code = "payment_declined"


@remote_error
class CheckoutPending(ServiceUnavailable):
    """503: the checkout started but a service behind it did not answer; it is completed
    (or undone) by billing's recovery. Retry with the same Idempotency-Key to get its
    outcome."""
    code = "service_unavailable"


@remote_error
class BundleClientRequired(BusinessRuleViolation):
    """R4.4: a bundle is sold to a named client only (no walk-in sale)."""
    code = "client_required"


@remote_error
class AppointmentNotPayable(BusinessRuleViolation):
    """The appointment cannot be checked out (cancelled, no-show, or completed by another
    invoice); details say its status."""
    code = "appointment_not_booked"


@remote_error
class CartPassNotEligible(BusinessRuleViolation):
    """R3.10: the pass item named by ``pay_with.cart_item_id`` cannot be used for this
    activity (the pass type's eligible activities); nothing is held."""
    code = "pass_not_eligible"


@remote_error
class NotYourCart(Forbidden):
    """R1.2: a customer acts on the carts of their own account only."""
    code = "forbidden"


@remote_error
class TestClocksDisabled(Forbidden):
    """Test clocks exist in development and tests only (``CARNET_TEST_CLOCKS=1``)."""
    __test__ = False
    code = "test_clocks_disabled"


@remote_error
class SubscriptionNotFound(NotFound):
    code = "not_found"


@remote_error
class SubscriptionNeedsCard(InvalidInput):
    """A cart with a subscription is paid by card: its card is charged every month."""
    code = "validation_error"


# -- refunds (R6.5) ------------------------------------------------------------------------------
@remote_error
class RefundExceedsPaid(BusinessRuleViolation):
    """409: the refunds of an invoice would add up to more than its payments (details:
    amount, paid, refunded, refundable)."""
    code = "refund_exceeds_paid"


@remote_error
class RefundRefused(BusinessRuleViolation):
    """409: the payment provider refused to refund the charge; nothing was refunded and
    the amount is refundable again (details: refund_id)."""
    code = "refund_refused"


@remote_error
class RefundPending(ServiceUnavailable):
    """503: the refund is recorded but the payment provider did not answer; it is finished
    by billing's recovery timer, and a retry with the same Idempotency-Key returns it."""
    code = "service_unavailable"


@remote_error
class PaymentMethodNotAllowed(BusinessRuleViolation):
    """R6.7: cash (and any method that trusts the person entering it) is taken by staff and
    admins only; a customer pays by card, with their own account credit, or with their own
    passes, bundles and subscriptions (details: method, role, allowed)."""
    code = "payment_method_not_allowed"


# -- billing runs (R6.8) -------------------------------------------------------------------------
@remote_error
class BillingRunInFuture(BusinessRuleViolation):
    """409: ``as_of`` is after the real now (or after the org's test clock where test
    clocks are on): a run never bills a period that has not started (R6.8). Details:
    ``as_of``, ``now`` (the latest instant a run may bill up to)."""
    code = "billing_run_in_future"


# -- refusals billing passes on, in its own words (the peer's code, message and details kept):
# a seat refused by registration (R3.3) or a pass refused by passes (R3.4) while a cart is
# filled or checked out. Billing's peers translate them (adapters/peers.py).
@remote_error
class SeatSoldOut(BusinessRuleViolation):
    code = "sold_out"


@remote_error
class SeatRegistrationClosed(BusinessRuleViolation):
    code = "registration_closed"


@remote_error
class MemberNotEligible(BusinessRuleViolation):
    code = "not_eligible"


@remote_error
class SeatPassRequired(BusinessRuleViolation):
    code = "pass_required"


@remote_error
class MemberAlreadyRegistered(BusinessRuleViolation):
    code = "already_registered"


@remote_error
class SeatNotHeld(BusinessRuleViolation):
    code = "registration_not_held"


@remote_error
class PassExpired(BusinessRuleViolation):
    code = "pass_expired"


@remote_error
class PassExhausted(BusinessRuleViolation):
    code = "pass_exhausted"


@remote_error
class PassRevoked(BusinessRuleViolation):
    code = "pass_revoked"


@remote_error
class BundleExhausted(BusinessRuleViolation):
    code = "bundle_exhausted"


@remote_error
class BundleNotApplicable(BusinessRuleViolation):
    code = "bundle_not_applicable"


@remote_error
class BundleChoiceRequired(BusinessRuleViolation):
    code = "bundle_choice_required"
