"""Accounts's typed errors (registered so they cross RPC as themselves).

Imported by the gateway: keep this module free of database and broker imports."""
from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    Unauthenticated, remote_error)


@remote_error
class InvalidApiKey(Unauthenticated):
    """The API key is unknown, malformed or does not match (one message for all cases)."""
    code = "unauthenticated"


@remote_error
class InvalidCredentials(Unauthenticated):
    """Wrong email or wrong password: the same message for both, so that a login form
    cannot be used to find out which emails have an account."""
    code = "unauthenticated"


@remote_error
class AccountNotFound(NotFound):
    code = "not_found"


@remote_error
class MemberNotFound(NotFound):
    code = "not_found"


@remote_error
class StaffNotFound(NotFound):
    code = "not_found"


@remote_error
class EmailAlreadyRegistered(BusinessRuleViolation):
    """Owner emails are unique per org, case-insensitively (R1.2)."""
    code = "email_already_registered"


@remote_error
class ApiKeyNotFound(NotFound):
    code = "not_found"


@remote_error
class LastAdminKey(BusinessRuleViolation):
    """The org's last unrevoked admin key cannot be revoked: nobody could then manage the
    org over the API (create a new admin key first)."""
    code = "last_admin_key"


@remote_error
class WrongCurrentPassword(InvalidInput):
    """A customer changing their password gave a wrong ``current_password`` (400, details
    name the field; counted by the gateway's login throttle)."""
    code = "validation_error"


@remote_error
class InvalidResetToken(InvalidInput):
    """A password-reset link unknown, used or expired (400)."""
    code = "invalid_reset_token"
