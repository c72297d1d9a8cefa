"""Billing's contracts of refunds (R6.5) and reports (R6.6, R7.2) (see ``__init__``)."""
from services.common.schemas import Contract, Money, fields, validate

from .sales import Taxes


# -- refunds (R6.5) ------------------------------------------------------------------------------
class RefundRequest(Contract):
    amount = Money(required=True, validate=validate.Range(min=1), metadata={
        "description": "minor units; at most what was paid on the invoice minus what was "
                       "already refunded (else 409 refund_exceeds_paid)"})
    to = fields.String(required=True, validate=validate.OneOf(["original", "account_credit"]),
                       metadata={"description": "original: back through the payment (a card "
                                                "charge is refunded through the payment "
                                                "provider, cash is handed back, account "
                                                "credit is credited back); account_credit: "
                                                "to the account's credit"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=500))


class RefundIn(RefundRequest):
    """The RPC's input: the request plus who asked (the gateway's principal)."""
    refunded_by = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=120))


class RefundOut(Contract):
    id = fields.String(required=True)
    invoice_id = fields.String(required=True)
    account_id = fields.String(required=True)
    amount = Money(required=True)
    currency = fields.String(allow_none=True)
    to = fields.String(required=True, metadata={"description": "original | account_credit"})
    method = fields.String(required=True, metadata={
        "description": "how the money went back: card | cash | account_credit"})
    status = fields.String(required=True, metadata={
        "description": "completed | pending (the card refund is being finished) | failed"})
    reason = fields.String(allow_none=True)
    payment_id = fields.String(allow_none=True)
    provider_refund_id = fields.String(allow_none=True)
    refunded_by = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})
    completed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    taxes = Taxes("the taxes this refund gives back, in proportion (R7.2)")


class RefundList(Contract):
    items = fields.List(fields.Nested(RefundOut), required=True)


# -- reports (R6.6) ------------------------------------------------------------------------------
class ReportRange(Contract):
    from_ = fields.String(data_key="from", attribute="from", required=True,
                          validate=validate.Length(max=40), metadata={
                              "description": "inclusive: a date (YYYY-MM-DD, in the org's "
                                             "timezone) or an RFC 3339 date-time"})
    to = fields.String(required=True, validate=validate.Length(max=40), metadata={
        "description": "exclusive: a date or a date-time (a month: from=2026-03-01&"
                       "to=2026-04-01; at most 366 days)"})


class ReportQuery(ReportRange):
    """The gateway's query: the range and the format."""
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "json (default) or csv: a header row, "
                                                    "the same columns, amounts in major "
                                                    "units with a currency column"})


class _ReportHead(Contract):
    from_ = fields.String(data_key="from", attribute="from", required=True)
    to = fields.String(required=True)
    timezone = fields.String(required=True)
    currency = fields.String(allow_none=True)


class SalesDetailRow(Contract):
    date = fields.String(required=True, metadata={"format": "date",
                                                  "description": "local date (org timezone)"})
    invoice_number = fields.Integer(required=True)
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True)
    description = fields.String(required=True)
    type = fields.String(required=True)
    amount = fields.Integer(required=True, metadata={
        "description": "minor units; negative on a void line"})
    paid_with = fields.String(required=True, metadata={
        "description": "cash | card | account_credit (paid in money) | pass | bundle | "
                       "subscription"})
    accounting_code = fields.String(allow_none=True)
    entry = fields.String(required=True, metadata={
        "description": "sale (on the invoice's date) | void (its reversal, negative, on the "
                       "void's date)"})
    item_id = fields.String(allow_none=True, metadata={
        "description": "what was sold: activity, pass type, bundle type, membership type, "
                       "plan or service id"})
    invoice_id = fields.String(required=True)
    net = fields.Integer(metadata={"description": "the line without taxes (R7.2)"})
    tax = fields.Integer(metadata={"description": "the line's taxes, all codes (R7.2)"})
    taxes = Taxes("the line's taxes per code (R7.2); negative on a void line")


class SalesDetailReport(_ReportHead):
    items = fields.List(fields.Nested(SalesDetailRow), required=True)
    total = fields.Integer(required=True)


class SalesSummaryRow(Contract):
    type = fields.String(required=True)
    item_id = fields.String(allow_none=True)
    description = fields.String(required=True)
    quantity = fields.Integer(required=True, metadata={"description": "lines sold minus "
                                                                      "lines voided"})
    amount = fields.Integer(required=True)
    tax = fields.Integer(metadata={"description": "their taxes, all codes (R7.2)"})


class SalesSummaryReport(_ReportHead):
    items = fields.List(fields.Nested(SalesSummaryRow), required=True)
    total = fields.Integer(required=True, metadata={"description": "the sum of the sales "
                                                                   "detail"})
    taxes = Taxes("the detail's taxes per code (R7.2)")


class PaymentsByCodeRow(Contract):
    accounting_code = fields.String(allow_none=True)
    payments = fields.Integer(required=True)
    refunds = fields.Integer(required=True)
    net = fields.Integer(required=True)


class PaymentsTotal(Contract):
    payments = fields.Integer(required=True)
    refunds = fields.Integer(required=True)
    net = fields.Integer(required=True, metadata={"description": "money received: payments "
                                                                 "minus refunds"})


class PaymentsByCodeReport(_ReportHead):
    items = fields.List(fields.Nested(PaymentsByCodeRow), required=True)
    total = fields.Nested(PaymentsTotal, required=True)


# -- taxes (R7.2) ------------------------------------------------------------------------------
TAX_REPORT_COLUMNS = ("code", "name", "rate", "collected", "refunded", "net")


class TaxReportRow(Contract):
    code = fields.String(required=True)
    name = fields.String(allow_none=True)
    rate = fields.String(allow_none=True, metadata={"description": "the org's rate now"})
    collected = fields.Integer(required=True, metadata={
        "description": "taxes of the invoices issued in the range"})
    refunded = fields.Integer(required=True, metadata={
        "description": "taxes given back in the range: by refunds, voids and cancellation "
                       "credits"})
    net = fields.Integer(required=True, metadata={"description": "collected - refunded"})
    voided = fields.Integer(metadata={"description": "the part of refunded given back by voids"})


class TaxReportTotal(Contract):
    collected = fields.Integer(required=True)
    refunded = fields.Integer(required=True)
    net = fields.Integer(required=True)


class TaxReport(_ReportHead):
    items = fields.List(fields.Nested(TaxReportRow), required=True)
    total = fields.Nested(TaxReportTotal, required=True)
