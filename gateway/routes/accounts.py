"""docs/http-api.md routes: accounts (households and members, R1.2), API keys, staff members."""

from services.accounts.contract.errors import WrongCurrentPassword
from services.accounts.contract.schemas import (AccountCreate, AccountOut, AccountPage, AccountSearch,
                                       ApiKeyCreate, ApiKeyCreated, ApiKeyPage,
                                       MemberCreate, MemberOut, PageQuery, PasswordChange,
                                       StaffCreate, StaffList, StaffMemberOut)
from services.common.errors import Forbidden, InvalidInput

from .. import throttle
from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="accounts")


@blp.route("/orgs/<org>/api-keys", methods=["POST"])
@authorize("admin")
@blp.arguments(ApiKeyCreate)
@blp.response(201, ApiKeyCreated)
def create_api_key(body, org):
    """An API key for an admin or a staff member (admins only; the key is shown once)."""
    return call("accounts", "create_api_key", org, body)


@blp.route("/orgs/<org>/api-keys", methods=["GET"])
@authorize("admin")
@blp.arguments(PageQuery, location="query")
@blp.response(200, ApiKeyPage)
def list_api_keys(query, org):
    """The org's API keys, oldest first, revoked ones included (never the secret: the
    ``prefix`` is the start of the key its holder has)."""
    return call("accounts", "list_api_keys", org, limit=query["limit"], cursor=query["cursor"])


@blp.route("/orgs/<org>/api-keys/<key_id>", methods=["DELETE"])
@authorize("admin")
@blp.response(204)
@blp.alt_response(409, description="last_admin_key: the org's last admin key is kept")
def revoke_api_key(org, key_id):
    """Revoke a key (idempotent): it no longer gets tokens, and its tokens are refused
    within a few seconds (docs/security.md). The key in use may be revoked (rotation); the
    org's last admin key may not."""
    call("accounts", "revoke_api_key", org, key_id)


@blp.route("/orgs/<org>/accounts/<account_id>/password", methods=["POST"])
@authorize()
@blp.arguments(PasswordChange)
@blp.response(204)
@blp.alt_response(429, description="too_many_requests: too many wrong current passwords")
def change_password(body, org, account_id):
    """Set the account's password: its own customer gives ``current_password``; staff and
    admins may set one without it. Every session of the account opened before ends (its
    tokens answer 401); sign in again with the new password."""
    ensure_account_access(account_id)
    principal = current_principal()
    data = PasswordChange().dump(body)
    if principal.is_staff:
        call("accounts", "change_password", org, account_id, data, require_current=False)
        return
    with throttle.guarded(("password", f"{org}|{account_id}"),
                          failures=(WrongCurrentPassword,)):
        call("accounts", "change_password", org, account_id, data, require_current=True)


@blp.route("/orgs/<org>/accounts", methods=["POST"])
@authorize(public=True)
@blp.arguments(AccountCreate)
@blp.response(201, AccountOut)
@blp.doc(security=[{}, {"bearerAuth": []}])
def create_account(body, org):
    """A household account: self sign-up (no token; a password is then required) or
    created by staff (password optional)."""
    principal = current_principal(optional=True)
    if principal is None:
        if not body.get("password"):
            raise InvalidInput("the request is not valid",
                               {"password": ["is required to sign up"]})
        call("catalog", "get_org", org)  # an unknown org is a 404, not a new account
    elif not principal.is_staff:
        raise Forbidden("customers cannot create accounts; sign up without a token")
    return call("accounts", "create_account", org, AccountCreate().dump(body))


@blp.route("/orgs/<org>/accounts", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(AccountSearch, location="query")
@blp.response(200, AccountPage)
def search_accounts(query, org):
    """The POS client search: accounts whose name, owner email or a member's name contains
    ``q`` (case- and accent-insensitive)."""
    return call("accounts", "search_accounts", org, query["q"], limit=query["limit"],
                cursor=query["cursor"])


@blp.route("/orgs/<org>/accounts/<account_id>", methods=["GET"])
@authorize()
@blp.response(200, AccountOut)
def get_account(org, account_id):
    """An account with its members (staff, or the customer who owns it)."""
    ensure_account_access(account_id)
    return call("accounts", "get_account", org, account_id)


@blp.route("/orgs/<org>/accounts/<account_id>/members", methods=["POST"])
@authorize()
@blp.arguments(MemberCreate)
@blp.response(201, MemberOut)
def add_member(body, org, account_id):
    """A member added to a household (staff, or the customer who owns it)."""
    ensure_account_access(account_id)
    return call("accounts", "add_member", org, account_id, MemberCreate().dump(body))


@blp.route("/orgs/<org>/staff", methods=["POST"])
@authorize("admin")
@blp.arguments(StaffCreate)
@blp.response(201, StaffMemberOut)
def create_staff(body, org):
    """A staff member who delivers services in the agenda (R5.1)."""
    return call("accounts", "create_staff", org, body)


@blp.route("/orgs/<org>/staff", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(PageQuery, location="query")
@blp.response(200, StaffList)
def list_staff(query, org):
    """The org's staff members, by name."""
    return call("accounts", "list_staff", org, limit=query["limit"], cursor=query["cursor"])


# -- notification preferences (R7.4, docs/notifications.md) -----------------------------------
from services.notifications.contract import errors as _notification_errors  # noqa: E402,F401
from services.notifications.contract.schemas import PreferencesIn, PreferencesOut  # noqa: E402


@blp.route("/orgs/<org>/accounts/<account_id>/notification-preferences", methods=["GET"])
@authorize()
@blp.response(200, PreferencesOut)
def get_notification_preferences(org, account_id):
    """Which optional e-mails the account receives (staff, or the customer who owns it).
    Transactional ones (receipts, cancellations, declined renewals …) always go."""
    ensure_account_access(account_id)
    return call("notifications", "get_preferences", org, account_id)


@blp.route("/orgs/<org>/accounts/<account_id>/notification-preferences", methods=["PUT"])
@authorize()
@blp.arguments(PreferencesIn)
@blp.response(200, PreferencesOut)
def set_notification_preferences(body, org, account_id):
    """Turn optional e-mails on or off: ``reminders`` (appointment reminders),
    ``pass_alerts`` (a pass about to expire, its last use); omitted fields keep their
    value (staff, or the customer who owns the account)."""
    ensure_account_access(account_id)
    return call("notifications", "set_preferences", org, account_id, body)
