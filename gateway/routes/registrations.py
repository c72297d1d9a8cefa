"""docs/http-api.md routes: registrations (R3.4, R3.5, R3.6, R3.8).

Booking a seat goes through a cart (billing's routes), or, paid with a pass, directly
(``POST /orgs/{org}/registrations``)."""

from services.common.errors import Forbidden
from services.registration.contract.schemas import (AccountRegistrationsQuery, ActivityQuery,
                                           ActivityRegistrationsOut, BookWithPassRequest,
                                           CancelRequest, RegistrationOut, RegistrationPage)

from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("registrations", __name__, url_prefix="/api/v1",
                description="registrations: cancellation, participants")


def _registration_for(org, registration_id):
    """The registration, if the caller may see it: staff, or the customer whose account
    it belongs to (R1.2)."""
    registration = call("registration", "get_registration", org, registration_id)
    ensure_account_access(registration["account_id"])
    return registration


@blp.route("/orgs/<org>/registrations", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(BookWithPassRequest)
@blp.response(201, RegistrationOut)
def book_with_pass(body, org):
    """R3.4: a confirmed à la carte registration paid with one use of a pass, without a
    cart. A customer books for a member of their own account, staff for anyone. The seat
    and the use are taken together or not at all: ``sold_out``, ``registration_closed``,
    ``not_eligible``, ``already_registered``, ``pass_not_eligible``, ``pass_expired``,
    ``pass_exhausted``, ``not_found``."""
    principal = current_principal()
    account_id = None if principal.is_staff else principal.account_id
    if not principal.is_staff and not account_id:
        raise Forbidden("this token has no account to book for")
    return call("registration", "book_with_pass", org, dict(body, account_id=account_id))


@blp.route("/orgs/<org>/registrations/<registration_id>", methods=["GET"])
@authorize()
@blp.response(200, RegistrationOut)
def get_registration(org, registration_id):
    """A registration (staff, or the customer whose account it belongs to)."""
    return _registration_for(org, registration_id)


@blp.route("/orgs/<org>/registrations/<registration_id>/cancel", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(CancelRequest)
@blp.response(200, RegistrationOut)
def cancel_registration(body, org, registration_id):
    """Cancel a registration; its seat is free at once. A customer cancels their own
    à la carte registrations where the activity allows it, before the deadline
    (R3.5: ``cancellation_not_allowed``, ``cancellation_deadline_passed``); staff cancel
    any registration (R3.6) and, for one paid by a pass, choose whether the use comes back
    (``restore_pass_use``, default yes). Money paid goes to the account's credit."""
    principal = current_principal()
    if body.get("restore_pass_use") is not None and not principal.is_staff:
        raise Forbidden("only staff choose whether a pass use comes back",
                        {"restore_pass_use": ["staff only"]})
    _registration_for(org, registration_id)
    return call("registration", "cancel", org, registration_id,
                {"by_staff": principal.is_staff,
                 "restore_pass_use": body.get("restore_pass_use")})


@blp.route("/orgs/<org>/activities/<activity_id>/registrations", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(ActivityQuery, location="query")
@blp.response(200, ActivityRegistrationsOut)
def activity_registrations(query, org, activity_id):
    """R3.8: the activity's confirmed participants, session and à la carte counted apart,
    per occurrence (a session registration counts in every occurrence); ``kind`` and
    ``occurrence_id`` narrow the list."""
    return call("registration", "activity_registrations", org, activity_id,
                kind=query.get("kind"), occurrence_id=query.get("occurrence_id"))


@blp.route("/orgs/<org>/accounts/<account_id>/registrations", methods=["GET"])
@authorize()
@blp.arguments(AccountRegistrationsQuery, location="query")
@blp.response(200, RegistrationPage)
def account_registrations(query, org, account_id):
    """An account's registrations, newest first (staff, or the customer who owns it; an
    unknown account is a 404)."""
    ensure_account_access(account_id)
    call("accounts", "get_account", org, account_id)
    return call("registration", "list_registrations", org, account_id=account_id,
                kind=query.get("kind"), status=query.get("status"),
                limit=query.get("limit"), cursor=query.get("cursor"))
