"""Billing's calls to other services, with a time limit.

Nameko 2's RPC proxy waits for a reply for ever; a checkout step must not (its lease would
lapse while it waits), so every call here gives up after ``timeout`` seconds. A call that
gave up may still be executed later by the other service (the request stays in its
queue), which is why every step billing asks for is idempotent.

For the saga (:class:`Seats`), answers are sorted into what the saga understands:
a typed refusal (business rule, not found, invalid) is :class:`StepRefused`; no answer
(timeout, service down, unexpected remote error) is :class:`StepUnavailable`.
"""
import logging

import eventlet
from nameko.exceptions import RemoteError, UnknownService

from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    ServiceUnavailable)

from ..domain.checkout import StepRefused, StepUnavailable

log = logging.getLogger(__name__)


def call_with_timeout(proxy, service_name, method, timeout, *args, **kwargs):
    """``proxy.method(*args, **kwargs)``, or :class:`ServiceUnavailable` after ``timeout``."""
    limit = eventlet.Timeout(timeout)
    try:
        return getattr(proxy, method)(*args, **kwargs)
    except eventlet.Timeout as expired:
        if expired is not limit:
            raise
        raise ServiceUnavailable(f"{service_name}.{method} did not answer within {timeout:g}s")
    except UnknownService:
        raise ServiceUnavailable(f"{service_name} is not running")
    finally:
        limit.cancel()


def refusal(error) -> dict:
    return {"code": getattr(error, "code", "error"),
            "message": getattr(error, "message", str(error)),
            "details": getattr(error, "details", {}) or {}}


class RegistrationSeats:
    """Registration's RPCs as the saga needs them (docs/contracts.md, "registration")."""

    def __init__(self, proxy, timeout):
        self.proxy = proxy
        self.timeout = timeout

    def _step(self, method, *args):
        try:
            return call_with_timeout(self.proxy, "registration", method, self.timeout, *args)
        except (NotFound, BusinessRuleViolation, InvalidInput) as refused:
            raise StepRefused(refusal(refused))
        except (ServiceUnavailable, RemoteError, ConnectionError, OSError) as problem:
            raise StepUnavailable(str(problem))

    def confirm(self, org_id, registration_ids, invoice_id):
        return self._step("confirm", org_id, list(registration_ids), invoice_id)["items"]

    def cancel_for_invoice(self, org_id, invoice_id):
        return self._step("cancel_for_invoice", org_id, invoice_id)["items"]

    def release(self, org_id, registration_id):
        return self._step("release", org_id, registration_id)

    def hold(self, org_id, data):
        """Not a saga step: refusals (``sold_out`` …) reach the caller as themselves."""
        return call_with_timeout(self.proxy, "registration", "hold", self.timeout, org_id, data)
