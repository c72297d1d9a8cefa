"""The checkout saga (R6.1, R6.2): a cart becomes one invoice, paid, with its seats
confirmed, or nothing happens at all.

Billing coordinates three systems that do not share a transaction: the payment provider,
registration (the seats) and billing's own database (invoice, number, payment, cart). The
checkout record says how far it got; it is written *before* each external step, and each
step is idempotent, so whoever drives the record next (the request that created it, a
retry with the same Idempotency-Key, or the recovery timer after a crash) can repeat the
last step safely::

    pending ──charge──▶ charged ──confirm seats──▶ completed   (invoice written with the
       │                   │                                   number, payment, cart
       ▼ declined          ▼ refused (hold_expired …)          checked out: one transaction)
    declined          compensating ──refund, cancel──▶ failed

- ``pending``: recorded, the card is to be charged (provider key: the checkout id).
  Cash, credit and zero totals start at ``charged`` (the credit debit is written in the
  transaction that records the checkout). The move to ``charged`` (with the charge id) is
  written with the saga's next write (the lease renewed, the completion, the compensation
  or a postponement), not in a transaction of its own: a driver that dies in between
  leaves the record ``pending``, and whoever resumes it charges again with the same key,
  which the provider answers with the same charge (no second debit of the card).
- ``charged``: paid; what the cart sells is to be delivered, in this order, each step
  idempotent for the invoice: passes, bundles and memberships sold (``passes.sell_*``
  keyed on invoice and cart item, R6.3), holds paid with a pass of the cart given that
  pass (``registration.attach_pass_to_hold``, R3.10), the seats confirmed
  (``registration.confirm`` with the invoice id chosen at the start), an appointment
  completed (``registration.complete_appointment``, R4.7). The invoice is written only
  after all of them; recovery from ``charged`` repeats them all (replays), so once
  recovered every line has its sale and nothing is sold without its line.
- ``declined``: the card was refused; nothing else happened; the holds stay (R6.2).
- ``compensating``: a later step was refused: the charge is refunded (provider key:
  ``refund:<checkout id>``), anything confirmed for the invoice is cancelled, holds given a
  pass of the cart released, and what was sold on the invoice revoked
  (``passes.revoke_for_invoice``).
- ``failed``: undone; credit debited for it is given back in the same transaction.

A step that cannot be done now (a service does not answer) leaves the state as it is and
hands the record to the recovery timer (``next_attempt_at``). Once seats are being
confirmed, recovery goes forward (confirm again), never back on a guess: a confirm may be
sitting in registration's queue, and confirming again is the only move that cannot leave
a seat confirmed without an invoice.

Only the holder of the record's lease may drive it; the lease is renewed before each
external step and a step never lasts longer than the lease, so two processes never drive
one checkout at once.
"""
from dataclasses import dataclass, field
from typing import Protocol

from .leases import LeaseLost  # noqa: F401 (the store raises it; the saga lets it through)

PENDING = "pending"
CHARGED = "charged"
COMPLETED = "completed"
DECLINED = "declined"
COMPENSATING = "compensating"
FAILED = "failed"
TERMINAL = (COMPLETED, DECLINED, FAILED)
ACTIVE = (PENDING, CHARGED, COMPENSATING)

HOLD_EXPIRED = "hold_expired"

SOLD_TYPES = ("pass", "bundle", "membership")
APPOINTMENT = "appointment"
SALE_LISTS = {"pass": "passes", "bundle": "bundles", "membership": "memberships"}


def initial_state(plan) -> str:
    return PENDING if plan.charges_card else CHARGED


def retry_delay_seconds(attempts: int) -> float:
    """Backoff of the recovery timer for a checkout whose next step could not be done."""
    return float(min(2 ** max(attempts - 1, 0), 10))


def charge_key(checkout_id: str) -> str:
    return f"checkout:{checkout_id}"


def refund_key(checkout_id: str) -> str:
    return f"refund:{checkout_id}"


@dataclass
class CheckoutRecord:
    id: str
    org_id: str
    cart_id: str
    account_id: str
    invoice_id: str
    state: str
    method: str
    amount: int
    currency: str = None
    card_token: str = None
    charge_id: str = None
    items: list = field(default_factory=list)
    registrations: list = None
    error: dict = None
    sales: dict = None
    invoice: dict = None  # the invoice as issued, when this process completed the checkout
    # the state the database still holds when ``state`` was not written yet: a charge is
    # written with the saga's next write (``SqlCheckoutStore.mark_charged``)
    stored_state: str = None

    @property
    def registration_ids(self):
        return [item["registration_id"] for item in self.items if item.get("registration_id")]

    @property
    def sold_items(self):
        """Items sold by the passes service at checkout (R6.3)."""
        return [item for item in self.items if item["type"] in SOLD_TYPES]

    @property
    def holds_paid_with_cart_pass(self):
        """R3.10: (item, the pass item paying it) of holds paid with a pass of this cart."""
        return [item for item in self.items
                if (item.get("pay_with") or {}).get("cart_item_id")
                and item.get("registration_id")]

    @property
    def appointment_items(self):
        return [item for item in self.items if item["type"] == APPOINTMENT]

    @property
    def done(self):
        return self.state in TERMINAL


# -- what the saga needs from the outside --------------------------------------------------------
class StepRefused(Exception):
    """A service refused a step for good (a business rule): ``error`` = {code, message,
    details}. The saga undoes what was done."""

    def __init__(self, error: dict):
        super().__init__(error.get("message", error.get("code")))
        self.error = error


class StepUnavailable(Exception):
    """A service did not answer (timeout, broker, crash): the outcome is unknown; the same
    step is tried again later."""


class Postponed(Exception):
    """The saga stopped at a step it could not do now; recovery resumes it."""

    def __init__(self, checkout, problem):
        super().__init__(problem)
        self.checkout = checkout
        self.problem = problem


class CheckoutStore(Protocol):
    """Billing's records; each method is one transaction, conditional on ``owner`` still
    holding the lease (else :class:`LeaseLost`). A store may write ``mark_charged`` with
    the record's next write instead (the provider's key makes a repeated charge the same
    charge): ``SqlCheckoutStore`` does."""

    def renew(self, checkout, owner) -> CheckoutRecord: ...
    def mark_charged(self, checkout, owner, charge_id) -> CheckoutRecord: ...
    def mark_declined(self, checkout, owner, error) -> CheckoutRecord: ...
    def complete(self, checkout, owner, registrations, sales=None) -> CheckoutRecord: ...
    def start_compensation(self, checkout, owner, error) -> CheckoutRecord: ...
    def mark_failed(self, checkout, owner) -> CheckoutRecord: ...
    def postpone(self, checkout, owner, problem) -> None: ...


class Seats(Protocol):
    """Registration's side of the saga (docs/contracts.md); raise :class:`StepRefused`
    or :class:`StepUnavailable`."""

    def confirm(self, org_id, registration_ids, invoice_id) -> list: ...
    def cancel_for_invoice(self, org_id, invoice_id) -> list: ...


class Sales(Protocol):
    """What the passes service sells and registration completes at checkout
    (docs/contracts.md); raise :class:`StepRefused` or :class:`StepUnavailable`. Every call
    is idempotent for the invoice (and cart item)."""

    def sell(self, org_id, account_id, invoice_id, item) -> dict: ...
    def revoke_for_invoice(self, org_id, invoice_id) -> dict: ...
    def attach_pass_to_hold(self, org_id, registration_id, pass_id) -> dict: ...
    def release(self, org_id, registration_id) -> dict: ...
    def complete_appointment(self, org_id, appointment_id, invoice_id, bundle_id) -> dict: ...


def empty_sales() -> dict:
    return {"passes": [], "bundles": [], "memberships": [], "by_item": {},
            "appointment": None}


class CheckoutSaga:
    def __init__(self, store: CheckoutStore, provider, seats: Seats, sales: Sales = None):
        self.store = store
        self.provider = provider
        self.seats = seats
        self.sales = sales

    def drive(self, checkout: CheckoutRecord, owner: str) -> CheckoutRecord:
        """Run the checkout to a terminal state, or raise :class:`Postponed` (a service
        did not answer) or :class:`LeaseLost`."""
        steps = {PENDING: self._charge, CHARGED: self._confirm, COMPENSATING: self._undo}
        while not checkout.done:
            checkout = steps[checkout.state](checkout, owner)
        return checkout

    def _postpone(self, checkout, owner, problem):
        self.store.postpone(checkout, owner, problem)
        raise Postponed(checkout, problem)

    def _charge(self, checkout, owner):
        from .payment import CardDeclined, ProviderUnavailable
        checkout = self.store.renew(checkout, owner)
        try:
            charge = self.provider.charge(
                amount=checkout.amount, currency=checkout.currency,
                card_token=checkout.card_token, idempotency_key=charge_key(checkout.id),
                description=f"checkout {checkout.id}")
        except CardDeclined as declined:
            return self.store.mark_declined(checkout, owner, {
                "code": "payment_declined", "message": declined.message,
                "details": {"reason": declined.code}})
        except ProviderUnavailable as problem:
            self._postpone(checkout, owner, f"payment provider: {problem}")
        return self.store.mark_charged(checkout, owner, charge.id)

    def _confirm(self, checkout, owner):
        checkout = self.store.renew(checkout, owner)
        registrations, sales = [], empty_sales()
        delivers = self.sales is not None  # else: seats only (the saga's unit tests)
        step = "registration.confirm"
        try:
            # R6.3: sold once paid, keyed on the invoice and the cart item
            for item in checkout.sold_items if delivers else ():
                step = f"passes.sell_{item['type']}"
                checkout = self.store.renew(checkout, owner)
                sold = self.sales.sell(checkout.org_id, checkout.account_id,
                                       checkout.invoice_id, item)
                sales[SALE_LISTS[item["type"]]].append(sold)
                sales["by_item"][item["id"]] = {"type": item["type"], "id": sold["id"]}
            for item in checkout.holds_paid_with_cart_pass if delivers else ():  # R3.10
                step = "registration.attach_pass_to_hold"
                checkout = self.store.renew(checkout, owner)
                paying = sales["by_item"].get(item["pay_with"]["cart_item_id"])
                if paying is None:  # pragma: no cover - refused before the checkout began
                    raise StepRefused({"code": "validation_error",
                                       "message": "the pass paying an item was not sold",
                                       "details": {"item_id": item["id"]}})
                self.sales.attach_pass_to_hold(checkout.org_id, item["registration_id"],
                                               paying["id"])
                item["pay_with"] = dict(item["pay_with"], pass_id=paying["id"])
            if checkout.registration_ids:
                step = "registration.confirm"
                checkout = self.store.renew(checkout, owner)
                registrations = self.seats.confirm(checkout.org_id, checkout.registration_ids,
                                                   checkout.invoice_id)
            for item in checkout.appointment_items if delivers else ():  # R4.7
                step = "registration.complete_appointment"
                checkout = self.store.renew(checkout, owner)
                reference = item.get("reference") or {}
                sales["appointment"] = self.sales.complete_appointment(
                    checkout.org_id, reference["appointment_id"], checkout.invoice_id,
                    reference.get("bundle_id"))
        except StepRefused as refused:
            return self.store.start_compensation(checkout, owner, refused.error)
        except StepUnavailable as problem:
            self._postpone(checkout, owner, f"{step}: {problem}")
        if not delivers:
            return self.store.complete(checkout, owner, registrations)
        return self.store.complete(checkout, owner, registrations, sales)

    def _undo(self, checkout, owner):
        from .payment import ProviderUnavailable
        checkout = self.store.renew(checkout, owner)
        try:
            if checkout.charge_id:
                self.provider.refund(charge_id=checkout.charge_id, amount=checkout.amount,
                                     idempotency_key=refund_key(checkout.id))
            if checkout.registration_ids:
                # Confirm is all or nothing and was refused, so this normally finds nothing;
                # it mops up a confirm that was still queued when the refusal came back.
                try:
                    self.seats.cancel_for_invoice(checkout.org_id, checkout.invoice_id)
                except StepRefused:
                    pass  # nothing to cancel for this invoice: nothing was confirmed
            if self.sales is not None:
                # R3.10: a hold given a pass of this cart gives the seat and the use back
                # (registration credits the use), then what was sold is revoked.
                for item in checkout.holds_paid_with_cart_pass:
                    try:
                        self.sales.release(checkout.org_id, item["registration_id"])
                    except StepRefused:
                        pass  # not a hold any more: nothing to give back
                if checkout.sold_items:
                    self.sales.revoke_for_invoice(checkout.org_id, checkout.invoice_id)
        except (ProviderUnavailable, StepUnavailable) as problem:
            self._postpone(checkout, owner, f"undoing: {problem}")
        except StepRefused:
            pass  # nothing was sold on this invoice
        return self.store.mark_failed(checkout, owner)


def outcome_error(checkout: CheckoutRecord):
    """The error a declined or failed checkout answers (the same on every replay)."""
    from ..contract.errors import CardPaymentDeclined, CheckoutHoldExpired, CheckoutRefused
    error = checkout.error or {}
    code = error.get("code")
    details = dict(error.get("details") or {}, checkout_id=checkout.id)
    if checkout.state == DECLINED:
        return CardPaymentDeclined(error.get("message") or "the card was declined", details)
    if code == HOLD_EXPIRED:
        return CheckoutHoldExpired(
            "a hold of this cart expired and its seat could not be taken again; nothing "
            "was charged", details)
    return CheckoutRefused(f"the checkout was refused: {error.get('message') or code}; "
                           "nothing was charged", details, code=code or "checkout_refused")
