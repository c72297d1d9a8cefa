"""What every topic of catalog's contract shares: bounds, field factories, the
``from``/``to`` bound, output times and dates, pages, partial (PATCH) schemas."""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate

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


def valid_timezone(value):
    if not is_timezone(value):
        raise ValidationError("an IANA timezone name, e.g. America/Montreal")


def valid_hhmm(value):
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


def Time(**kw):  # noqa: N802
    return fields.String(allow_none=True, metadata={"format": "date-time", **kw})


def Day(**kw):  # noqa: N802
    return fields.String(allow_none=True, metadata={"format": "date", **kw})


def TaxCodesOut():  # noqa: N802 - a field factory
    return fields.List(fields.String(), allow_none=True, metadata={
        "description": "null: all the org's taxes; []: exempt (R7.1)"})


class Partial:
    """A PATCH schema: the input schema it extends, loaded with ``partial=True`` (only the
    fields sent are present, so the domain merges them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class PageQuery(Contract):
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


def page_of(item_schema, name):
    """``{"items": [...], "next_cursor": …}`` of ``item_schema`` (docs/http-api.md lists)."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, metadata={
            "description": "pass as ?cursor= for the next page; null on the last"}),
    })
