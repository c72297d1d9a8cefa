"""Marshmallow contracts of passes's RPC methods and events (docs/contracts.md "passes"),
also used by the gateway for docs/http-api.md's pass routes (validation and the OpenAPI document).

Inputs refuse unknown fields. Outputs document what the service returns: times are RFC 3339
with the org's offset, dates ``YYYY-MM-DD``, counts are sums of the ledgers (R4.1).
"""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate

from services.common.pagination import MAX_LIMIT
from services.common.schemas import Contract

from services.common.timeutil import parse_instant_or_day

MAX_GRANT = 1000


def Id(**kw):  # noqa: N802 - a field factory
    return fields.String(validate=validate.Length(min=1, max=64), **kw)


def Reason(**kw):  # noqa: N802
    return fields.String(validate=validate.Length(min=1, max=500), **kw)


def Time(**kw):  # noqa: N802
    return fields.String(allow_none=True, metadata={"format": "date-time", **kw})


def Day(**kw):  # noqa: N802
    return fields.String(allow_none=True, metadata={"format": "date", **kw})


class InstantOrDay(fields.String):
    """A date (valid through that org-local day) or an RFC 3339 date-time; kept as sent,
    read in the org's timezone by the service."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            parse_instant_or_day(text, timezone.utc)
        except ValueError as error:
            raise ValidationError(str(error))
        return text


class Trimmed(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


# -- RPC inputs ---------------------------------------------------------------------------------

class SellPassIn(Contract):
    pass_type_id = Id(required=True)
    account_id = Id(required=True)
    member_id = Id(load_default=None, allow_none=True, metadata={
        "description": "the holder of an individual pass (ignored for a family pass); "
                       "without it, the first member of the account who uses it"})
    invoice_id = Id(required=True)
    sold_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                   metadata={"description": "default: now"})
    cart_item_id = Id(load_default=None, allow_none=True, metadata={
        "description": "tells apart two identical passes sold on one invoice"})


class GrantPassesIn(Contract):
    pass_type_id = Id(required=True)
    account_ids = fields.List(Id(), required=True,
                              validate=validate.Length(min=1, max=MAX_GRANT))
    reason = Reason(required=True)
    granted_by = Id(required=True, metadata={"description": "who granted (staff subject)"})
    grant_id = Id(load_default=None, allow_none=True, metadata={
        "description": "makes a retried grant write nothing new"})


class ChangeExpiryIn(Contract):
    expires_at = InstantOrDay(required=True, metadata={
        "description": "a date (valid through that day, org-local) or an RFC 3339 "
                       "date-time (the instant it stops being valid)"})
    reason = Reason(required=True)
    changed_by = Id(required=True)


class DebitIn(Contract):
    registration_id = Id(required=True)
    member_id = Id(required=True)
    account_id = Id(load_default=None, allow_none=True, metadata={
        "description": "the member's account as accounts gave it to the caller (registration "
                       "has just asked); without it, passes asks accounts when the holder "
                       "must be judged by account (R3.4)"})
    activity_id = Id(required=True)
    occurrence_starts_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "the pass must still be valid then (default: now)"})


class CreditIn(Contract):
    registration_id = Id(required=True)
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=500))
    force = fields.Boolean(load_default=False, metadata={
        "description": "staff: give the use back even where the terms do not (R3.6)"})
    actor = Id(load_default=None, allow_none=True)


class SellBundleIn(Contract):
    bundle_type_id = Id(required=True)
    division = fields.String(required=True, validate=validate.Length(min=1, max=200))
    account_id = Id(required=True)
    member_id = Id(load_default=None, allow_none=True,
                   metadata={"description": "required (R4.4): client_required without it"})
    invoice_id = Id(required=True)
    sold_at = fields.AwareDateTime(load_default=None, allow_none=True)
    cart_item_id = Id(load_default=None, allow_none=True)


class BundleUseIn(Contract):
    appointment_id = Id(required=True)
    service_id = Id(required=True)
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=500))


class SellMembershipIn(Contract):
    membership_type_id = Id(required=True)
    account_id = Id(required=True)
    member_id = Id(required=True)
    invoice_id = Id(required=True)
    starts_on = fields.Date(load_default=None, allow_none=True,
                            metadata={"description": "default: the org-local day of the sale"})
    sold_at = fields.AwareDateTime(load_default=None, allow_none=True)
    cart_item_id = Id(load_default=None, allow_none=True)


class ActiveMembershipsIn(Contract):
    member_id = Id(required=True)
    on_date = fields.Date(required=True, metadata={"description": "YYYY-MM-DD"})


class PageIn(Contract):
    limit = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200))


# -- HTTP inputs (gateway) ------------------------------------------------------------------------

class PassGrantsBody(Contract):
    pass_type_id = Id(required=True)
    account_ids = fields.List(Id(), required=True,
                              validate=validate.Length(min=1, max=MAX_GRANT))
    reason = Reason(load_default="granted by staff")


class PassPatchBody(Contract):
    expires_at = InstantOrDay(required=True, metadata={
        "description": "a date (valid through that day, org-local) or an RFC 3339 date-time"})
    reason = Reason(required=True, metadata={"description": "why (recorded with who, R4.3)"})


class PassReportQuery(Contract):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "json (default, paginated) or csv (all)"})
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


# -- outputs ------------------------------------------------------------------------------------

class PassTermsOut(Schema):
    name = fields.String()
    price = fields.Integer()
    uses = fields.Integer(allow_none=True)
    valid_days = fields.Integer(allow_none=True)
    expires_on = Day()
    family = fields.Boolean()
    eligible_activity_ids = fields.List(fields.String())
    credit_on_cancel = fields.Boolean()
    accounting_code = fields.String(allow_none=True)


class PassOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    pass_type_id = fields.String(required=True)
    terms_version = fields.Integer(allow_none=True)
    name = fields.String(required=True)
    family = fields.Boolean(required=True)
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True, metadata={
        "description": "null: a family pass, or an individual pass not used yet"})
    status = fields.String(required=True, metadata={"description": "active | expired | revoked"})
    uses_total = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    uses_left = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    uses_used = fields.Integer()
    expires_at = Time(description="the instant it stops being valid")
    valid_until = Day(description="the last org-local day it is valid")
    purchased_at = Time()
    origin = fields.String(metadata={"description": "sale | grant"})
    invoice_id = fields.String(allow_none=True)
    revoked_at = Time()
    terms = fields.Nested(PassTermsOut, metadata={"description": "as sold (R2.9)"})


class PassList(Schema):
    items = fields.List(fields.Nested(PassOut), required=True)


class PassEntryOut(Schema):
    id = fields.String(required=True)
    pass_id = fields.String()
    kind = fields.String(metadata={"description": "sale | grant | debit | credit | "
                                                  "adjustment | revoke"})
    delta = fields.Integer()
    registration_id = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    activity_id = fields.String(allow_none=True)
    occurrence_starts_at = Time()
    reason = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)
    created_at = Time()


# "pass" is a Python keyword: these two are built from dicts of fields.
PassLedgerOut = Schema.from_dict({
    "pass": fields.Nested(PassOut, required=True),
    "items": fields.List(fields.Nested(PassEntryOut), required=True),
}, name="PassLedgerOut")

PassMovementOut = Schema.from_dict({
    "pass": fields.Nested(PassOut, required=True),
    "entry": fields.Nested(PassEntryOut, allow_none=True, metadata={
        "description": "null: a credit the terms do not allow (credited false)"}),
    "replayed": fields.Boolean(metadata={"description": "true: an earlier identical request "
                                                        "wrote this entry; nothing new"}),
    "credited": fields.Boolean(metadata={"description": "credit: whether the use came back"}),
}, name="PassMovementOut")


class PassReportRow(Schema):
    pass_id = fields.String(required=True)
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True)
    pass_type_id = fields.String(required=True)
    name = fields.String(required=True)
    family = fields.Boolean()
    status = fields.String()
    purchased_at = Time()
    expires_at = Time()
    uses_total = fields.Integer(allow_none=True)
    uses_left = fields.Integer(allow_none=True)
    uses_used = fields.Integer()


REPORT_COLUMNS = ("pass_id", "account_id", "member_id", "pass_type_id", "name",
                  "purchased_at", "expires_at", "uses_total", "uses_left", "uses_used",
                  "family", "status")


class PassReportPage(Schema):
    items = fields.List(fields.Nested(PassReportRow), required=True)
    next_cursor = fields.String(allow_none=True)


class BundleCountsOut(Schema):
    service_id = fields.String(required=True)
    total = fields.Integer(required=True)
    booked = fields.Integer(required=True)
    used = fields.Integer(required=True)
    remaining = fields.Integer(required=True, metadata={"description": "total - booked - used"})


class BundleOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    bundle_type_id = fields.String(required=True)
    name = fields.String()
    division = fields.String(required=True)
    account_id = fields.String()
    member_id = fields.String()
    invoice_id = fields.String(allow_none=True)
    price = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "active | revoked"})
    purchased_at = Time()
    revoked_at = Time()
    items = fields.List(fields.Nested(BundleCountsOut), required=True)


class BundleList(Schema):
    items = fields.List(fields.Nested(BundleOut), required=True)


class BundleEntryOut(Schema):
    id = fields.String()
    bundle_id = fields.String()
    service_id = fields.String()
    kind = fields.String()
    appointment_id = fields.String(allow_none=True)
    seq = fields.Integer()
    total = fields.Integer()
    booked = fields.Integer()
    used = fields.Integer()
    reason = fields.String(allow_none=True)
    created_at = Time()


class BundleLedgerOut(Schema):
    bundle = fields.Nested(BundleOut)
    items = fields.List(fields.Nested(BundleEntryOut))


class MembershipOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    membership_type_id = fields.String(required=True)
    name = fields.String()
    account_id = fields.String()
    member_id = fields.String(required=True)
    invoice_id = fields.String(allow_none=True)
    starts_on = Day()
    ends_on = Day(description="the first day it is no longer active")
    last_day = Day(description="the last day it is active")
    status = fields.String(metadata={"description": "active | upcoming | expired | revoked"})
    sold_at = Time()
    revoked_at = Time()


class MembershipList(Schema):
    items = fields.List(fields.Nested(MembershipOut), required=True)


class RevokedOut(Schema):
    type = fields.String(metadata={"description": "pass | bundle | membership"})
    id = fields.String()
    revoked_at = Time()


class NotRevokedOut(Schema):
    type = fields.String()
    id = fields.String()
    reason = fields.String(metadata={"description": "used | booked"})


class RevokeResult(Schema):
    invoice_id = fields.String()
    items = fields.List(fields.Nested(RevokedOut), required=True)
    not_revoked = fields.List(fields.Nested(NotRevokedOut), required=True)
