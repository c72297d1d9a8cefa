"""Editing what was created (issue 17): services, bundle types, membership types and
subscription plans (admins; future sales only), accounts and members (staff, or the
customer for their own household), staff members (admins); every edit audited and readable
by admins (``GET /orgs/{org}/audit``). Password reset by e-mail link (public). See
docs/policies.md."""
from flask_smorest import Blueprint

from services.accounts.contract.schemas import (AcceptedOut, AccountOut, AccountPatch, AuditPage,
                                       AuditQuery, MemberOut, MemberPatch,
                                       PasswordResetConfirm, PasswordResetRequest,
                                       StaffMemberOut, StaffPatch)
from services.catalog.contract import schemas as catalog

from ..auth import authorize, current_principal, ensure_account_access
from ..rpc import call

blp = Blueprint("edits", __name__, url_prefix="/api/v1",
                description="edits (audited) and password reset")


def _actor():
    principal = current_principal()
    return f"{principal.role}:{principal.subject}"[:64]


# -- catalog (admins) ---------------------------------------------------------------------------
@blp.route("/orgs/<org>/services/<object_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(catalog.ServicePatch)
@blp.response(200, catalog.ServiceOut)
def patch_service(body, org, object_id):
    """Name, duration, price, accounting code, fees: for appointments booked from now on."""
    return call("catalog", "update_service", org, object_id, body, _actor())


@blp.route("/orgs/<org>/bundle-types/<object_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(catalog.BundleTypePatch)
@blp.response(200, catalog.BundleTypeOut)
def patch_bundle_type(body, org, object_id):
    """Name and accounting code (new divisions are a new bundle type)."""
    return call("catalog", "update_bundle_type", org, object_id, body, _actor())


@blp.route("/orgs/<org>/membership-types/<object_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(catalog.MembershipTypePatch)
@blp.response(200, catalog.MembershipTypeOut)
def patch_membership_type(body, org, object_id):
    """For memberships sold from now on."""
    return call("catalog", "update_membership_type", org, object_id, body, _actor())


@blp.route("/orgs/<org>/subscription-plans/<object_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(catalog.SubscriptionPlanPatch)
@blp.response(200, catalog.SubscriptionPlanOut)
def patch_subscription_plan(body, org, object_id):
    """For subscriptions sold from now on (a subscription keeps what it was sold with)."""
    return call("catalog", "update_subscription_plan", org, object_id, body, _actor())


# -- accounts, members, staff -------------------------------------------------------------------
@blp.route("/orgs/<org>/accounts/<account_id>", methods=["PATCH"])
@authorize()
@blp.arguments(AccountPatch)
@blp.response(200, AccountOut)
def patch_account(body, org, account_id):
    """The household's name and owner e-mail (staff, or the customer)."""
    ensure_account_access(account_id)
    return call("accounts", "update_account", org, account_id, body, _actor())


@blp.route("/orgs/<org>/members/<member_id>", methods=["PATCH"])
@authorize()
@blp.arguments(MemberPatch)
@blp.response(200, MemberOut)
def patch_member(body, org, member_id):
    """A member's fields (staff, or the customer for their own household)."""
    member = call("accounts", "get_member", org, member_id)
    ensure_account_access(member["account_id"])
    return call("accounts", "update_member", org, member_id, body, _actor())


@blp.route("/orgs/<org>/staff/<staff_id>", methods=["PATCH"])
@authorize("admin")
@blp.arguments(StaffPatch)
@blp.response(200, StaffMemberOut)
def patch_staff(body, org, staff_id):
    return call("accounts", "update_staff", org, staff_id, body, _actor())


@blp.route("/orgs/<org>/audit", methods=["GET"])
@authorize("admin")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditPage)
def audit(query, org):
    """Edits, newest first: who (``role:subject``), when, before and after."""
    return call("accounts", "list_audit", org, query)


# -- password reset (public) ----------------------------------------------------------------------
@blp.route("/auth/password-reset", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(PasswordResetRequest)
@blp.response(202, AcceptedOut)
def password_reset(body):
    """Ask for a reset link by e-mail. The answer is the same whether the e-mail is known or
    not; at most one link per account per minute is sent."""
    return call("accounts", "request_password_reset", body["org_id"], body["email"])


@blp.route("/auth/password-reset/confirm", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(PasswordResetConfirm)
@blp.response(200, AcceptedOut)
def password_reset_confirm(body):
    """Set a new password with the link's token (once; ``invalid_reset_token``)."""
    return call("accounts", "confirm_password_reset", body["token"], body["password"])
