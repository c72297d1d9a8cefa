"""Billing service entrypoints: carts, checkout, invoices and their void, refunds, account
credit, fees, subscriptions, reports, test clocks (R6.1–R6.8, R3.5, R3.7, R7.2, R8.1).
Contract: ``contract/`` and docs/contracts.md.

Each entrypoint loads its input with the contract's schema, calls one use case
(``usecases/``) with a :class:`~.usecases.context.Context`, and dumps the result. The rules
are in ``domain/``; the workflows (the checkout saga's steps, the billing run) in
``usecases/``; the database and the peers in ``adapters/``.
"""
from pathlib import Path

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from services.catalog.contract import events as catalog_events
from services.common.errors import InvalidInput
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import Clock, ServiceBase
from services.common.uow import Database

from .adapters import settings
from .adapters.models import metadata
from .adapters.peers import Peers
from services.registration.contract import events as registration_events

from .contract import events, schemas
from .usecases import (carts, checkout, clocks, credit, fees, invoices, receipts, recovery,
                       refunds, reports, subscriptions)
from .usecases.context import Context


def _tax_edit(event_type, org_field="org_id"):
    """The handler of one of the catalog's edits that may change an org's tax rules: the
    rules billing keeps for checkouts are asked again (``checkout.catalog_tax_edit``)."""
    @event_handler("catalog", event_type)
    def on_tax_edit(self, payload):
        checkout.catalog_tax_edit(self.ctx, payload, org_field=org_field)
    return on_tax_edit


class BillingService(ServiceBase):
    name = "billing"
    db = Database("billing", metadata, Path(__file__).parent / "migrations",
                  events=events)
    clock = Clock()
    registration = RpcProxy("registration")
    accounts = RpcProxy("accounts")
    catalog = RpcProxy("catalog")
    passes = RpcProxy("passes")

    @property
    def ctx(self):
        return Context(self.db, self.clock, Peers(
            registration=self.registration, accounts=self.accounts, catalog=self.catalog,
            passes=self.passes))

    # -- carts ---------------------------------------------------------------------------------
    @rpc
    def create_cart(self, org_id, data):
        org_id = _id("org_id", org_id)
        data = load(schemas.CartCreate, data)
        return dump(schemas.CartOut, carts.create_cart(self.ctx, org_id, data))

    @rpc
    def get_cart(self, org_id, cart_id):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        return dump(schemas.CartOut, carts.get_cart(self.ctx, org_id, cart_id))

    # The gateway passes who calls (``caller_role``, ``caller_account_id``): billing
    # refuses a customer another account's cart itself (R1.2), so a request costs one RPC.
    @rpc
    def add_item(self, org_id, cart_id, data, caller_role=None, caller_account_id=None):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        data = load(schemas.CartItemCreate, data)
        return dump(schemas.CartItemOut, carts.add_item(
            self.ctx, org_id, cart_id, data, (caller_role, caller_account_id)))

    @rpc
    def remove_item(self, org_id, cart_id, item_id, caller_role=None,
                    caller_account_id=None):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        item_id = _id("item_id", item_id)
        return dump(schemas.CartItemOut, carts.remove_item(
            self.ctx, org_id, cart_id, item_id, (caller_role, caller_account_id)))

    # -- checkout ------------------------------------------------------------------------------
    @rpc
    def checkout(self, org_id, cart_id, data, idempotency_key=None, caller_role=None,
                 caller_account_id=None):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        data = load(schemas.CheckoutRequest, data)
        return dump(schemas.CheckoutResult, checkout.checkout(
            self.ctx, org_id, cart_id, data, idempotency_key, caller_role,
            caller_account_id=caller_account_id))

    @rpc
    def checkout_appointment(self, org_id, appointment_id, data, idempotency_key=None,
                             caller_role=None):
        org_id = _id("org_id", org_id)
        appointment_id = _id("appointment_id", appointment_id)
        data = load(schemas.AppointmentCheckoutRequest, data)
        return dump(schemas.AppointmentCheckoutResult, checkout.checkout_appointment(
            self.ctx, org_id, appointment_id, data, idempotency_key, caller_role))

    @event_handler("registration", registration_events.REGISTRATION_CONFIRMED)
    def on_registration_confirmed(self, payload):
        checkout.cancel_late_confirmation(self.ctx, payload)

    # -- the catalog's edits that may change tax rules kept for checkouts (issue 14) ---------
    on_org_updated = _tax_edit(catalog_events.ORG_UPDATED, org_field="id")  # data: the org
    on_activity_updated = _tax_edit(catalog_events.ACTIVITY_UPDATED)
    on_service_updated = _tax_edit(catalog_events.SERVICE_UPDATED)
    on_pass_type_updated = _tax_edit(catalog_events.PASS_TYPE_UPDATED)
    on_bundle_type_updated = _tax_edit(catalog_events.BUNDLE_TYPE_UPDATED)
    on_membership_type_updated = _tax_edit(catalog_events.MEMBERSHIP_TYPE_UPDATED)
    on_subscription_plan_updated = _tax_edit(catalog_events.SUBSCRIPTION_PLAN_UPDATED)

    @timer(interval=settings.recovery_interval())
    def recover(self):
        """Resume (or undo) interrupted checkouts, retry releases and finish voids."""
        recovery.recover(self.ctx)

    # -- invoices ------------------------------------------------------------------------------
    @rpc
    def get_invoice(self, org_id, invoice_id):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        return dump(schemas.InvoiceOut, invoices.get_invoice(self.ctx, org_id, invoice_id))

    @rpc
    def get_receipt_pdf(self, org_id, invoice_id, with_invoice=False):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        return receipts.receipt_pdf(self.ctx, org_id, invoice_id, with_invoice is True)

    @rpc
    def list_invoices(self, org_id, account_id=None, limit=None, cursor=None):
        org_id = _id("org_id", org_id)
        if account_id is not None:
            account_id = _id("account_id", account_id)
        query = load(schemas.InvoiceListQuery, {"limit": limit, "cursor": cursor})
        return dump(schemas.InvoicePage,
                    invoices.list_invoices(self.ctx, org_id, account_id, query))

    @rpc
    def void_invoice(self, org_id, invoice_id, data):
        """R3.7, R6.5. Idempotent."""
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        data = load(schemas.VoidRequest, data)
        return dump(schemas.InvoiceOut,
                    invoices.void_invoice(self.ctx, org_id, invoice_id, data))

    # -- refunds (R6.5) ------------------------------------------------------------------------
    @rpc
    def refund_invoice(self, org_id, invoice_id, data, idempotency_key=None):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        data = load(schemas.RefundIn, data)
        return dump(schemas.RefundOut, refunds.refund_invoice(
            self.ctx, org_id, invoice_id, data, idempotency_key))

    @rpc
    def list_refunds(self, org_id, invoice_id):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        return dump(schemas.RefundList, refunds.list_refunds(self.ctx, org_id, invoice_id))

    @timer(interval=settings.recovery_interval())
    def recover_refunds(self):
        refunds.recover_refunds(self.ctx)

    # -- account credit (R3.5) -----------------------------------------------------------------
    @rpc
    def get_account_credit(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        return dump(schemas.CreditOut, credit.account_credit(self.ctx, org_id, account_id))

    @event_handler("registration", registration_events.REGISTRATION_CANCELLED,
                   requeue_on_error=True)
    def on_registration_cancelled(self, payload):
        credit.credit_cancellation(self.ctx, payload)

    # -- fees (R8.1) ---------------------------------------------------------------------------
    @event_handler("registration", registration_events.FEE_INCURRED, requeue_on_error=True)
    def on_fee_incurred(self, payload):
        fees.invoice_fee(self.ctx, payload)

    @rpc
    def pay_invoice(self, org_id, invoice_id, data):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        data = load(schemas.PayInvoiceRequest, data)
        return dump(schemas.InvoiceOut, fees.pay_invoice(self.ctx, org_id, invoice_id, data))

    @rpc
    def waive_fee(self, org_id, invoice_id, data):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        data = load(schemas.WaiveFeeRequest, data)
        return dump(schemas.InvoiceOut, fees.waive_fee(self.ctx, org_id, invoice_id, data))

    @rpc
    def list_fees(self, org_id, account_id, query=None):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        query = load(schemas.FeeQuery, query or {})
        return fees.list_fees(self.ctx, org_id, account_id, query)

    # -- subscriptions (R2.13, R6.3, R6.4) -----------------------------------------------------
    @rpc
    def get_subscription(self, org_id, subscription_id):
        org_id = _id("org_id", org_id)
        subscription_id = _id("subscription_id", subscription_id)
        return dump(schemas.SubscriptionOut,
                    subscriptions.get_subscription(self.ctx, org_id, subscription_id))

    @rpc
    def list_subscription_charges(self, org_id, subscription_id, limit=None, cursor=None):
        org_id = _id("org_id", org_id)
        subscription_id = _id("subscription_id", subscription_id)
        query = load(schemas.InvoiceListQuery, {"limit": limit, "cursor": cursor})
        return dump(schemas.SubscriptionChargePage, subscriptions.subscription_charges(
            self.ctx, org_id, subscription_id, query))

    @rpc
    def list_subscriptions(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        return dump(schemas.SubscriptionList,
                    subscriptions.list_subscriptions(self.ctx, org_id, account_id))

    @rpc
    def cancel_subscription(self, org_id, subscription_id):
        org_id = _id("org_id", org_id)
        subscription_id = _id("subscription_id", subscription_id)
        return dump(schemas.SubscriptionOut,
                    subscriptions.cancel_subscription(self.ctx, org_id, subscription_id))

    @rpc
    def run_billing(self, org_id, data=None, deadline=None):
        """``POST /billing-runs``; ``deadline`` (epoch seconds): when the caller gives up."""
        org_id = _id("org_id", org_id)
        data = load(schemas.BillingRunIn, data or {})
        if deadline is not None and not isinstance(deadline, (int, float)):
            raise InvalidInput("the request is not valid", {"deadline": ["epoch seconds"]})
        return dump(schemas.BillingRunOut,
                    subscriptions.run_billing(self.ctx, org_id, data, deadline))

    # -- test clocks (development and tests only) ----------------------------------------------
    @rpc
    def set_test_clock(self, org_id, data):
        org_id = _id("org_id", org_id)
        clocks.ensure_enabled(self.ctx)
        data = load(schemas.TestClockIn, data)
        return dump(schemas.TestClockOut, clocks.set_test_clock(self.ctx, org_id, data))

    @rpc
    def clear_test_clock(self, org_id):
        org_id = _id("org_id", org_id)
        return dump(schemas.TestClockOut, clocks.clear_test_clock(self.ctx, org_id))

    @rpc
    def get_test_clock(self, org_id):
        return clocks.get_test_clock(self.ctx, _id("org_id", org_id))

    # -- reports (R6.6, R7.2) ------------------------------------------------------------------
    def _report(self, org_id, query):
        return _id("org_id", org_id), load(schemas.ReportRange, query)

    @rpc
    def sales_detail_report(self, org_id, query):
        return dump(schemas.SalesDetailReport,
                    reports.sales_detail(self.ctx, *self._report(org_id, query)))

    @rpc
    def sales_summary_report(self, org_id, query):
        return dump(schemas.SalesSummaryReport,
                    reports.sales_summary(self.ctx, *self._report(org_id, query)))

    @rpc
    def payments_by_accounting_code_report(self, org_id, query):
        return dump(schemas.PaymentsByCodeReport, reports.payments_by_accounting_code(
            self.ctx, *self._report(org_id, query)))

    @rpc
    def tax_report(self, org_id, query):
        return dump(schemas.TaxReport,
                    reports.tax_report(self.ctx, *self._report(org_id, query)))
