"""The events accounts publishes (exchange ``accounts.events``): a constant per type, the
schema of its ``data`` payload, its version. Consumers subscribe with these constants:
``@event_handler("accounts", accounts_events.MEMBER_UPDATED)``.

Members: ``member_created`` (each member of a new account, and each one added later) and
``member_updated`` carry the whole member (``MemberPayload``), so a consumer can keep its
own copy of what it needs (birth date, gender, skills) without asking by RPC.
``account_created`` and ``member_added`` are kept as they were for their consumers."""
from services.common.schemas import Contract, fields

from .schemas import AccountOut, MemberOut

API_KEY_REVOKED = "api_key_revoked"
ACCOUNT_PASSWORD_CHANGED = "account_password_changed"
ACCOUNT_CREATED = "account_created"
ACCOUNT_UPDATED = "account_updated"
MEMBER_ADDED = "member_added"
MEMBER_CREATED = "member_created"
MEMBER_UPDATED = "member_updated"
STAFF_CREATED = "staff_created"
STAFF_UPDATED = "staff_updated"
PASSWORD_RESET_REQUESTED = "password_reset_requested"
PASSWORD_RESET_COMPLETED = "password_reset_completed"


class ApiKeyRevoked(Contract):
    org_id = fields.String(required=True)
    key_id = fields.String(required=True)
    role = fields.String(required=True)
    revoked_at = fields.String(required=True)


class AccountPasswordChanged(Contract):
    org_id = fields.String(required=True)
    account_id = fields.String(required=True)
    credential_version = fields.Integer(required=True)


class MemberPayload(MemberOut):
    """id, org_id, account_id, first_name, last_name, birth_date (YYYY-MM-DD), gender,
    skills."""


class StaffPayload(Contract):
    id = fields.String(required=True)
    org_id = fields.String(required=True)
    name = fields.String(required=True)


class PasswordResetRequested(Contract):
    org_id = fields.String(required=True)
    account_id = fields.String(required=True)
    email = fields.String(required=True)
    reset_url = fields.String(required=True)
    expires_at = fields.String(required=True)


class PasswordResetCompleted(Contract):
    org_id = fields.String(required=True)
    account_id = fields.String(required=True)


PAYLOADS = {
    API_KEY_REVOKED: ApiKeyRevoked,
    ACCOUNT_PASSWORD_CHANGED: AccountPasswordChanged,
    ACCOUNT_CREATED: AccountOut,
    ACCOUNT_UPDATED: AccountOut,
    MEMBER_ADDED: MemberPayload,
    MEMBER_CREATED: MemberPayload,
    MEMBER_UPDATED: MemberPayload,
    STAFF_CREATED: StaffPayload,
    STAFF_UPDATED: StaffPayload,
    PASSWORD_RESET_REQUESTED: PasswordResetRequested,
    PASSWORD_RESET_COMPLETED: PasswordResetCompleted,
}
VERSIONS = {event_type: 1 for event_type in PAYLOADS}
