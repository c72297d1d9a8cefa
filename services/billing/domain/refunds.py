"""Refunds (R6.5): money of an invoice given back, to the original payment or to the
account's credit.

- A refund names an invoice and an amount (minor units, > 0) and where the money goes:
  ``original`` (back through the payment it came from: a card charge is refunded through
  the payment-provider port, cash is recorded as cash handed back, account credit goes
  back to the credit) or ``account_credit`` (a credit ledger entry, whatever the invoice
  was paid with).
- Never more than was paid: the refunds of an invoice (pending or completed) never add up
  to more than its payments (``refund_exceeds_paid``). Partial refunds are allowed until
  then. A voided invoice can be refunded: the void moves no money (domain/invoice.py).
- The limit is checked with the invoice's row locked, in the transaction that inserts the
  refund, so concurrent refunds cannot both pass it (adapters/refunds.py).
- A card refund is written ``pending`` with the provider's idempotency key first, the
  provider is called outside any transaction, then the refund is ``completed``; a provider
  that did not answer leaves it pending, and a retry (the same request, or the recovery
  timer) asks again with the same key, so money moves once. A provider that refuses marks
  it ``failed``, which frees its amount.
"""
from dataclasses import dataclass

from ..contract.errors import RefundExceedsPaid

ORIGINAL = "original"
ACCOUNT_CREDIT = "account_credit"
TARGETS = (ORIGINAL, ACCOUNT_CREDIT)

PENDING = "pending"
COMPLETED = "completed"
FAILED = "failed"
HOLDING = (PENDING, COMPLETED)  # the states that count against what was paid

CREDIT_REASON = "refund"  # credit ledger reason; ref: the refund id

CARD = "card"
CASH = "cash"


@dataclass(frozen=True)
class PaymentView:
    """What a refund needs to know of a payment of the invoice."""
    id: str
    method: str
    amount: int
    charge_id: str = None


@dataclass(frozen=True)
class RefundPlan:
    payment_id: str
    method: str        # how the money goes back: card | cash | account_credit
    charge_id: str     # the card charge to refund (card only)
    amount: int

    @property
    def through_provider(self) -> bool:
        return self.method == CARD

    @property
    def credits_account(self) -> bool:
        return self.method == ACCOUNT_CREDIT


def refundable(payments, refunded_by_payment) -> int:
    """What is left to refund on an invoice: paid minus already refunded (pending or
    completed refunds)."""
    paid = sum(p.amount for p in payments)
    refunded = sum(refunded_by_payment.values())
    return max(0, paid - refunded)


def plan_refund(amount: int, to: str, payments, refunded_by_payment) -> RefundPlan:
    """The refund of ``amount`` to ``to`` given the invoice's payments and what each has
    already had refunded, or ``refund_exceeds_paid``.

    The money is taken from the payment with the most left (the first one on a tie), so a
    refund to the original payment never asks a card charge for more than it has left.
    Today an invoice has one payment at most; the rule holds for several."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValueError("a refund is a positive integer amount in minor units")
    if to not in TARGETS:
        raise ValueError(f"a refund goes to one of {TARGETS}")
    payments = list(payments)
    left = refundable(payments, refunded_by_payment)
    best = None
    for payment in payments:
        remaining = payment.amount - refunded_by_payment.get(payment.id, 0)
        if best is None or remaining > best[1]:
            best = (payment, remaining)
    if best is None or amount > left or amount > best[1]:
        paid = sum(p.amount for p in payments)
        raise RefundExceedsPaid(
            "a refund cannot exceed what was paid on the invoice minus what was already "
            "refunded", {"amount": amount, "paid": paid, "refunded": paid - left,
                         "refundable": min(left, best[1]) if best else 0})
    payment = best[0]
    if to == ACCOUNT_CREDIT:
        return RefundPlan(payment.id, ACCOUNT_CREDIT, None, amount)
    if payment.method == CARD:
        return RefundPlan(payment.id, CARD, payment.charge_id, amount)
    if payment.method == ACCOUNT_CREDIT:
        return RefundPlan(payment.id, ACCOUNT_CREDIT, None, amount)
    return RefundPlan(payment.id, CASH, None, amount)


def provider_key(refund_id: str) -> str:
    """The payment provider's idempotency key of a refund: one per refund, so asking
    again (a retry, the recovery timer, two processes) never refunds twice."""
    return f"refund:{refund_id}"
