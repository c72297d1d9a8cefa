"""Marshmallow helpers shared by the services' contracts, and the input bounds every
contract enforces (issue 11: "every input has bounds"; the list is in docs/limits.md).

The bounds are decided once, here, and applied to every :class:`Contract`:

- on every string anywhere in the input (fields, nested objects, dicts, lists): no NUL
  character, no lone surrogate (neither can be stored or sent on), at most
  ``MAX_STRING`` characters; nesting at most ``MAX_DEPTH`` levels;
- on the declared fields (:meth:`Contract.on_bind_field`): dates and date-times within
  ``MIN_DATE`` .. ``MAX_DATE``; integers within 32 bits; money (:class:`Money`) within
  0 .. ``MAX_MONEY`` minor units; strings without a length of their own at most
  ``MAX_STRING``; lists at most ``MAX_ITEMS`` long. Field-specific validators still apply
  (the stricter wins).
"""
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, EXCLUDE, RAISE

from .errors import InvalidInput

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)
MAX_MONEY = 10 ** 11            # minor units: a billion in a two-decimal currency
MAX_INT = 2 ** 31 - 1           # any other integer (counts, minutes, versions)
MIN_INT = -(2 ** 31)
MAX_STRING = 10_000             # characters, for a string with no length of its own
MAX_ITEMS = 500                 # elements of a list
MAX_DEPTH = 32                  # nesting of objects and lists in one input

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_reason(text):
    """Why a string cannot be accepted (NUL, lone surrogate), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return "must not contain NUL characters" if found.group() == "\x00" else \
        "must be valid Unicode (no lone surrogates)"


def check_text(text, max_length=MAX_STRING):
    """The bounds of one string, as a list of messages (empty: fine)."""
    reason = unstorable_reason(text)
    if reason:
        return [reason]
    if len(text) > max_length:
        return [f"at most {max_length} characters"]
    return []


def _walk(value, path, depth, errors):
    if depth > MAX_DEPTH:
        errors[path or "_schema"] = [f"nested more than {MAX_DEPTH} levels deep"]
        return
    if isinstance(value, str):
        messages = check_text(value)
        if messages:
            errors[path or "_schema"] = messages
    elif isinstance(value, Mapping):  # a dict, or webargs' view of a query string
        for key in value:
            item = value[key]
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and check_text(key, 200):
                errors[path or "_schema"] = ["a field name is not valid"]
                continue
            _walk(item, name, depth + 1, errors)
    elif isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            errors[path or "_schema"] = [f"at most {MAX_ITEMS} items"]
            return
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}" if path else str(index), depth + 1, errors)


def check_input(data):
    """Raise :class:`ValidationError` (field path -> messages) if anything in ``data`` is
    out of the shared bounds (strings, lists, depth)."""
    errors = {}
    _walk(data, "", 0, errors)
    if errors:
        raise ValidationError(errors)


class _Bound:
    """A shared bound of a declared field. Not a ``validate.Range``/``Length`` on purpose:
    the same contracts describe responses in the OpenAPI document, where a maximum would
    be wrong for a sum (an invoice's total may exceed one price's bound); the bounds are
    listed in docs/limits.md instead."""

    def __init__(self, low, high, message):
        self.low, self.high, self.message = low, high, message

    def __call__(self, value):
        if value is None:
            return
        if isinstance(value, datetime):
            try:
                value = (value.astimezone(timezone.utc) if value.tzinfo else value).date()
            except OverflowError:  # year 1 or 9999 with an offset
                raise ValidationError(self.message)
        if isinstance(value, (list, tuple, str)):
            if len(value) > self.high:
                raise ValidationError(self.message)
        elif not self.low <= value <= self.high:
            raise ValidationError(self.message)


MONEY_BOUND = _Bound(0, MAX_MONEY, f"must be between 0 and {MAX_MONEY} (minor units)")
INT_BOUND = _Bound(MIN_INT, MAX_INT, f"must be between {MIN_INT} and {MAX_INT}")
DATE_BOUND = _Bound(MIN_DATE, MAX_DATE, f"must be between {MIN_DATE.isoformat()} and "
                                        f"{MAX_DATE.isoformat()}")
LIST_BOUND = _Bound(0, MAX_ITEMS, f"at most {MAX_ITEMS} items")
STRING_BOUND = _Bound(0, MAX_STRING, f"at most {MAX_STRING} characters")


def bound_field(field_obj):
    """Add the shared bounds to one declared field (once per field instance)."""
    if getattr(field_obj, "_carnet_bounded", False):
        return
    field_obj._carnet_bounded = True
    if isinstance(field_obj, Money):
        extra = MONEY_BOUND
    elif isinstance(field_obj, fields.Integer):
        extra = INT_BOUND
    elif isinstance(field_obj, (fields.Date, fields.DateTime)):
        extra = DATE_BOUND
    elif isinstance(field_obj, fields.String):
        extra = STRING_BOUND
    elif isinstance(field_obj, fields.List):
        extra = LIST_BOUND
    else:
        extra = None
    if extra is not None:
        field_obj.validators = [*field_obj.validators, extra]
    inner = getattr(field_obj, "inner", None)  # a List's element field
    if inner is not None:
        bound_field(inner)


class Contract(Schema):
    """Base of RPC/API contracts: unknown fields are an error, not silently dropped; every
    input is held to the shared bounds (module docstring)."""

    class Meta:
        unknown = RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        bound_field(field_obj)

    def load(self, data, *args, **kwargs):
        check_input(data)
        return super().load(data, *args, **kwargs)


class Money(fields.Integer):
    """An amount in minor units (R1.3): a non-negative integer, never a float, at most
    ``MAX_MONEY``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=0))
        super().__init__(**kwargs)


_instances = {}  # schema class -> its one instance in this process


def instance(schema):
    """``schema`` itself if it is an instance; for a class, one instance made the first
    time and reused. Building a schema deep-copies its declared fields (and a ``Nested``
    field builds its schema again on first use), which cost an RPC like ``debit_pass``
    about a tenth of its CPU when every call built its schemas afresh (issue 14). A schema
    keeps no state between loads or dumps, so one instance serves every call and thread."""
    if not isinstance(schema, type):
        return schema
    found = _instances.get(schema)
    if found is None:
        found = _instances.setdefault(schema, schema())
    return found


def load(schema, data, **kwargs):
    """Validate ``data`` with ``schema`` (a class or an instance) or raise
    :class:`InvalidInput` with field details."""
    try:
        return instance(schema).load(data if data is not None else {}, **kwargs)
    except ValidationError as exc:
        raise InvalidInput("the request is not valid", exc.messages)


def dump(schema, obj, many=False):
    """``obj`` serialized by ``schema`` (a class or an instance)."""
    return instance(schema).dump(obj, many=many)


def require_id(name, value):
    """An id or org id argument of an RPC: a non-empty string of at most 64 characters
    that can be stored (no NUL, no lone surrogate); anything else is the caller's mistake
    (``validation_error`` naming ``name``)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64 \
            or unstorable_reason(value):
        raise InvalidInput("the request is not valid", {name: ["must be a non-empty id"]})
    return value


__all__ = ["Contract", "Money", "instance", "load", "dump", "require_id", "fields", "validate",
           "EXCLUDE", "RAISE", "ValidationError", "check_input", "check_text", "unstorable_reason",
           "MIN_DATE", "MAX_DATE", "MAX_MONEY", "MAX_INT", "MAX_STRING", "MAX_ITEMS",
           "MAX_DEPTH"]
