"""Marshmallow helpers shared by the services' contracts."""
from marshmallow import Schema, ValidationError, fields, validate, EXCLUDE, RAISE

from .errors import InvalidInput


class Contract(Schema):
    """Base of RPC/API contracts: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = RAISE
        ordered = True


class Money(fields.Integer):
    """An amount in minor units (R1.3): a non-negative integer, never a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=0))
        super().__init__(**kwargs)


def load(schema, data, **kwargs):
    """Validate ``data`` with ``schema`` or raise :class:`InvalidInput` with field details."""
    try:
        return schema.load(data if data is not None else {}, **kwargs)
    except ValidationError as exc:
        raise InvalidInput("the request is not valid", exc.messages)


def dump(schema, obj, many=False):
    return schema.dump(obj, many=many)


def require_id(name, value):
    """An id or org id argument of an RPC: a non-empty string of at most 64 characters;
    anything else is the caller's mistake (``validation_error`` naming ``name``)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise InvalidInput("the request is not valid", {name: ["must be a non-empty id"]})
    return value


__all__ = ["Contract", "Money", "load", "dump", "require_id", "fields", "validate", "EXCLUDE",
           "RAISE", "ValidationError"]

