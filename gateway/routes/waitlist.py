"""The waiting list over HTTP (R3.9; docs/http-api.md ``POST /orgs/{org}/occurrences/{id}/waitlist``,
the rest in docs/policies.md). A seat offered from the list is a hold for the member; it is
claimed by adding the same occurrence (or session) for that member to a cart, as usual."""

from services.common.errors import Forbidden
from services.registration.contract.schemas import (NoteRequest, WaitlistEntryOut,
                                           WaitlistJoinRequest, WaitlistPage, WaitlistQuery)

from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("waitlist", __name__, url_prefix="/api/v1",
                description="waiting lists (R3.9)")


def _join(org, body, **target):
    principal = current_principal()
    account_id = None if principal.is_staff else principal.account_id
    if not principal.is_staff and not account_id:
        raise Forbidden("this token has no account")
    return call("registration", "join_waitlist", org,
                dict(target, member_id=body["member_id"], account_id=account_id))


@blp.route("/orgs/<org>/occurrences/<occurrence_id>/waitlist", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(WaitlistJoinRequest)
@blp.response(201, WaitlistEntryOut)
def join_occurrence_waitlist(body, org, occurrence_id):
    """A member joins the waiting list of a full occurrence (à la carte). Refusals:
    ``seats_available`` (a seat is free: book it), ``already_registered``,
    ``already_waiting``, ``registration_closed``, ``not_eligible``."""
    return _join(org, body, kind="a_la_carte", occurrence_id=occurrence_id)


@blp.route("/orgs/<org>/activities/<activity_id>/waitlist", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(WaitlistJoinRequest)
@blp.response(201, WaitlistEntryOut)
def join_session_waitlist(body, org, activity_id):
    """A member joins the waiting list of an activity's full session (same refusals)."""
    return _join(org, body, kind="session", activity_id=activity_id)


@blp.route("/orgs/<org>/occurrences/<occurrence_id>/waitlist", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(WaitlistQuery, location="query")
@blp.response(200, WaitlistPage)
def occurrence_waitlist(query, org, occurrence_id):
    """Staff: the occurrence's list in order, with positions (default: waiting and
    offered entries; ``status`` narrows)."""
    return call("registration", "list_waitlist", org, query, occurrence_id=occurrence_id)


@blp.route("/orgs/<org>/activities/<activity_id>/waitlist", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(WaitlistQuery, location="query")
@blp.response(200, WaitlistPage)
def session_waitlist(query, org, activity_id):
    """Staff: the session's list in order, with positions."""
    return call("registration", "list_waitlist", org, query, activity_id=activity_id)


@blp.route("/orgs/<org>/accounts/<account_id>/waitlist", methods=["GET"])
@authorize()
@blp.arguments(WaitlistQuery, location="query")
@blp.response(200, WaitlistPage)
def account_waitlist(query, org, account_id):
    """An account's entries (staff, or the customer who owns it): where they stand, and
    the seats offered to them."""
    ensure_account_access(account_id)
    return call("registration", "list_waitlist", org, query, account_id=account_id)


def _entry_for(org, entry_id):
    entry = call("registration", "get_waitlist_entry", org, entry_id)
    ensure_account_access(entry["account_id"])
    return entry


@blp.route("/orgs/<org>/waitlist/<entry_id>", methods=["GET"])
@authorize()
@blp.response(200, WaitlistEntryOut)
def get_entry(org, entry_id):
    return _entry_for(org, entry_id)


@blp.route("/orgs/<org>/waitlist/<entry_id>", methods=["DELETE"])
@authorize()
@blp.response(200, WaitlistEntryOut)
def leave(org, entry_id):
    """The member leaves the list (their own, or staff); a seat offered and not yet checked
    out goes to the next."""
    _entry_for(org, entry_id)
    return call("registration", "leave_waitlist", org, entry_id)


@blp.route("/orgs/<org>/waitlist/<entry_id>/offer", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(NoteRequest)
@blp.response(200, WaitlistEntryOut)
def offer(body, org, entry_id):
    """Staff offer a free seat to this waiting member now, ahead of the list's order
    when one is free, else it is first in line for the next (never past capacity)."""
    return call("registration", "offer_waitlist_seat", org, entry_id, note=body.get("note"))
