"""Marshmallow contracts of billing's RPC methods and events (docs/contracts.md), also used
by the gateway's routes so that both validate the same way.

Input schemas refuse unknown fields. Output schemas carry what the service already made
JSON-ready (times as RFC 3339 strings), so dumping them again is the identity.
"""
from datetime import timezone

from services.common.pagination import MAX_LIMIT
from services.common.schemas import Contract, Money, fields, validate

from .domain.cart import ITEM_KINDS
from .domain.payment import METHODS

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


# -- inputs ---------------------------------------------------------------------------------------
class CartCreate(Contract):
    account_id = Id(required=True)


class PayWith(Contract):
    pass_id = Id(load_default=None, allow_none=True)
    cart_item_id = Id(load_default=None, allow_none=True)


class CartItemCreate(Contract):
    type = fields.String(required=True, validate=validate.OneOf(list(ITEM_KINDS)),
                         metadata={"description": "session | a_la_carte | pass | bundle | "
                                                  "membership | subscription"})
    member_id = Id(load_default=None, allow_none=True)
    activity_id = Id(load_default=None, allow_none=True)
    occurrence_id = Id(load_default=None, allow_none=True)
    pass_type_id = Id(load_default=None, allow_none=True)
    bundle_type_id = Id(load_default=None, allow_none=True)
    division = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(min=1, max=200))
    membership_type_id = Id(load_default=None, allow_none=True)
    plan_id = Id(load_default=None, allow_none=True)
    pay_with = fields.Nested(PayWith, load_default=None, allow_none=True)


class PaymentIn(Contract):
    method = fields.String(required=True, validate=validate.OneOf(list(METHODS)))
    card_token = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(min=1, max=200))


class BillingRunIn(Contract):
    as_of = fields.AwareDateTime(load_default=None, allow_none=True,
                                 default_timezone=timezone.utc, metadata={
                                     "description": "bill what is due as of this instant (a "
                                                    "test clock; admin only); default now"})


class TestClockIn(Contract):
    __test__ = False
    now = fields.AwareDateTime(required=True, default_timezone=timezone.utc, metadata={
        "description": "the org's business 'now' for billing from here on"})


class CheckoutRequest(Contract):
    payment = fields.Nested(PaymentIn, required=True)


class AppointmentCheckoutRequest(Contract):
    payment = fields.Nested(PaymentIn, required=True)
    bundle_id = Id(load_default=None, allow_none=True, metadata={
        "description": "a bundle of the client to pay with, if none was applied in the "
                       "agenda (R4.7): the line is then 0.00, paid with the bundle"})


class VoidRequest(Contract):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class InvoiceListQuery(Contract):
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None)


# -- outputs --------------------------------------------------------------------------------------
class CartItemOut(Contract):
    id = fields.String(required=True)
    type = fields.String(required=True)
    price = Money(required=True)
    description = fields.String()
    accounting_code = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    registration_id = fields.String(allow_none=True)
    hold_expires_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    activity_id = fields.String(allow_none=True)
    occurrence_id = fields.String(allow_none=True)
    reference = fields.Dict()
    pay_with = fields.Dict(allow_none=True, metadata={
        "description": "{type: pass, pass_id} or {type: pass, cart_item_id} (R3.10); null: "
                       "money at checkout"})


class CartOut(Contract):
    id = fields.String(required=True)
    account_id = fields.String(required=True)
    status = fields.String(required=True,
                           metadata={"description": "open | checking_out | checked_out"})
    items = fields.List(fields.Nested(CartItemOut), required=True)
    total = Money(required=True)
    currency = fields.String(allow_none=True)
    invoice_id = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})


class InvoiceLineOut(Contract):
    id = fields.String(required=True)
    position = fields.Integer()
    type = fields.String(required=True)
    description = fields.String(required=True)
    amount = Money(required=True)
    accounting_code = fields.String(allow_none=True)
    paid_with = fields.String(required=True,
                              metadata={"description": "money | pass | bundle | subscription"})
    payment_method = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    registration_id = fields.String(allow_none=True)
    cart_item_id = fields.String(allow_none=True)
    reference = fields.Dict()


class PaymentOut(Contract):
    id = fields.String(required=True)
    method = fields.String(required=True)
    amount = Money(required=True)
    charge_id = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})


class InvoiceOut(Contract):
    id = fields.String(required=True)
    number = fields.Integer(required=True)
    account_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "paid | void"})
    total = Money(required=True)
    currency = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(InvoiceLineOut), required=True)
    payments = fields.List(fields.Nested(PaymentOut), required=True)
    issued_at = fields.String(metadata={"format": "date-time"})
    voided_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    void_reason = fields.String(allow_none=True)
    cart_id = fields.String(allow_none=True)
    checkout_id = fields.String(allow_none=True)


class InvoicePage(Contract):
    items = fields.List(fields.Nested(InvoiceOut), required=True)
    next_cursor = fields.String(allow_none=True)


class CheckoutResult(Contract):
    checkout_id = fields.String()
    invoice = fields.Nested(InvoiceOut, required=True)
    registrations = fields.List(fields.Dict(), required=True)
    passes = fields.List(fields.Dict(), required=True)
    bundles = fields.List(fields.Dict(), required=True)
    memberships = fields.List(fields.Dict(), required=True)
    subscriptions = fields.List(fields.Dict(), required=True)


class AppointmentCheckoutResult(Contract):
    checkout_id = fields.String()
    appointment = fields.Dict(required=True, metadata={"description": "the Appointment, "
                                                                      "completed"})
    invoice = fields.Nested(InvoiceOut, required=True)


class CreditEntryOut(Contract):
    amount = fields.Integer(required=True)
    reason = fields.String(required=True)
    ref = fields.String(required=True)
    created_at = fields.String(metadata={"format": "date-time"})


class CreditOut(Contract):
    account_id = fields.String(required=True)
    balance = Money(required=True)
    entries = fields.List(fields.Nested(CreditEntryOut), required=True)


class SubscriptionChargeOut(Contract):
    period = fields.String(required=True, metadata={
        "description": "the local date the period starts (the anniversary)"})
    period_index = fields.Integer(required=True, metadata={"description": "0: paid at checkout"})
    status = fields.String(required=True, metadata={"description": "paid | retrying | failed"})
    attempts = fields.Integer(required=True)
    invoice_id = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class SubscriptionOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String()
    account_id = fields.String(required=True)
    member_id = fields.String(required=True)
    plan_id = fields.String(required=True)
    description = fields.String()
    monthly_price = Money(required=True)
    currency = fields.String(allow_none=True)
    activity_ids = fields.List(fields.String())
    status = fields.String(required=True, metadata={"description": "active | past_due | "
                                                                   "cancelled"})
    cancel_at_period_end = fields.Boolean(required=True)
    started_on = fields.String(metadata={"description": "the anchor date (org-local)"})
    current_period_end = fields.String(required=True, metadata={
        "format": "date-time", "description": "paid through this instant"})
    next_charge_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    cancelled_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    cancel_reason = fields.String(allow_none=True, metadata={
        "description": "withdrawn | payment_failed"})
    invoice_id = fields.String(metadata={"description": "the checkout's invoice"})
    charges = fields.List(fields.Nested(SubscriptionChargeOut), required=True)


class SubscriptionList(Contract):
    items = fields.List(fields.Nested(SubscriptionOut), required=True)


class BillingRunOut(Contract):
    as_of = fields.String(required=True, metadata={"format": "date-time"})
    charged = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    skipped = fields.Integer(required=True)


class TestClockOut(Contract):
    __test__ = False
    org_id = fields.String(required=True)
    now = fields.String(required=True, metadata={"format": "date-time"})
    frozen = fields.Boolean(required=True, metadata={
        "description": "true: billing's 'now' for this org is the test clock"})
