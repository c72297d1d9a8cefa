"""Marshmallow contracts of catalog's RPC methods and events (docs/contracts.md), also used
by the gateway for API.md's catalog routes (request validation and the OpenAPI document).

Inputs (``*In``) refuse unknown fields; money is a non-negative integer in minor units,
never a float (R1.3). An update loads the same input schema with ``partial=True``: only the
fields sent are present, so the domain can merge them (no defaults are filled in here;
defaults are the domain's business).

Outputs (``*Out``) document what the service returns: times are RFC 3339 strings with the
org's offset, dates ``YYYY-MM-DD``.
"""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.schemas import Contract, Money

from services.common.timeutil import is_timezone, parse_bound, parse_hhmm

MAX_AMOUNT = 10 ** 11          # 1 000 000 000.00 in a 2-decimal currency
MAX_CAPACITY = 100_000
MAX_MINUTES = 366 * 24 * 60    # a year, for windows and deadlines
MAX_DURATION = 24 * 60         # one occurrence, one service

Name = lambda **kw: fields.String(validate=validate.Length(min=1, max=200), **kw)  # noqa: E731
Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
AccountingCode = lambda **kw: fields.String(  # noqa: E731
    validate=validate.Length(max=50), allow_none=True, **kw)
Price = lambda **kw: Money(validate=validate.Range(min=0, max=MAX_AMOUNT), **kw)  # noqa: E731
TaxCode = lambda **kw: fields.String(validate=validate.Regexp(  # noqa: E731
    r"^[A-Za-z0-9_.-]{1,20}$", error="1 to 20 letters, digits, '_', '-' or '.'"), **kw)
# R7.1: null (or absent) = all the org's taxes, [] = exempt
TaxCodes = lambda **kw: fields.List(TaxCode(), allow_none=True,  # noqa: E731
                                    validate=validate.Length(max=10), metadata={
    "description": "the org's tax codes that apply (R7.1); null: all the org's taxes "
                   "(default); []: exempt"}, **kw)


def Count(low=0, high=MAX_CAPACITY, **kw):  # noqa: N802 - a field factory
    return fields.Integer(strict=True, validate=validate.Range(min=low, max=high), **kw)


def _timezone(value):
    if not is_timezone(value):
        raise ValidationError("an IANA timezone name, e.g. America/Montreal")


def _hhmm(value):
    try:
        parse_hhmm(value)
    except ValueError as error:
        raise ValidationError(str(error))


class DateOrDateTime(fields.String):
    """A ``from``/``to`` bound as sent: a date (read in the org's timezone) or an RFC 3339
    date-time. Checked here; the service reads it in the org's timezone."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            parse_bound(text, timezone.utc)
        except ValueError as error:
            raise ValidationError(str(error))
        return text


# -- inputs -----------------------------------------------------------------------------------

class OrgIn(Contract):
    name = Name(required=True)
    timezone = fields.String(required=True, validate=_timezone,
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


class ProgramIn(Contract):
    name = Name(required=True)


class RestrictionsIn(Contract):
    min_age = Count(0, 150, allow_none=True)
    max_age = Count(0, 150, allow_none=True)
    genders = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                          metadata={"description": "empty: anyone"})
    membership_type_ids = fields.List(Id(), metadata={
        "description": "any one of them, active on the occurrence date (R2.7)"})
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=100)))


class SlotIn(Contract):
    weekday = Count(0, 6, required=True, metadata={"description": "0 = Monday … 6 = Sunday"})
    start_time = fields.String(required=True, validate=_hhmm,
                               metadata={"description": "local time HH:MM"})
    duration_minutes = Count(1, MAX_DURATION, required=True)


class ScheduleIn(Contract):
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, metadata={"description": "inclusive"})
    slots = fields.List(fields.Nested(SlotIn), required=True,
                        validate=validate.Length(min=1, max=50))
    excluded_dates = fields.List(fields.Date(), validate=validate.Length(max=1000))


class SessionCancellationIn(Contract):
    """R8.2: clients may cancel a session registration (yes/no) until
    ``deadline_minutes_before`` the start of the session's last occurrence, refunded to their
    credit: the whole price, prorated on the occurrences left, or nothing."""
    allowed = fields.Boolean(required=True)
    deadline_minutes_before = Count(0, MAX_MINUTES, load_default=0)
    refund = fields.String(load_default="none",
                           validate=validate.OneOf(["whole", "prorated", "none"]))


class SessionIn(Contract):
    enabled = fields.Boolean()
    price = Price(allow_none=True)
    capacity = Count(allow_none=True)
    opens_at = fields.DateTime(allow_none=True, metadata={
        "description": "RFC 3339; without an offset, read in the org's timezone"})
    closes_at = fields.DateTime(allow_none=True)
    cancellation = fields.Nested(SessionCancellationIn, allow_none=True, metadata={
        "description": "cancellation by the client (R8.2); null: staff only"})


class CancellationIn(Contract):
    allowed = fields.Boolean()
    deadline_minutes_before = Count(0, MAX_MINUTES)


class FeeIn(Contract):
    """R8.1: a fixed amount, or a share of the price (whole percent, rounded half up)."""
    type = fields.String(required=True, validate=validate.OneOf(["fixed", "percent"]))
    amount = Price(allow_none=True, metadata={"description": "fixed: the fee"})
    percent = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100),
                             metadata={"description": "percent: the share of the price"})

    @validates_schema
    def _amount_or_percent(self, data, **kwargs):
        needed = "amount" if data.get("type") == "fixed" else "percent"
        if data.get(needed) is None:
            raise ValidationError(f"required for a {data.get('type')} fee", needed)


class FeePolicyIn(Contract):
    """R8.1: inside ``window_minutes_before`` the start, a client's cancellation costs
    ``late_cancel_fee``; a no-show (marked by staff) costs ``no_show_fee``. Paid with a pass,
    the use is lost instead."""
    window_minutes_before = Count(0, MAX_MINUTES, required=True)
    late_cancel_fee = fields.Nested(FeeIn, allow_none=True, load_default=None)
    no_show_fee = fields.Nested(FeeIn, allow_none=True, load_default=None)


class ALaCarteIn(Contract):
    enabled = fields.Boolean()
    price = Price(allow_none=True)
    capacity = Count(allow_none=True, metadata={"description": "seats per occurrence"})
    pass_only = fields.Boolean()
    opens_minutes_before = Count(0, MAX_MINUTES, allow_none=True,
                                 metadata={"description": "null: open as soon as published"})
    closes_minutes_before = Count(0, MAX_MINUTES, metadata={"description": "0: until the start"})
    cancellation = fields.Nested(CancellationIn)
    fees = fields.Nested(FeePolicyIn, allow_none=True, metadata={
        "description": "late-cancellation and no-show fees (R8.1); null: none"})


class ActivityIn(Contract):
    program_id = Id(required=True)
    name = Name(required=True)
    accounting_code = AccountingCode()
    restrictions = fields.Nested(RestrictionsIn)
    schedule = fields.Nested(ScheduleIn, allow_none=True)
    session = fields.Nested(SessionIn)
    a_la_carte = fields.Nested(ALaCarteIn)
    tax_codes = TaxCodes()


class ActivityPatch(ActivityIn):
    """A partial Activity: only the fields sent change; ``session``, ``a_la_carte`` (and its
    ``cancellation``), ``restrictions`` and ``schedule`` are merged key by key, lists replace;
    ``schedule: null`` removes the schedule."""

    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class OccurrenceIn(Contract):
    starts_at = fields.DateTime(required=True, metadata={
        "description": "RFC 3339; without an offset, read in the org's timezone"})
    duration_minutes = Count(1, MAX_DURATION, required=True)


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


class PassTypePatch(PassTypeIn):
    """A partial PassType: the current terms with these fields changed become a new terms
    version (R2.9). Setting valid_days clears expires_on and the reverse."""

    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


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


# -- queries (gateway) --------------------------------------------------------------------------

class PageQuery(Contract):
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class ActivitiesQuery(PageQuery):
    program_id = Id()


class RangeQuery(PageQuery):
    from_ = DateOrDateTime(data_key="from", metadata={
        "description": "inclusive; a date (org's timezone) or an RFC 3339 date-time"})
    to = DateOrDateTime(metadata={"description": "exclusive; a date or a date-time"})


class CalendarQuery(RangeQuery):
    from_ = DateOrDateTime(data_key="from", required=True, metadata={
        "description": "inclusive; a date (org's timezone) or an RFC 3339 date-time"})
    to = DateOrDateTime(required=True, metadata={
        "description": "exclusive; a date or a date-time (at most 366 days after from)"})
    program_id = Id()


class SeatConversionIn(Contract):
    seats = Count(1, MAX_CAPACITY, required=True, metadata={
        "description": "how many unsold session seats become à la carte seats (R2.6)"})


class TermsQuery(Contract):
    terms_version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "a past version of the terms (R2.9); default the current one"})


# -- outputs ----------------------------------------------------------------------------------

def Time(**kw):  # noqa: N802
    return fields.String(allow_none=True, metadata={"format": "date-time", **kw})


def Day(**kw):  # noqa: N802
    return fields.String(allow_none=True, metadata={"format": "date", **kw})


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


class ProgramOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String(required=True)


class RestrictionsOut(Schema):
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    genders = fields.List(fields.String())
    membership_type_ids = fields.List(fields.String())
    skills = fields.List(fields.String())


class SlotOut(Schema):
    weekday = fields.Integer()
    start_time = fields.String()
    duration_minutes = fields.Integer()


class ScheduleOut(Schema):
    start_date = Day()
    end_date = Day()
    slots = fields.List(fields.Nested(SlotOut))
    excluded_dates = fields.List(Day())


class SessionOut(Schema):
    enabled = fields.Boolean()
    price = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    opens_at = Time()
    closes_at = Time()
    converted_seats = fields.Integer(metadata={"description": (
        "session seats converted to à la carte seats so far (R2.6); capacity is what is "
        "left")})
    cancellation = fields.Dict(allow_none=True, metadata={
        "description": "{allowed, deadline_minutes_before, refund} (R8.2)"})


class CancellationOut(Schema):
    allowed = fields.Boolean()
    deadline_minutes_before = fields.Integer()


class ALaCarteOut(Schema):
    enabled = fields.Boolean()
    price = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    pass_only = fields.Boolean()
    opens_minutes_before = fields.Integer(allow_none=True)
    closes_minutes_before = fields.Integer()
    cancellation = fields.Nested(CancellationOut)
    fees = fields.Dict(allow_none=True)


class ActivityOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    program_id = fields.String()
    name = fields.String()
    accounting_code = fields.String(allow_none=True)
    restrictions = fields.Nested(RestrictionsOut)
    schedule = fields.Nested(ScheduleOut, allow_none=True)
    session = fields.Nested(SessionOut)
    a_la_carte = fields.Nested(ALaCarteOut)
    occurrence_count = fields.Integer(metadata={"description": "scheduled (not cancelled)"})
    first_starts_at = Time()
    last_ends_at = Time()
    tax_codes = fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})


class OccurrenceCancellationOut(Schema):
    allowed = fields.Boolean()
    deadline_at = Time(description="until when a client may cancel (null: never)")


class OccurrenceALaCarteOut(Schema):
    enabled = fields.Boolean()
    price = fields.Integer(allow_none=True)
    capacity = fields.Integer()
    pass_only = fields.Boolean()
    opens_at = Time(description="null: open as soon as published")
    closes_at = Time()
    cancellation = fields.Nested(OccurrenceCancellationOut)
    bookable = fields.Boolean(metadata={"description": "as far as the catalog knows (status, "
                                                       "offer, window): seats not counted"})
    reason = fields.String(allow_none=True)


class OccurrenceOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    activity_id = fields.String()
    program_id = fields.String()
    activity_name = fields.String()
    starts_at = Time()
    ends_at = Time()
    status = fields.String(metadata={"description": "scheduled or cancelled"})
    origin = fields.String(metadata={"description": "schedule or single"})
    cancelled_at = Time()
    a_la_carte = fields.Nested(OccurrenceALaCarteOut)


class AvailabilityOut(Schema):
    enabled = fields.Boolean()
    price = fields.Integer(allow_none=True)
    capacity = fields.Integer()
    taken = fields.Integer()
    available = fields.Integer()
    bookable = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": (
        "why not bookable: cancelled, a_la_carte_disabled, registration_not_open, "
        "registration_closed, sold_out")})
    pass_only = fields.Boolean()
    opens_at = Time()
    closes_at = Time()


class OccurrenceAvailabilityOut(Schema):
    """An occurrence as the shop and the front desk see it: with à la carte availability."""
    id = fields.String(required=True)
    activity_id = fields.String()
    activity_name = fields.String()
    program_id = fields.String()
    starts_at = Time()
    ends_at = Time()
    status = fields.String()
    a_la_carte = fields.Nested(AvailabilityOut)


class SeatConversionOut(Schema):
    session_capacity = fields.Integer(required=True, metadata={
        "description": "the session seats left after the conversion"})
    a_la_carte_capacity = fields.Integer(required=True, metadata={
        "description": "à la carte seats per occurrence after the conversion (every future "
                       "occurrence gained the converted seats)"})
    seats = fields.Integer(metadata={"description": "seats converted"})


class ServiceOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    duration_minutes = fields.Integer()
    price = fields.Integer()
    accounting_code = fields.String(allow_none=True)
    tax_codes = fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})
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
    tax_codes = fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})


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
    tax_codes = fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})


class MembershipTypeOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    price = fields.Integer()
    duration_days = fields.Integer()
    accounting_code = fields.String(allow_none=True)
    tax_codes = fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})


class SubscriptionPlanOut(Schema):
    id = fields.String(required=True)
    org_id = fields.String()
    name = fields.String()
    monthly_price = fields.Integer()
    activity_ids = fields.List(fields.String())
    accounting_code = fields.String(allow_none=True)
    tax_codes = fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})


def page_of(item_schema, name):
    """``{"items": [...], "next_cursor": …}`` of ``item_schema`` (API.md lists)."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, metadata={
            "description": "pass as ?cursor= for the next page; null on the last"}),
    })


def items_of(item_schema, name):
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item_schema),
                                                       required=True)})


# -- edits (future sales only; audited) ------------------------------------------------------------
class ServicePatch(ServiceIn):
    """A partial Service: the fields sent change, for appointments booked from now on (a
    booked appointment keeps the duration and price it was booked with)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class BundleTypePatch(Contract):
    """Name and accounting code; divisions are what was sold, so a new offer of divisions
    is a new bundle type."""
    name = Name()
    accounting_code = AccountingCode()


class MembershipTypePatch(MembershipTypeIn):
    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class SubscriptionPlanPatch(SubscriptionPlanIn):
    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)
