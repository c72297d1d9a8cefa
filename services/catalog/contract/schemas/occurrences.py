"""Occurrences (R2.1): one added outside the schedule, ranges and the shop's calendar, and
an occurrence with its à la carte availability as the gateway shows it."""
from marshmallow import Schema, fields

from services.common.schemas import Contract

from .common import MAX_DURATION, Count, DateOrDateTime, Id, PageQuery, Time


class OccurrenceIn(Contract):
    starts_at = fields.DateTime(required=True, metadata={
        "description": "RFC 3339; without an offset, read in the org's timezone"})
    duration_minutes = Count(1, MAX_DURATION, required=True)


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
