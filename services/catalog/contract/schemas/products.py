"""What the org sells besides activities: services (R2.10), pass types (R2.8, R2.9), bundle
types (R2.11), membership types (R2.12), subscription plans (R2.13), and their edits
(future sales only; audited)."""
from marshmallow import Schema, fields, validate

from services.common.schemas import Contract

from .activities import FeePolicyIn
from .common import (MAX_DURATION, AccountingCode, Count, Day, Id, Name, Partial, Price,
                     TaxCodes, TaxCodesOut, Time)


# -- inputs -----------------------------------------------------------------------------------

class ServiceIn(Contract):
    name = Name(required=True)
    duration_minutes = Count(1, MAX_DURATION, required=True)
    price = Price(required=True)
    accounting_code = AccountingCode()
    tax_codes = TaxCodes()
    fees = fields.Nested(FeePolicyIn, allow_none=True, load_default=None, metadata={
        "description": "late-cancellation and no-show fees (R8.1); null: none"})


class PassTypeIn(Contract):
    name = Name(required=True)
    price = Price(required=True)
    uses = Count(1, 100_000, allow_none=True, metadata={"description": "null: unlimited"})
    valid_days = Count(1, 3660, allow_none=True,
                       metadata={"description": "days from purchase (or expires_on)"})
    expires_on = fields.Date(allow_none=True,
                             metadata={"description": "a fixed expiry date (or valid_days)"})
    family = fields.Boolean()
    eligible_activity_ids = fields.List(Id(), validate=validate.Length(max=1000))
    credit_on_cancel = fields.Boolean(metadata={
        "description": "cancelling a booking made with the pass gives the use back"})
    accounting_code = AccountingCode()
    tax_codes = TaxCodes()


class PassTypePatch(Partial, PassTypeIn):
    """A partial PassType: the current terms with these fields changed become a new terms
    version (R2.9). Setting valid_days clears expires_on and the reverse."""


class BundleItemIn(Contract):
    service_id = Id(required=True)
    count = Count(1, 1000, required=True)


class DivisionIn(Contract):
    name = Name(required=True)
    items = fields.List(fields.Nested(BundleItemIn), required=True,
                        validate=validate.Length(min=1, max=100))
    price = Price(allow_none=True, metadata={
        "description": "overrides the sum of the services' prices × counts"})


class BundleTypeIn(Contract):
    name = Name(required=True)
    divisions = fields.List(fields.Nested(DivisionIn), required=True,
                            validate=validate.Length(min=1, max=50))
    accounting_code = AccountingCode()
    tax_codes = TaxCodes()


class MembershipTypeIn(Contract):
    name = Name(required=True)
    price = Price(required=True)
    duration_days = Count(1, 3660, required=True)
    accounting_code = AccountingCode()
    tax_codes = TaxCodes()


class SubscriptionPlanIn(Contract):
    name = Name(required=True)
    monthly_price = Price(required=True)
    activity_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=1000))
    accounting_code = AccountingCode()
    tax_codes = TaxCodes()


class TermsQuery(Contract):
    terms_version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "a past version of the terms (R2.9); default the current one"})


# -- edits (future sales only; audited) -------------------------------------------------------

class ServicePatch(Partial, ServiceIn):
    """A partial Service: the fields sent change, for appointments booked from now on (a
    booked appointment keeps the duration and price it was booked with)."""


class BundleTypePatch(Contract):
    """Name and accounting code; divisions are what was sold, so a new offer of divisions
    is a new bundle type."""
    name = Name()
    accounting_code = AccountingCode()


class MembershipTypePatch(Partial, MembershipTypeIn):
    """A partial MembershipType: for memberships sold from now on."""


class SubscriptionPlanPatch(Partial, SubscriptionPlanIn):
    """A partial SubscriptionPlan: for subscriptions sold from now on (a subscription keeps
    what it was sold with)."""


# -- outputs ----------------------------------------------------------------------------------

class ServiceOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    duration_minutes = fields.Integer()
    price = fields.Integer()
    accounting_code = fields.String(allow_none=True)
    tax_codes = TaxCodesOut()
    fees = fields.Dict(allow_none=True)


class PassTypeOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    terms_version = fields.Integer(metadata={"description": "R2.9: a sale keeps this version"})
    name = fields.String()
    price = fields.Integer()
    uses = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    valid_days = fields.Integer(allow_none=True)
    expires_on = Day()
    family = fields.Boolean()
    eligible_activity_ids = fields.List(fields.String())
    credit_on_cancel = fields.Boolean()
    accounting_code = fields.String(allow_none=True)
    terms_created_at = Time()
    tax_codes = TaxCodesOut()


class BundleItemOut(Schema):
    service_id = fields.String()
    count = fields.Integer()


class DivisionOut(Schema):
    name = fields.String()
    items = fields.List(fields.Nested(BundleItemOut))
    price = fields.Integer()
    price_overridden = fields.Boolean()


class BundleTypeOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    accounting_code = fields.String(allow_none=True)
    divisions = fields.List(fields.Nested(DivisionOut))
    tax_codes = TaxCodesOut()


class MembershipTypeOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    price = fields.Integer()
    duration_days = fields.Integer()
    accounting_code = fields.String(allow_none=True)
    tax_codes = TaxCodesOut()


class SubscriptionPlanOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    monthly_price = fields.Integer()
    activity_ids = fields.List(fields.String())
    accounting_code = fields.String(allow_none=True)
    tax_codes = TaxCodesOut()
