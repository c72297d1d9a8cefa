"""Typed errors that cross RPC.

Every service's ``exceptions.py`` subclasses one of the categories below and registers the
class with :func:`remote_error`, so that Nameko rebuilds the same type on the caller's side.
The gateway maps categories to HTTP statuses in one table (``gateway/errors.py``); the
``code`` of each class is the API's error code (docs/domain.md, docs/http-api.md).

Arguments are ``(message, details)`` so they survive Nameko's JSON serialisation.
"""
import json

from nameko.exceptions import deserialize_to_instance


def _encode(details):
    return json.dumps(details, default=str, sort_keys=True)


def _decode(text):
    try:
        value = json.loads(text)
    except ValueError:
        return {"detail": text}
    return value if isinstance(value, dict) else {"detail": value}


class CarnetError(Exception):
    code = "error"

    def __init__(self, message=None, details=None):
        message = message or self.code.replace("_", " ")
        if isinstance(details, str):  # rebuilt on the caller's side of an RPC
            details = _decode(details)
        details = details or {}
        # Nameko turns every argument that is not a string, list or dict into text; the
        # details travel as JSON so that numbers and booleans arrive as themselves.
        super().__init__(message, _encode(details))
        self.message = message
        self.details = details

    def __str__(self):
        return self.message

    def to_dict(self):
        return {"code": self.code, "message": self.message, "details": self.details}


def remote_error(cls):
    """Register an error type so it is rebuilt as itself across RPC."""
    return deserialize_to_instance(cls)


@remote_error
class InvalidInput(CarnetError):
    """400: the request does not meet the contract (details: field -> messages)."""
    code = "validation_error"


@remote_error
class Unauthenticated(CarnetError):
    code = "unauthenticated"


@remote_error
class Forbidden(CarnetError):
    code = "forbidden"


@remote_error
class NotFound(CarnetError):
    code = "not_found"


@remote_error
class BusinessRuleViolation(CarnetError):
    """409: a domain rule refused the request; subclasses set ``code``."""
    code = "conflict"


@remote_error
class PaymentDeclined(CarnetError):
    code = "payment_declined"


@remote_error
class ServiceUnavailable(CarnetError):
    code = "service_unavailable"



@remote_error
class TooManyRequests(CarnetError):
    """429: too many failed attempts (sign-in throttling); ``retry_after`` seconds, sent as
    the ``Retry-After`` header."""
    code = "too_many_requests"

    def __init__(self, message=None, details=None, retry_after=None):
        super().__init__(message, details)
        if retry_after is None and isinstance(self.details, dict):
            retry_after = self.details.get("retry_after")
        self.retry_after = retry_after

# -- Idempotency-Key (docs/http-api.md conventions): the gateway's store, and billing's own records ------

@remote_error
class IdempotencyKeyReused(BusinessRuleViolation):
    code = "idempotency_key_reused"


@remote_error
class IdempotencyKeyInProgress(BusinessRuleViolation):
    code = "idempotency_key_in_progress"
