"""Passes's typed errors (registered so they cross RPC as themselves).

Imported by the gateway and by the services that call passes (registration, billing): keep
this module free of database and broker imports. The ``code`` of each business-rule error is
the API's error code (docs/domain.md R3.4, R4.4, R4.6).
"""
from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    remote_error)


# -- not found ---------------------------------------------------------------------------------
@remote_error
class PassNotFound(NotFound):
    code = "not_found"


@remote_error
class PassUseNotFound(NotFound):
    """``credit_pass`` for a registration that never debited this pass: nothing to give
    back (details: pass_id, registration_id)."""
    code = "not_found"


@remote_error
class BundleNotFound(NotFound):
    code = "not_found"


@remote_error
class MembershipNotFound(NotFound):
    code = "not_found"


@remote_error
class InvalidPassesInput(InvalidInput):
    """400 ``validation_error`` raised by the passes rules (details: field -> messages)."""


# -- passes (R3.4) -----------------------------------------------------------------------------
@remote_error
class PassNotEligible(BusinessRuleViolation):
    """The pass does not cover this booking. ``details.reason``: ``activity`` (not in the
    terms' eligible activities) or ``holder`` (neither held by the member nor a family pass
    of the member's account)."""
    code = "pass_not_eligible"


@remote_error
class PassExpired(BusinessRuleViolation):
    """The occurrence starts at or after the pass's expiry (details: expires_at)."""
    code = "pass_expired"


@remote_error
class PassExhausted(BusinessRuleViolation):
    """No use left (details: uses_total, uses_left)."""
    code = "pass_exhausted"


@remote_error
class PassRevoked(BusinessRuleViolation):
    """The pass was revoked (its invoice was voided, R6.5): it can no longer be used or
    changed."""
    code = "pass_revoked"


# -- bundles (R4.4-R4.7) -----------------------------------------------------------------------
@remote_error
class ClientRequired(BusinessRuleViolation):
    """A bundle is always sold to a named client: no walk-in sale (R4.4)."""
    code = "client_required"


@remote_error
class BundleExhausted(BusinessRuleViolation):
    """No remaining use of that service in the bundle (details: service_id, total, booked,
    used, remaining)."""
    code = "bundle_exhausted"


@remote_error
class BundleNotApplicable(BusinessRuleViolation):
    """The bundle cannot pay for this appointment: the service is not in it, the bundle is
    revoked, or the appointment was booked on it for another service (details.reason)."""
    code = "bundle_not_applicable"
