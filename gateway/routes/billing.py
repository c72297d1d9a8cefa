"""docs/http-api.md routes: carts and checkout, invoices (R6.1, R6.2, R6.5, R3.7).

Customers use the carts and invoices of their own account only; staff act for any account
of their org (R1.2). Checkout and void honour ``Idempotency-Key``; the key is also handed to
billing, which checks a cart out at most once per key.
"""
import base64
import time

from flask import Response, request

from services.billing.contract.schemas import (AppointmentCheckoutRequest, AppointmentCheckoutResult,
                                      BillingRunIn, BillingRunOut, CartCreate, CartItemCreate,
                                      CartItemOut, CartOut, CheckoutRequest, CheckoutResult,
                                      InvoiceListQuery, InvoiceOut, InvoicePage,
                                      SubscriptionChargePage, SubscriptionList,
                                      SubscriptionOut, TestClockIn,
                                      TestClockOut, VoidRequest)
from services.billing.contract.schemas import ReceiptOut
from services.common import config
from services.common.errors import Forbidden

from ..auth import STAFF, authorize, current_principal, ensure_account_access
from ..idempotency import idempotent
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("billing", __name__, url_prefix="/api/v1", description="carts, checkout, invoices")


def _caller():
    """Who calls, for billing to refuse a customer another account's cart itself (R1.2):
    one RPC per cart request, not a ``get_cart`` first."""
    principal = current_principal()
    return {"caller_role": principal.role, "caller_account_id": principal.account_id}


@blp.route("/orgs/<org>/carts", methods=["POST"])
@authorize()
@blp.arguments(CartCreate)
@blp.response(201, CartOut)
def create_cart(body, org):
    """A cart for an account (a customer's own, or any account for staff), or, at the
    counter, for a walk-in client with a name only (``walk_in: {name}``, staff, R8.3)."""
    if body.get("walk_in") and not current_principal().is_staff:
        raise Forbidden("walk-in sales are made at the counter", {"walk_in": ["staff only"]})
    if body.get("account_id"):
        ensure_account_access(body["account_id"])
    return call("billing", "create_cart", org, body)


@blp.route("/orgs/<org>/carts/<cart_id>", methods=["GET"])
@authorize()
@blp.response(200, CartOut)
def get_cart(org, cart_id):
    """A cart with its items, their holds' expiry, and its total."""
    cart = call("billing", "get_cart", org, cart_id)
    ensure_account_access(cart["account_id"])
    return cart


@blp.route("/orgs/<org>/carts/<cart_id>/items", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(CartItemCreate)
@blp.response(201, CartItemOut)
@blp.alt_response(409, description="sold_out, registration_closed, not_eligible, "
                                    "pass_required, already_registered, cart_not_open, "
                                    "client_required (a bundle without member_id, R4.4)")
def add_item(body, org, cart_id):
    """Add an item; a seat (session or à la carte) is held until checkout or expiry (R3.1).
    Passes, bundles and memberships are priced from the catalog and sold at checkout (R6.3);
    an à la carte seat may be paid with ``pay_with: {pass_id}`` (a pass of the account) or
    ``{cart_item_id}`` (a pass item of this cart, R3.10): its price is then 0."""
    return call("billing", "add_item", org, cart_id, CartItemCreate().dump(body), **_caller())


@blp.route("/orgs/<org>/carts/<cart_id>/items/<item_id>", methods=["DELETE"])
@authorize()
@blp.response(204)
def remove_item(org, cart_id, item_id):
    """Remove an item; its hold is released and the seat is free at once."""
    call("billing", "remove_item", org, cart_id, item_id, **_caller())


@blp.route("/orgs/<org>/carts/<cart_id>/checkout", methods=["POST"])
@authorize()
@idempotent
@blp.arguments(CheckoutRequest)
@blp.response(200, CheckoutResult)
@blp.alt_response(402, description="payment_declined: the holds stay; retry with another card")
@blp.alt_response(409, description="payment_method_not_allowed (R6.7): a customer pays by card "
                                   "or account credit, never cash")
def checkout(body, org, cart_id):
    """Pay the cart: one invoice, the seats confirmed (R6.1, R6.2)."""
    return call("billing", "checkout", org, cart_id, CheckoutRequest().dump(body),
                idempotency_key=request.headers.get("Idempotency-Key"),
                **_caller())  # R1.2, R6.7


@blp.route("/orgs/<org>/appointments/<appointment_id>/checkout", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(AppointmentCheckoutRequest)
@blp.response(200, AppointmentCheckoutResult)
@blp.alt_response(402, description="payment_declined")
def checkout_appointment(body, org, appointment_id):
    """Check an appointment out at the desk (R4.7): an invoice for the service, or a 0.00
    line paid with the bundle applied (or ``bundle_id`` now), then the appointment is
    completed (a booked bundle use becomes used)."""
    return call("billing", "checkout_appointment", org, appointment_id,
                AppointmentCheckoutRequest().dump(body),
                idempotency_key=request.headers.get("Idempotency-Key"),
                caller_role=current_principal().role)  # R6.7


@blp.route("/orgs/<org>/invoices/<invoice_id>", methods=["GET"])
@authorize()
@blp.response(200, InvoiceOut)
def get_invoice(org, invoice_id):
    """An invoice with its lines and payments."""
    invoice = call("billing", "get_invoice", org, invoice_id)
    ensure_account_access(invoice["account_id"])
    return invoice


@blp.route("/orgs/<org>/invoices/<invoice_id>/receipt.pdf", methods=["GET"])
@authorize()
@blp.response(200, ReceiptOut, description=(
    "the receipt (R7.3): `application/pdf` (the default); with `Accept: application/json`, "
    "the same PDF base64-encoded in JSON"))
@blp.doc(responses={"200": {"description": "the receipt (R7.3)", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "application/json": {"schema": {"$ref": "#/components/schemas/ReceiptOut"}}}}})
def get_receipt(org, invoice_id):
    """The invoice's receipt (R7.3): org name, address and tax numbers, lines with member
    names, taxes per tax, payments, refunds and void, in the org's language; staff, or the
    invoice's own customer."""
    if not current_principal().is_staff:
        ensure_account_access(call("billing", "get_invoice", org, invoice_id)["account_id"])
    receipt = call("billing", "get_receipt_pdf", org, invoice_id)
    if request.accept_mimetypes.best_match(["application/pdf", "application/json"]) \
            == "application/json":
        return receipt
    return Response(base64.b64decode(receipt["content_base64"]), mimetype="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{receipt["filename"]}"',
                             "Content-Language": receipt["locale"]})


@blp.route("/orgs/<org>/invoices/<invoice_id>/void", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(VoidRequest)
@blp.response(200, InvoiceOut)
def void_invoice(body, org, invoice_id):
    """Void an invoice: its registrations are cancelled and the seats freed (R3.7, R6.5).
    No money moves: a refund is a separate act."""
    return call("billing", "void_invoice", org, invoice_id, body)


@blp.route("/orgs/<org>/accounts/<account_id>/invoices", methods=["GET"])
@authorize()
@blp.arguments(InvoiceListQuery, location="query")
@blp.response(200, InvoicePage)
def list_account_invoices(query, org, account_id):
    """An account's invoices, by number (an unknown account is a 404)."""
    ensure_account_access(account_id)
    call("accounts", "get_account", org, account_id)
    return call("billing", "list_invoices", org, account_id=account_id, limit=query["limit"],
                cursor=query["cursor"])


# -- subscriptions (R2.13, R6.3, R6.4) ----------------------------------------------------------
@blp.route("/orgs/<org>/accounts/<account_id>/subscriptions", methods=["GET"])
@authorize()
@blp.response(200, SubscriptionList)
def list_account_subscriptions(org, account_id):
    """An account's subscriptions, each with its newest charges (an unknown account is a
    404)."""
    ensure_account_access(account_id)
    call("accounts", "get_account", org, account_id)
    return call("billing", "list_subscriptions", org, account_id)


@blp.route("/orgs/<org>/subscriptions/<subscription_id>", methods=["GET"])
@authorize()
@blp.response(200, SubscriptionOut)
def get_subscription(org, subscription_id):
    """A subscription's state and its charges: one per period, the first being the month
    paid at checkout."""
    subscription = call("billing", "get_subscription", org, subscription_id)
    ensure_account_access(subscription["account_id"])
    return subscription


@blp.route("/orgs/<org>/subscriptions/<subscription_id>/charges", methods=["GET"])
@authorize()
@blp.arguments(InvoiceListQuery, location="query")
@blp.response(200, SubscriptionChargePage)
def list_subscription_charges(query, org, subscription_id):
    """All of a subscription's charges, oldest first, a page at a time (the subscription
    itself shows the newest 12)."""
    if not current_principal().is_staff:
        ensure_account_access(call("billing", "get_subscription", org,
                                   subscription_id)["account_id"])
    return call("billing", "list_subscription_charges", org, subscription_id,
                limit=query["limit"], cursor=query["cursor"])


@blp.route("/orgs/<org>/subscriptions/<subscription_id>/cancel", methods=["POST"])
@authorize()
@idempotent
@blp.response(200, SubscriptionOut)
def cancel_subscription(org, subscription_id):
    """Withdraw (R6.3): active until the end of the paid month, then it ends; nothing more
    is charged. Repeating it changes nothing."""
    if not current_principal().is_staff:
        ensure_account_access(call("billing", "get_subscription", org,
                                   subscription_id)["account_id"])
    return call("billing", "cancel_subscription", org, subscription_id)


@blp.route("/orgs/<org>/billing-runs", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(BillingRunIn)
@blp.response(200, BillingRunOut)
@blp.alt_response(409, description="billing_run_in_future: as_of is after now (after the "
                                    "org's test clock where test clocks are on), R6.8")
def run_billing(body, org):
    """Charge every subscription of the org due now, or as of ``as_of`` (admin; never after
    now, or the org's test clock): the billing worker's own work (R6.4). Running it again
    for the same instant charges nothing new. A run handles a bounded number of periods
    per subscription and stops before this request would time out: ``complete: false``
    then says to run it again."""
    if body.get("as_of") is not None and current_principal().role != "admin":
        raise Forbidden("as_of (a test clock) is for admins")
    deadline = time.time() + 0.8 * config.rpc_timeout()  # before the gateway gives up
    return call("billing", "run_billing", org, BillingRunIn().dump(body), deadline=deadline)


@blp.route("/orgs/<org>/test-clock", methods=["PUT"])
@authorize("admin")
@blp.arguments(TestClockIn)
@blp.response(200, TestClockOut)
@blp.alt_response(403, description="test_clocks_disabled: only where CARNET_TEST_CLOCKS=1")
def set_test_clock(body, org):
    """Development and tests only: billing's business 'now' for this org (checkout dates,
    subscription anniversaries, billing runs, report dates) until cleared."""
    return call("billing", "set_test_clock", org, TestClockIn().dump(body))


@blp.route("/orgs/<org>/test-clock", methods=["DELETE"])
@authorize("admin")
@blp.response(200, TestClockOut)
def clear_test_clock(org):
    """Back to the real time."""
    return call("billing", "clear_test_clock", org)


# -- refunds (R6.5) and account credit (R3.5, R6.2) ------------------------------------------------
from services.billing.contract.schemas import CreditOut, RefundList, RefundOut, RefundRequest  # noqa: E402


@blp.route("/orgs/<org>/invoices/<invoice_id>/refunds", methods=["POST"])
@authorize(*STAFF)
@idempotent
@blp.arguments(RefundRequest)
@blp.response(201, RefundOut)
@blp.alt_response(409, description="refund_exceeds_paid: more than was paid on the invoice "
                                    "minus what was already refunded; refund_refused: the "
                                    "payment provider refused")
@blp.alt_response(503, description="the card refund is recorded but the provider did not "
                                    "answer: it is finished shortly; retry with the same "
                                    "Idempotency-Key to see it")
def refund_invoice(body, org, invoice_id):
    """Give money of an invoice back (R6.5), to the original payment (a card charge is
    refunded through the payment provider, cash is recorded as handed back, account credit
    is credited back) or to the account's credit. Partial refunds add up to at most what
    was paid. Staff only; a voided invoice can be refunded (a void moves no money)."""
    return call("billing", "refund_invoice", org, invoice_id,
                dict(RefundRequest().dump(body), refunded_by=current_principal().subject),
                idempotency_key=request.headers.get("Idempotency-Key"))


@blp.route("/orgs/<org>/invoices/<invoice_id>/refunds", methods=["GET"])
@authorize()
@blp.response(200, RefundList)
def list_invoice_refunds(org, invoice_id):
    """An invoice's refunds, oldest first (staff, or the customer whose invoice it is)."""
    if not current_principal().is_staff:
        ensure_account_access(call("billing", "get_invoice", org, invoice_id)["account_id"])
    return call("billing", "list_refunds", org, invoice_id)


@blp.route("/orgs/<org>/accounts/<account_id>/credit", methods=["GET"])
@authorize()
@blp.response(200, CreditOut)
def get_account_credit(org, account_id):
    """The account's credit (R3.5, R6.2): its balance and every ledger entry (cancellations
    paid in money, refunds to credit, checkouts paid with credit), oldest first. Staff, or
    the customer who owns the account; an unknown account is a 404."""
    ensure_account_access(account_id)
    call("accounts", "get_account", org, account_id)
    return call("billing", "get_account_credit", org, account_id)
