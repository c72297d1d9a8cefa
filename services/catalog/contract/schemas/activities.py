"""Programs and activities: restrictions, schedule, the session and à la carte offers, seat
conversions (R2.1 to R2.7, R8.1, R8.2)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.schemas import Contract

from .common import (MAX_CAPACITY, MAX_DURATION, MAX_MINUTES, AccountingCode, Count, Day, Id,
                     Name, PageQuery, Partial, Price, TaxCodes, TaxCodesOut, Time, valid_hhmm)


# -- inputs -----------------------------------------------------------------------------------

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
    start_time = fields.String(required=True, validate=valid_hhmm,
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


class ActivityPatch(Partial, ActivityIn):
    """A partial Activity: only the fields sent change; ``session``, ``a_la_carte`` (and its
    ``cancellation``), ``restrictions`` and ``schedule`` are merged key by key, lists replace;
    ``schedule: null`` removes the schedule."""


class ActivitiesQuery(PageQuery):
    program_id = Id()


class SeatConversionIn(Contract):
    seats = Count(1, MAX_CAPACITY, required=True, metadata={
        "description": "how many unsold session seats become à la carte seats (R2.6)"})


# -- outputs ----------------------------------------------------------------------------------

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
    tax_codes = TaxCodesOut()
    revision = fields.Integer(metadata={"description": (
        "1 when created, one more with every change to the activity or its occurrences")})


class SeatConversionOut(Schema):
    session_capacity = fields.Integer(required=True, metadata={
        "description": "the session seats left after the conversion"})
    a_la_carte_capacity = fields.Integer(required=True, metadata={
        "description": "à la carte seats per occurrence after the conversion (every future "
                       "occurrence gained the converted seats)"})
    seats = fields.Integer(metadata={"description": "seats converted"})
