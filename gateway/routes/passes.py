"""docs/http-api.md routes: an account's passes and bundles, staff grants and expiry changes (R4.3),
and the pass report (R4.2), in JSON or CSV.

Thin on purpose: the passes service's contract schemas validate the request and document
the answer; the service keeps the ledgers.
"""
import hashlib

from flask import request

from services.common.pagination import MAX_LIMIT
from services.passes.contract import schemas as s

from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..csvout import csv_response
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("passes", __name__, url_prefix="/api/v1",
                description="passes, bundles and memberships")


def _account(org, account_id):
    """Staff, or the customer who owns the account; an unknown account is a 404."""
    ensure_account_access(account_id)
    call("accounts", "get_account", org, account_id)


@blp.route("/orgs/<org>/accounts/<account_id>/passes", methods=["GET"])
@authorize()
@blp.response(200, s.PassList)
def list_account_passes(org, account_id):
    """The account's passes with their uses left (sums of their ledgers, R4.1)."""
    _account(org, account_id)
    return call("passes", "list_account_passes", org, account_id)


@blp.route("/orgs/<org>/accounts/<account_id>/bundles", methods=["GET"])
@authorize()
@blp.response(200, s.BundleList)
def list_account_bundles(org, account_id):
    """The account's bundles: per service total, booked, used and remaining (R4.5)."""
    _account(org, account_id)
    return call("passes", "list_account_bundles", org, account_id)


@blp.route("/orgs/<org>/pass-grants", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(s.PassGrantsBody)
@blp.response(201, s.PassList)
def grant_passes(body, org):
    """The same pass granted to many accounts at once, recorded with who and why (R4.3).
    All or nothing: an unknown account is a 400 naming it."""
    principal = current_principal()
    data = dict(body, granted_by=principal.subject)
    key = request.headers.get("Idempotency-Key")
    if key:  # a retry after a lost answer grants nothing twice, even past the key store
        data["grant_id"] = hashlib.sha256(f"{principal.subject}:{key}".encode()).hexdigest()[:40]
    return call("passes", "grant_passes", org, data)


@blp.route("/orgs/<org>/passes/<pass_id>", methods=["GET"])
@authorize()
@blp.response(200, s.PassOut)
def get_pass(org, pass_id):
    """One pass (staff, or the customer whose account holds it)."""
    found = call("passes", "get_pass", org, pass_id)
    ensure_account_access(found["account_id"])
    return found


@blp.route("/orgs/<org>/passes/<pass_id>", methods=["PATCH"])
@authorize(*STAFF)
@blp.arguments(s.PassPatchBody)
@blp.response(200, s.PassOut)
def change_pass_expiry(body, org, pass_id):
    """Change one holder's expiry; the ledger records who, why, from and to (R4.3). A date
    means valid through that day in the org's timezone."""
    return call("passes", "change_pass_expiry", org, pass_id,
                dict(body, changed_by=current_principal().subject))


@blp.route("/orgs/<org>/passes/<pass_id>/ledger", methods=["GET"])
@authorize(*STAFF)
@blp.response(200, s.PassLedgerOut)
def pass_ledger(org, pass_id):
    """Every entry of a pass's ledger, oldest first (R4.1)."""
    return call("passes", "pass_ledger", org, pass_id)


@blp.route("/orgs/<org>/reports/passes", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(s.PassReportQuery, location="query")
@blp.response(200, s.PassReportPage)
@blp.doc(description="`?format=csv` answers `text/csv`: a header row, then every pass with "
                     "the same columns (all pages).")
def pass_report(query, org):
    """The pass report (R4.2): holder, pass type, purchase date, expiry, total uses, uses
    left. JSON is paginated; CSV has every row."""
    if query["format"] != "csv":
        return call("passes", "pass_report", org, limit=query["limit"],
                    cursor=query["cursor"])
    rows, cursor = [], None
    while True:
        result = call("passes", "pass_report", org, limit=MAX_LIMIT, cursor=cursor)
        rows.extend(result["items"])
        cursor = result.get("next_cursor")
        if not cursor:
            break
    return csv_response("passes", org, s.REPORT_COLUMNS, rows)


# -- the desk's client file (docs/desk.md) ------------------------------------------------------

@blp.route("/orgs/<org>/accounts/<account_id>/memberships", methods=["GET"])
@authorize()
@blp.response(200, s.MembershipList)
def list_account_memberships(org, account_id):
    """An account's memberships (R2.12) with their status on the org's today: active,
    upcoming, expired or revoked (staff, or the customer who owns the account)."""
    _account(org, account_id)
    return call("passes", "list_account_memberships", org, account_id)


@blp.route("/orgs/<org>/bundles/<bundle_id>/ledger", methods=["GET"])
@authorize(*STAFF)
@blp.response(200, s.BundleLedgerOut)
def bundle_ledger(org, bundle_id):
    """Every entry of a bundle's ledger, oldest first (R4.1): each booking, use and return
    with the appointment it concerns and the counts after it."""
    return call("passes", "bundle_ledger", org, bundle_id)
