"""Marshmallow contracts of accounts's RPC methods and events (docs/contracts.md), also
used by the gateway's routes so that both validate the same way.

Input schemas refuse unknown fields. Output schemas carry what the service already made
JSON-ready (dates and times as strings), so dumping them again is the identity: the
gateway can use them in ``@blp.response`` for the OpenAPI document.
"""
from marshmallow import ValidationError

from services.common.pagination import MAX_LIMIT
from services.common.schemas import Contract, fields, validate

from . import credentials


class Text(fields.String):
    """A string with surrounding whitespace removed before validation."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return value.strip()


class EmailAddress(fields.Email):
    """An email, trimmed before validation (lower-casing is the domain's job)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return value.strip()


def _password(value):
    problems = credentials.policy_problems(value)
    if problems:
        raise ValidationError(problems)


# -- inputs ---------------------------------------------------------------------------------
class ApiKeyCreate(Contract):
    role = fields.String(required=True, validate=validate.OneOf(credentials.ROLES))
    name = Text(required=True, validate=validate.Length(min=1, max=200))


class TokenRequest(Contract):
    api_key = fields.String(required=True, validate=validate.Length(min=1, max=500))


class LoginRequest(Contract):
    org_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class MemberCreate(Contract):
    first_name = Text(required=True, validate=validate.Length(min=1, max=100))
    last_name = Text(required=True, validate=validate.Length(min=1, max=100))
    birth_date = fields.Date(required=True, metadata={"description": "YYYY-MM-DD"})
    gender = fields.String(load_default=credentials.DEFAULT_GENDER,
                           validate=validate.OneOf(credentials.GENDERS),
                           metadata={"description": " | ".join(credentials.GENDERS)})
    skills = fields.List(Text(validate=validate.Length(min=1, max=100)), load_default=list,
                         validate=validate.Length(max=50))


class AccountCreate(Contract):
    email = EmailAddress(required=True, validate=validate.Length(max=254))
    password = fields.String(load_default=None, allow_none=True, validate=_password,
                             metadata={"description": f"{credentials.MIN_LENGTH} to "
                                                      f"{credentials.MAX_LENGTH} characters"})
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    members = fields.List(fields.Nested(MemberCreate), required=True,
                          validate=validate.Length(min=1, max=30),
                          metadata={"description": "one or more (R1.2)"})


class PasswordChange(Contract):
    current_password = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(min=1, max=1024), metadata={
                                         "description": "required from the account's own "
                                                        "customer; staff may omit it"})
    new_password = fields.String(required=True, validate=_password, metadata={
        "description": f"{credentials.MIN_LENGTH} to {credentials.MAX_LENGTH} characters"})


class StaffCreate(Contract):
    name = Text(required=True, validate=validate.Length(min=1, max=200))


class PageQuery(Contract):
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None)


class AccountSearch(PageQuery):
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "fragment of the account name, the owner "
                                               "email or a member's name"})


# -- outputs --------------------------------------------------------------------------------
class MemberOut(Contract):
    id = fields.String(required=True)
    account_id = fields.String(required=True)
    org_id = fields.String()
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    birth_date = fields.String(required=True, metadata={"format": "date"})
    gender = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)


class AccountOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String()
    email = fields.String(required=True)
    name = fields.String(required=True)
    members = fields.List(fields.Nested(MemberOut), required=True)
    created_at = fields.String(metadata={"format": "date-time"})


class AccountPage(Contract):
    items = fields.List(fields.Nested(AccountOut), required=True)
    next_cursor = fields.String(allow_none=True)


class ApiKeyCreated(Contract):
    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    api_key = fields.String(required=True, metadata={"description": "shown once"})
    created_at = fields.String(metadata={"format": "date-time"})


class ApiKeyOut(Contract):
    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    prefix = fields.String(required=True, metadata={
        "description": "the start of the key (ck_…), never its secret"})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    revoked_at = fields.String(required=True, allow_none=True,
                               metadata={"format": "date-time"})


class ApiKeyPage(Contract):
    items = fields.List(fields.Nested(ApiKeyOut), required=True)
    next_cursor = fields.String(allow_none=True)


class CredentialState(Contract):
    version = fields.Integer(required=True, allow_none=True, metadata={
        "description": "tokens must carry this cv; null: the key is revoked or unknown"})


class TokenOut(Contract):
    token = fields.String(required=True)
    expires_at = fields.String(required=True, metadata={"format": "date-time"})


class StaffMemberOut(Contract):
    id = fields.String(required=True)
    name = fields.String(required=True)


class StaffList(Contract):
    items = fields.List(fields.Nested(StaffMemberOut), required=True)
    next_cursor = fields.String(allow_none=True)


class MemberList(Contract):
    items = fields.List(fields.Nested(MemberOut), required=True)


# -- edits, audit, password reset (issue 17) --------------------------------------------------------
class AccountPatch(Contract):
    email = EmailAddress(validate=validate.Length(max=254))
    name = Text(validate=validate.Length(min=1, max=200))


class MemberPatch(MemberCreate):
    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class StaffPatch(Contract):
    name = Text(required=True, validate=validate.Length(min=1, max=200))


class AuditQuery(Contract):
    entity = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=40))
    entity_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=64))
    limit = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, allow_none=True)


class AuditEntryOut(Contract):
    id = fields.String(required=True)
    entity = fields.String(required=True, metadata={
        "description": "account | member | staff | service | bundle_type | membership_type "
                       "| subscription_plan"})
    entity_id = fields.String(required=True)
    action = fields.String(required=True)
    actor = fields.String(allow_none=True, metadata={"description": "role:subject"})
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    occurred_at = fields.String(required=True)


class AuditPage(Contract):
    items = fields.List(fields.Nested(AuditEntryOut), required=True)
    next_cursor = fields.String(allow_none=True)


class PasswordResetRequest(Contract):
    org_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class PasswordResetConfirm(Contract):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = fields.String(required=True, validate=_password)


class AcceptedOut(Contract):
    status = fields.String(required=True)
