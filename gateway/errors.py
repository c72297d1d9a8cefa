"""The one table that maps errors to the API's HTTP statuses and envelope (docs/http-api.md).

Services raise typed errors (``services/*/exceptions.py``) that subclass a category of
``services.common.errors``; the category decides the status, the class decides the code.
"""
import logging

from flask import jsonify
from marshmallow import Schema, fields
from nameko.exceptions import RemoteError
from sqlalchemy import exc as sa_exc

from services.common.errors import (BusinessRuleViolation, CarnetError, Forbidden,
                                    InvalidInput, NotFound, PaymentDeclined,
                                    ServiceUnavailable, TooManyRequests, Unauthenticated)

# Importing the services' exception modules registers their types with Nameko, so errors
# arrive here as themselves rather than as RemoteError.
from services.accounts.contract import errors as _accounts  # noqa: F401
from services.billing.contract import errors as _billing  # noqa: F401
from services.catalog.contract import errors as _catalog  # noqa: F401
from services.passes.contract import errors as _passes  # noqa: F401
from services.registration.contract import errors as _registration  # noqa: F401

log = logging.getLogger(__name__)

STATUS_BY_CATEGORY = (
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (PaymentDeclined, 402),
    (Forbidden, 403),
    (NotFound, 404),
    (BusinessRuleViolation, 409),
    (TooManyRequests, 429),
    (ServiceUnavailable, 503),
)

# HTTP errors raised by Flask/werkzeug itself (unknown route, wrong method, bad JSON …).
CODE_BY_STATUS = {
    400: "validation_error", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 500: "internal_error",
    503: "service_unavailable",
}
CODE_BY_STATUS[429] = "too_many_requests"  # sign-in throttling (gateway/throttle.py)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorBody, required=True)


def envelope(status, code, message, details=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def status_for(error: CarnetError) -> int:
    for category, status in STATUS_BY_CATEGORY:
        if isinstance(error, category):
            return status
    return 500


def carnet_error_response(error: CarnetError):
    response = envelope(status_for(error), error.code, error.message, error.details)
    if getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(int(error.retry_after))
    return response


def unexpected_error_response(error):
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        # the gateway's own database (Idempotency-Key store) restarting: retry later
        log.warning("the gateway's database is not reachable: %s", error)
        return envelope(503, "service_unavailable", "the database is not reachable; retry")
    if isinstance(error, RemoteError):
        log.error("unregistered remote error: %s", error)
    else:
        log.exception("unexpected error in the gateway")
    return envelope(500, "internal_error", "something went wrong on our side; it was logged")
