"""docs/http-api.md routes: appointments, the salon agenda (R5.1, R5.2) and bundles applied to them
(R4.6, R4.7). The checkout of an appointment (``POST …/appointments/{id}/checkout``) is
billing's route; it calls registration's ``complete_appointment``."""

from services.common.errors import Forbidden
from services.registration.contract.schemas import (AgendaOut, AgendaQuery, AppointmentList,
                                           AppointmentOut, AppointmentRequest, ApplyBundleIn)

from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("appointments", __name__, url_prefix="/api/v1",
                description="appointments: the salon agenda, bundles applied to appointments")


def _appointment_for(org, appointment_id):
    """The appointment, if the caller may see it: staff, or the customer whose account it
    belongs to (R1.2)."""
    appointment = call("registration", "get_appointment", org, appointment_id)
    ensure_account_access(appointment["account_id"])
    return appointment


@blp.route("/orgs/<org>/appointments", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(AppointmentRequest)
@blp.response(201, AppointmentOut)
def book_appointment(body, org):
    """R5.1: an appointment for a client member, a service (its duration and price), an
    optional staff member and a start. Staff book for anyone, a customer for a member of
    their own account. ``staff_busy`` when the staff member already has an appointment then
    (R5.2). With ``bundle_id``, or ``apply_bundle: true`` (the client's only bundle covering
    the service), the bundle is applied (price 0, R4.6) or nothing is booked:
    ``bundle_choice_required`` (``details.candidates``), ``no_bundle_available``,
    ``bundle_exhausted``, ``bundle_not_applicable``."""
    principal = current_principal()
    if not principal.is_staff and not principal.account_id:
        raise Forbidden("this token has no account to book for")
    data = dict(body, starts_at=body["starts_at"].isoformat(),
                account_id=None if principal.is_staff else principal.account_id)
    return call("registration", "book_appointment", org, data)


@blp.route("/orgs/<org>/appointments/<appointment_id>", methods=["GET"])
@authorize()
@blp.response(200, AppointmentOut)
def get_appointment(org, appointment_id):
    """An appointment (staff, or the customer whose account it belongs to)."""
    return _appointment_for(org, appointment_id)


@blp.route("/orgs/<org>/appointments/<appointment_id>/bundle", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(ApplyBundleIn)
@blp.response(200, AppointmentOut)
def apply_bundle(body, org, appointment_id):
    """R4.6: apply one of the client's bundles (``bundle_id``, default: the only one covering
    the service): price 0, one use booked. ``bundle_choice_required``,
    ``no_bundle_available``, ``bundle_exhausted``, ``bundle_already_applied``."""
    _appointment_for(org, appointment_id)
    return call("registration", "apply_appointment_bundle", org, appointment_id, body)


@blp.route("/orgs/<org>/appointments/<appointment_id>/bundle", methods=["DELETE"])
@authorize()
@idempotent
@blp.response(200, AppointmentOut)
def remove_bundle(org, appointment_id):
    """R4.6: take the bundle off: the service price again, the booked use back."""
    _appointment_for(org, appointment_id)
    return call("registration", "remove_appointment_bundle", org, appointment_id)


@blp.route("/orgs/<org>/appointments/<appointment_id>/cancel", methods=["POST"])
@authorize()
@idempotent
@blp.response(200, AppointmentOut)
def cancel_appointment(org, appointment_id):
    """Cancel a booked appointment (staff, or the customer whose account it is): the staff
    member's time is free, a bundle's booked use comes back (R4.7)."""
    principal = current_principal()
    _appointment_for(org, appointment_id)
    return call("registration", "cancel_appointment", org, appointment_id,
                {"by_staff": principal.is_staff})


@blp.route("/orgs/<org>/agenda", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(AgendaQuery, location="query")
@blp.response(200, AgendaOut)
def agenda(query, org):
    """The org-local day's appointments (not cancelled) per staff member; ``staff_id``
    narrows it to one."""
    return call("registration", "agenda", org, query["date"].isoformat(),
                staff_id=query.get("staff_id"))


@blp.route("/orgs/<org>/accounts/<account_id>/appointments", methods=["GET"])
@authorize()
@blp.response(200, AppointmentList)
def account_appointments(org, account_id):
    """An account's appointments, latest first (staff, or the customer who owns it; an
    unknown account is a 404)."""
    ensure_account_access(account_id)
    call("accounts", "get_account", org, account_id)
    return call("registration", "list_appointments", org, account_id)
