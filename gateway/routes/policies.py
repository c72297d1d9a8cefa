"""Policies over HTTP (R8.1): no-shows marked by staff (registrations and appointments), the
fees they and late cancellations cost, owed fee invoices paid at the counter or by the
customer, and fees waived by staff. See docs/policies.md."""

from services.billing.contract.schemas import (FeePage, FeeQuery, InvoiceOut, PayInvoiceRequest,
                                      WaiveFeeBody)
from services.common.errors import Forbidden
from services.registration.contract.schemas import AppointmentOut, NoteRequest, RegistrationOut

from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("policies", __name__, url_prefix="/api/v1",
                description="no-shows, late-cancellation and no-show fees (R8.1)")


@blp.route("/orgs/<org>/registrations/<registration_id>/no-show", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(NoteRequest)
@blp.response(200, RegistrationOut)
def registration_no_show(body, org, registration_id):
    """Staff mark a confirmed à la carte registration a no-show once its occurrence has
    started (``no_show_too_early``, ``no_show_not_allowed``). The offer's no-show fee
    applies: money (an invoice, see ``fee``) or, paid with a pass, the use is lost."""
    return call("registration", "mark_registration_no_show", org, registration_id,
                note=body.get("note"))


@blp.route("/orgs/<org>/appointments/<appointment_id>/no-show", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(NoteRequest)
@blp.response(200, AppointmentOut)
def appointment_no_show(body, org, appointment_id):
    """Staff mark a booked appointment a no-show once it has started; the service's no-show
    fee applies (an appointment covered by a bundle gets its use back and costs nothing)."""
    return call("registration", "mark_no_show", org, appointment_id)


@blp.route("/orgs/<org>/accounts/<account_id>/fees", methods=["GET"])
@authorize()
@blp.arguments(FeeQuery, location="query")
@blp.response(200, FeePage)
def account_fees(query, org, account_id):
    """An account's fees, newest first, and what it owes (staff, or the customer)."""
    ensure_account_access(account_id)
    return call("billing", "list_fees", org, account_id, query)


@blp.route("/orgs/<org>/invoices/<invoice_id>/pay", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(PayInvoiceRequest)
@blp.response(200, InvoiceOut)
def pay_invoice(body, org, invoice_id):
    """Pay an open invoice (a fee owed): staff at the counter by cash, card or credit; the
    customer their own by card or credit (R6.7)."""
    principal = current_principal()
    invoice = call("billing", "get_invoice", org, invoice_id)
    ensure_account_access(invoice["account_id"])
    if body["method"] == "cash" and not principal.is_staff:
        raise Forbidden("cash is taken at the counter", {"method": ["staff only"]})
    return call("billing", "pay_invoice", org, invoice_id, body)


@blp.route("/orgs/<org>/invoices/<invoice_id>/waive", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(WaiveFeeBody)
@blp.response(200, InvoiceOut)
def waive_fee(body, org, invoice_id):
    """Staff waive a fee with a reason: its invoice becomes void; a fee taken from the
    account's credit goes back to it."""
    return call("billing", "waive_fee", org, invoice_id,
                dict(body, waived_by=current_principal().subject[:64]))
