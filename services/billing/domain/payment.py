"""How a checkout is paid (R6.2) and the payment-provider port.

Methods: ``cash`` (taken at the desk: nothing external to do), ``card`` (charged through
a :class:`PaymentProvider`), ``account_credit`` (debited from the account's credit ledger
in billing's own database), ``none`` (only for a total of 0). Any method is accepted when
the total is 0; nothing is then charged or debited.
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..contract.errors import InvalidBillingInput, PaymentMethodNotAllowed

from ..contract.vocabulary import ACCOUNT_CREDIT, CARD, CASH, METHODS, NONE  # noqa: F401

# R6.7: who may pay how. A customer's own passes, bundles and subscriptions pay items (their
# lines are 0), so what is left is paid by card, with the account's own credit, or with
# ``none`` when nothing is left (``plan_payment`` refuses ``none`` for a total above 0).
# Cash, and any future method that trusts the person entering it, is for the counter.
CUSTOMER = "customer"
CUSTOMER_METHODS = (CARD, ACCOUNT_CREDIT, NONE)
COUNTER_ROLES = ("admin", "staff")


@dataclass(frozen=True)
class PaymentPlan:
    method: str
    amount: int
    card_token: str = None

    @property
    def charges_card(self):
        return self.method == CARD and self.amount > 0

    @property
    def debits_credit(self):
        return self.method == ACCOUNT_CREDIT and self.amount > 0


def plan_payment(total: int, method: str, card_token: str = None) -> PaymentPlan:
    """The payment a checkout will make, or ``validation_error`` naming the field."""
    if method not in METHODS:
        raise InvalidBillingInput("the request is not valid",
                                  {"payment": {"method": [f"must be one of {', '.join(METHODS)}"]}})
    if total < 0:  # pragma: no cover - prices are never negative
        raise ValueError("a cart total is never negative")
    if card_token and method != CARD:
        raise InvalidBillingInput("the request is not valid",
                                  {"payment": {"card_token": ["only for a card payment"]}})
    if total == 0:
        return PaymentPlan(method, 0, None)
    if method == NONE:
        raise InvalidBillingInput(
            "the request is not valid",
            {"payment": {"method": ["'none' is accepted only when the total is 0"]}})
    if method == CARD and not card_token:
        raise InvalidBillingInput("the request is not valid",
                                  {"payment": {"card_token": ["is required to pay by card"]}})
    return PaymentPlan(method, total, card_token if method == CARD else None)


def ensure_method_allowed(role, method: str, total: int) -> None:
    """R6.7 (``payment_method_not_allowed``), the one place it is written. ``role`` is the
    API caller's (admin, staff, customer); ``None`` is a trusted internal caller (a script
    or test over RPC, never the gateway, which always passes the role). Any other role
    (unknown) is treated as a customer. When the total is 0 nothing is paid and any method
    is accepted (docs/http-api.md, R6.2): the customer's passes, bundles or subscriptions paid it."""
    if role is None or role in COUNTER_ROLES or total == 0:
        return
    if method not in CUSTOMER_METHODS:
        raise PaymentMethodNotAllowed(
            f"'{method}' is taken by staff at the counter; pay by card or with the "
            "account's credit", {"method": method, "role": role,
                                 "allowed": list(CUSTOMER_METHODS)})


# -- the provider port ------------------------------------------------------------------------
@dataclass(frozen=True)
class Charge:
    id: str
    amount: int
    currency: str


class CardDeclined(Exception):
    """The provider refused the charge; ``code`` says why (``card_declined`` …)."""

    def __init__(self, code="card_declined", message="the card was declined"):
        super().__init__(message)
        self.code = code
        self.message = message


class ProviderUnavailable(Exception):
    """The provider did not answer: the outcome is unknown; ask again with the same
    idempotency key."""


class PaymentProvider(ABC):
    """A card payment provider. Both calls are idempotent on ``idempotency_key``: asked
    again with the same key, the provider answers what it answered the first time
    (the same charge, or the same decline) and moves no money again."""

    @abstractmethod
    def charge(self, *, amount: int, currency: str, card_token: str, idempotency_key: str,
               description: str = "", off_session: bool = False) -> Charge:
        """Charge a card. ``off_session``: a charge the client is not present for (a
        subscription renewal). Raises :class:`CardDeclined` or :class:`ProviderUnavailable`."""

    @abstractmethod
    def refund(self, *, charge_id: str, amount: int, idempotency_key: str) -> str:
        """Give back (part of) a charge; returns the refund's id."""
