"""The org and its taxes (R1.1, R7.1)."""
from marshmallow import Schema, fields, validate

from services.common.schemas import Contract

from .common import Name, TaxCode, valid_timezone


class OrgIn(Contract):
    name = Name(required=True)
    timezone = fields.String(required=True, validate=valid_timezone,
                             metadata={"description": "IANA name, e.g. America/Montreal"})
    currency = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error="an ISO 4217 code: three capital letters, e.g. CAD"))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]),
                           metadata={"description": "fr (default) or en"})


class TaxIn(Contract):
    code = TaxCode(required=True, metadata={"description": "e.g. GST, QST, VAT"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    rate = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={
        "description": 'a percentage as a decimal string, e.g. "9.975" (at most 6 decimals)'})
    registration_number = fields.String(allow_none=True, validate=validate.Length(max=50))


class OrgPatch(Contract):
    """R7.1: the org's name, locale, address and tax settings (the timezone and currency
    never change). ``taxes`` replaces the list."""
    name = Name()
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    address = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "printed on receipts; lines separated by newlines"})
    prices_include_tax = fields.Boolean(metadata={
        "description": "true: prices are entered tax-included (VAT style); false (default): "
                       "taxes are added on top"})
    taxes = fields.List(fields.Nested(TaxIn), validate=validate.Length(max=10))


class TaxRulesIn(Contract):
    """``tax_rules``: what billing asks at checkout (docs/taxes.md)."""
    refs = fields.List(fields.Dict(), load_default=list, validate=validate.Length(max=1000))


class TaxOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    rate = fields.String(required=True, metadata={"description": "percent, e.g. \"9.975\""})
    registration_number = fields.String(allow_none=True)


class OrgOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    currency = fields.String(required=True)
    locale = fields.String(required=True)
    address = fields.String(allow_none=True)
    prices_include_tax = fields.Boolean()
    taxes = fields.List(fields.Nested(TaxOut))
