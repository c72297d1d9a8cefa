"""Editing what was created (issue 17): services, bundle types, membership types and
subscription plans (admins; future sales only), accounts and members (staff, or the
customer for their own household), staff members (admins); every edit audited and readable
by admins (``GET /orgs/{org}/audit``). Password reset by e-mail link (public). See
docs/policies.md."""

from services.accounts.contract.schemas import (AcceptedOut, AccountOut, AccountPatch, AuditPage,
                                       AuditQuery, MemberOut, MemberPatch,
                                       PasswordResetConfirm, PasswordResetRequest,
                                       StaffMemberOut, StaffPatch)
from services.catalog.contract import schemas as catalog

from ..auth import authorize, current_principal, ensure_account_access
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("edits", __name__, url_prefix="/api/v1",
                description="edits (audited) and password reset")


def _actor():
    principal = current_principal()
    return f"{principal.role}:{principal.subject}"[:64]


# -- catalog (admins) ---------------------------------------------------------------------------
def _catalog_edit(path, entity, patch_schema, out_schema, doc):
    """``PATCH /orgs/{org}/<path>/{object_id}``: ``catalog.update_<entity>`` with the actor."""

    def patch(body, org, object_id):
        return call("catalog", f"update_{entity}", org, object_id, body, _actor())

    patch.__name__, patch.__doc__ = f"patch_{entity}", doc
    blp.route(f"/orgs/<org>/{path}/<object_id>", methods=["PATCH"])(authorize("admin")(
        blp.arguments(patch_schema)(blp.response(200, out_schema)(patch))))


_catalog_edit("services", "service", catalog.ServicePatch, catalog.ServiceOut,
              "Name, duration, price, accounting code, fees: for appointments booked from now "
              "on.")
_catalog_edit("bundle-types", "bundle_type", catalog.BundleTypePatch, catalog.BundleTypeOut,
              "Name and accounting code (new divisions are a new bundle type).")
_catalog_edit("membership-types", "membership_type", catalog.MembershipTypePatch,
              catalog.MembershipTypeOut, "For memberships sold from now on.")
_catalog_edit("subscription-plans", "subscription_plan", catalog.SubscriptionPlanPatch,
              catalog.SubscriptionPlanOut,
              "For subscriptions sold from now on (a subscription keeps what it was sold with).")


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
