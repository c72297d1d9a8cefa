"""The events billing publishes (exchange ``billing.events``): a constant per type, the
schema of its ``data`` (the fields it carries), its version. Producers write
``uow.emit(events.INVOICE_ISSUED, data)``; consumers subscribe with the same constants
(``@event_handler("billing", billing_events.SUBSCRIPTION_CANCELLED)``)."""
from marshmallow import fields

from services.common.schemas import Contract, Money

from .schemas import InvoiceOut, RefundOut

ACCOUNT_CREDITED = "account_credited"
ACCOUNT_DEBITED = "account_debited"
CHECKOUT_COMPLETED = "checkout_completed"
FEE_INVOICED = "fee_invoiced"
FEE_WAIVED = "fee_waived"
INVOICE_ISSUED = "invoice_issued"
INVOICE_PAID = "invoice_paid"
INVOICE_REFUNDED = "invoice_refunded"
INVOICE_VOIDED = "invoice_voided"
PAYMENT_RECEIVED = "payment_received"
SUBSCRIPTION_STARTED = "subscription_started"
SUBSCRIPTION_CHARGED = "subscription_charged"
SUBSCRIPTION_CHARGE_FAILED = "subscription_charge_failed"
SUBSCRIPTION_PAST_DUE = "subscription_past_due"
SUBSCRIPTION_REACTIVATED = "subscription_reactivated"
SUBSCRIPTION_WITHDRAWN = "subscription_withdrawn"
SUBSCRIPTION_CANCELLED = "subscription_cancelled"


class _Event(Contract):
    class Meta(Contract.Meta):
        unknown = "include"  # a consumer reads the fields it knows

    org_id = fields.String(required=True)


class CreditMoved(_Event):
    """``account_credited`` / ``account_debited``: ``amount`` positive, ``balance`` after."""
    account_id = fields.String(required=True)
    amount = Money(required=True)
    balance = Money(allow_none=True)
    reason = fields.String(required=True)
    ref = fields.String(required=True)
    invoice_id = fields.String(allow_none=True)


class CheckoutCompleted(_Event):
    checkout_id = fields.String(required=True)
    cart_id = fields.String(required=True)
    account_id = fields.String(required=True)
    invoice_id = fields.String(required=True)
    total = Money(required=True)
    registration_ids = fields.List(fields.String())


class FeeEvent(_Event):
    """``fee_invoiced`` (with ``invoice_status``) and ``fee_waived``."""
    id = fields.String(required=True)
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True)
    source_type = fields.String()
    source_id = fields.String()
    kind = fields.String()
    amount = Money()
    invoice_id = fields.String()
    status = fields.String()
    invoice_status = fields.String()
    waived_reason = fields.String(allow_none=True)
    waived_by = fields.String(allow_none=True)
    created_at = fields.String()


class InvoiceEvent(InvoiceOut):
    """``invoice_issued``, ``invoice_paid``, ``invoice_voided`` (with the registrations
    the void cancelled and the sales it revoked or could not)."""

    class Meta(InvoiceOut.Meta):
        unknown = "include"

    org_id = fields.String(required=True)
    cancelled_registration_ids = fields.List(fields.String())
    revoked = fields.List(fields.Dict())
    not_revoked = fields.List(fields.Dict())


class InvoiceRefunded(RefundOut):
    class Meta(RefundOut.Meta):
        unknown = "include"

    org_id = fields.String(required=True)


class PaymentReceived(_Event):
    account_id = fields.String(required=True)
    invoice_id = fields.String(required=True)
    payment = fields.Dict(required=True)


class SubscriptionEvent(_Event):
    """Every ``subscription_*`` event: the subscription and its account, plus what the
    change says (a period charged or declined, why it ended …)."""
    subscription_id = fields.String(required=True)
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True)
    plan_id = fields.String()
    invoice_id = fields.String(allow_none=True)
    started_on = fields.String()
    current_period_end = fields.String(allow_none=True)
    period = fields.String()
    period_index = fields.Integer()
    amount = Money()
    attempts = fields.Integer()
    reason = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    ends_at = fields.String(allow_none=True)
    ended_at = fields.String(allow_none=True)


PAYLOADS = {
    ACCOUNT_CREDITED: CreditMoved, ACCOUNT_DEBITED: CreditMoved,
    CHECKOUT_COMPLETED: CheckoutCompleted,
    FEE_INVOICED: FeeEvent, FEE_WAIVED: FeeEvent,
    INVOICE_ISSUED: InvoiceEvent, INVOICE_PAID: InvoiceEvent, INVOICE_VOIDED: InvoiceEvent,
    INVOICE_REFUNDED: InvoiceRefunded,
    PAYMENT_RECEIVED: PaymentReceived,
    SUBSCRIPTION_STARTED: SubscriptionEvent, SUBSCRIPTION_CHARGED: SubscriptionEvent,
    SUBSCRIPTION_CHARGE_FAILED: SubscriptionEvent, SUBSCRIPTION_PAST_DUE: SubscriptionEvent,
    SUBSCRIPTION_REACTIVATED: SubscriptionEvent, SUBSCRIPTION_WITHDRAWN: SubscriptionEvent,
    SUBSCRIPTION_CANCELLED: SubscriptionEvent,
}
VERSIONS = {event_type: 1 for event_type in PAYLOADS}
