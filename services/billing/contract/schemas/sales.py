"""Billing's contracts of carts, checkout, invoices, subscriptions, test clocks, receipts
and fees (see ``__init__``)."""
from datetime import timezone

from marshmallow import ValidationError, validates_schema

from services.common.pagination import MAX_LIMIT
from services.common.schemas import Contract, Money, fields, validate

from ..vocabulary import ITEM_KINDS, METHODS

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


# -- inputs ---------------------------------------------------------------------------------------
class WalkInIn(Contract):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CartCreate(Contract):
    account_id = Id(load_default=None, allow_none=True)
    walk_in = fields.Nested(WalkInIn, load_default=None, allow_none=True, metadata={
        "description": "R8.3, staff: a walk-in client's name instead of an account"})

    @validates_schema
    def _account_or_walk_in(self, data, **kwargs):
        if bool(data.get("account_id")) == bool(data.get("walk_in")):
            raise ValidationError("give account_id, or walk_in for a walk-in client",
                                  "account_id")


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
    walk_in = fields.Dict(allow_none=True, metadata={"description": "{name} (R8.3)"})
    created_at = fields.String(metadata={"format": "date-time"})


class TaxAmountOut(Contract):
    """R7.2: one tax of a line, an invoice or a refund."""
    code = fields.String(required=True)
    amount = Money(required=True)
    rate = fields.String(metadata={"description": "the rate applied, percent (lines and "
                                                  "invoices)"})


def Taxes(description):  # noqa: N802 - a field factory
    return fields.List(fields.Nested(TaxAmountOut), metadata={"description": description})


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
    net = Money(metadata={"description": "the line without its taxes (R7.2)"})
    taxes = Taxes("the line's taxes (R7.2); [] without taxes")
    total = Money(metadata={"description": "net + taxes: what the client pays for the line"})


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
    subtotal = Money(metadata={"description": "the lines without taxes (R7.2); total = "
                                              "subtotal + taxes"})
    taxes = Taxes("totals per tax (R7.2); [] without taxes")
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
    charges = fields.List(fields.Nested(SubscriptionChargeOut), required=True, metadata={
        "description": "the newest charges (at most 12), oldest first; all of them are at "
                       "GET /orgs/{org}/subscriptions/{id}/charges"})
    charges_count = fields.Integer(metadata={"description": "how many charges there are"})


class SubscriptionChargePage(Contract):
    items = fields.List(fields.Nested(SubscriptionChargeOut), required=True)
    next_cursor = fields.String(allow_none=True)


class SubscriptionList(Contract):
    items = fields.List(fields.Nested(SubscriptionOut), required=True)


class BillingRunOut(Contract):
    as_of = fields.String(required=True, metadata={"format": "date-time"})
    charged = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    complete = fields.Boolean(metadata={
        "description": "false: the run stopped at its bound (periods per subscription, "
                       "CARNET_BILLING_RUN_MAX_PERIODS) or its deadline; run it again"})


class TestClockOut(Contract):
    __test__ = False
    org_id = fields.String(required=True)
    now = fields.String(required=True, metadata={"format": "date-time"})
    frozen = fields.Boolean(required=True, metadata={
        "description": "true: billing's 'now' for this org is the test clock"})


# -- receipts (R7.3) ----------------------------------------------------------------------------
class ReceiptOut(Contract):
    """``billing.get_receipt_pdf``: the receipt PDF, base64-encoded."""
    filename = fields.String(required=True, metadata={"description": "receipt-<number>.pdf"})
    content_base64 = fields.String(required=True)
    locale = fields.String(required=True, metadata={"description": "fr | en"})
# -- fees (R8.1) ----------------------------------------------------------------------------------
class PayInvoiceRequest(Contract):
    method = fields.String(required=True, validate=validate.OneOf(
        ["cash", "card", "account_credit"]))
    card_token = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(min=1, max=200))


class WaiveFeeRequest(Contract):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    waived_by = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=64))


class WaiveFeeBody(Contract):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class FeeQuery(Contract):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(["owed", "paid", "waived"]))
    limit = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, allow_none=True)


class FeeOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String()
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True)
    source_type = fields.String(metadata={"description": "registration | appointment"})
    source_id = fields.String()
    kind = fields.String(metadata={"description": "late_cancel | no_show"})
    amount = Money(required=True)
    invoice_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "owed | paid | waived"})
    waived_reason = fields.String(allow_none=True)
    waived_by = fields.String(allow_none=True)
    created_at = fields.String()


class FeePage(Contract):
    items = fields.List(fields.Nested(FeeOut), required=True)
    owed = Money(required=True, metadata={"description": "the open fees' total"})
    next_cursor = fields.String(allow_none=True)
