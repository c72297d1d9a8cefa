"""Passes service entrypoints: the ledgers of passes (punch cards), salon bundles and
memberships. Contract: ``contract/`` and docs/contracts.md "passes"; rules: R2.8, R2.9, R2.11,
R2.12, R3.4-R3.6, R4.1-R4.7, R6.5 (``domain/``); what each RPC does: ``usecases/``.

Each entrypoint loads its input with the contract's schema, calls one use case and dumps
its answer with the contract's schema; nothing else happens here.
"""
from pathlib import Path

from nameko.rpc import RpcProxy, rpc

from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import Clock, ServiceBase
from services.common.uow import Database

from .adapters.models import metadata
from .adapters.peers import Peers
from .contract import events, schemas
from .usecases import bundles, memberships, pass_uses, passes, reports, revocation
from .usecases.context import Context


class PassesService(ServiceBase):
    name = "passes"
    db = Database("passes", metadata, Path(__file__).parent / "migrations",
                  events=events)
    clock = Clock()
    catalog = RpcProxy("catalog")
    accounts = RpcProxy("accounts")

    @property
    def ctx(self):
        return Context(db=self.db, clock=self.clock, peers=Peers(self.catalog, self.accounts))

    # -- passes (R2.9, R4.1-R4.3) --------------------------------------------------------------
    @rpc
    def get_pass(self, org_id, pass_id):
        return dump(schemas.PassOut, passes.get_pass(
            self.ctx, _id("org_id", org_id), _id("pass_id", pass_id)))

    @rpc
    def list_account_passes(self, org_id, account_id):
        return dump(schemas.PassList, passes.list_account_passes(
            self.ctx, _id("org_id", org_id), _id("account_id", account_id)))

    @rpc
    def pass_ledger(self, org_id, pass_id):
        return dump(schemas.PassLedgerOut, passes.pass_ledger(
            self.ctx, _id("org_id", org_id), _id("pass_id", pass_id)))

    @rpc
    def pass_report(self, org_id, limit=None, cursor=None):
        query = load(schemas.PageIn, {"limit": limit, "cursor": cursor})
        return dump(schemas.PassReportPage, reports.pass_report(
            self.ctx, _id("org_id", org_id), query))

    @rpc
    def sell_pass(self, org_id, data):
        org_id = _id("org_id", org_id)
        return dump(schemas.PassOut, passes.sell_pass(
            self.ctx, org_id, load(schemas.SellPassIn, data)))

    @rpc
    def grant_passes(self, org_id, data):
        org_id = _id("org_id", org_id)
        return dump(schemas.PassList, passes.grant_passes(
            self.ctx, org_id, load(schemas.GrantPassesIn, data)))

    @rpc
    def change_pass_expiry(self, org_id, pass_id, data):
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        return dump(schemas.PassOut, passes.change_pass_expiry(
            self.ctx, org_id, pass_id, load(schemas.ChangeExpiryIn, data)))

    # -- uses of a pass (R3.4-R3.6) -------------------------------------------------------------
    @rpc
    def debit_pass(self, org_id, pass_id, data):
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        return dump(schemas.PassMovementOut, pass_uses.debit_pass(
            self.ctx, org_id, pass_id, load(schemas.DebitIn, data)))

    @rpc
    def credit_pass(self, org_id, pass_id, data):
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        return dump(schemas.PassMovementOut, pass_uses.credit_pass(
            self.ctx, org_id, pass_id, load(schemas.CreditIn, data)))

    # -- bundles (R4.4-R4.7) --------------------------------------------------------------------
    @rpc
    def sell_bundle(self, org_id, data):
        org_id = _id("org_id", org_id)
        return dump(schemas.BundleOut, bundles.sell_bundle(
            self.ctx, org_id, load(schemas.SellBundleIn, data)))

    @rpc
    def book_bundle(self, org_id, bundle_id, data):
        org_id, bundle_id = _id("org_id", org_id), _id("bundle_id", bundle_id)
        return dump(schemas.BundleOut, bundles.book_bundle(
            self.ctx, org_id, bundle_id, load(schemas.BundleUseIn, data)))

    @rpc
    def unbook_bundle(self, org_id, bundle_id, data):
        org_id, bundle_id = _id("org_id", org_id), _id("bundle_id", bundle_id)
        return dump(schemas.BundleOut, bundles.unbook_bundle(
            self.ctx, org_id, bundle_id, load(schemas.BundleUseIn, data)))

    @rpc
    def use_bundle(self, org_id, bundle_id, data):
        org_id, bundle_id = _id("org_id", org_id), _id("bundle_id", bundle_id)
        return dump(schemas.BundleOut, bundles.use_bundle(
            self.ctx, org_id, bundle_id, load(schemas.BundleUseIn, data)))

    @rpc
    def bundle_candidates(self, org_id, member_id, service_id):
        return dump(schemas.BundleList, bundles.bundle_candidates(
            self.ctx, _id("org_id", org_id), _id("member_id", member_id),
            _id("service_id", service_id)))

    @rpc
    def get_bundle(self, org_id, bundle_id):
        return dump(schemas.BundleOut, bundles.get_bundle(
            self.ctx, _id("org_id", org_id), _id("bundle_id", bundle_id)))

    @rpc
    def list_account_bundles(self, org_id, account_id):
        return dump(schemas.BundleList, bundles.list_account_bundles(
            self.ctx, _id("org_id", org_id), _id("account_id", account_id)))

    @rpc
    def bundle_ledger(self, org_id, bundle_id):
        return dump(schemas.BundleLedgerOut, bundles.bundle_ledger(
            self.ctx, _id("org_id", org_id), _id("bundle_id", bundle_id)))

    # -- memberships (R2.12) --------------------------------------------------------------------
    @rpc
    def sell_membership(self, org_id, data):
        org_id = _id("org_id", org_id)
        return dump(schemas.MembershipOut, memberships.sell_membership(
            self.ctx, org_id, load(schemas.SellMembershipIn, data)))

    @rpc
    def active_memberships(self, org_id, member_id, on_date):
        org_id = _id("org_id", org_id)
        query = load(schemas.ActiveMembershipsIn, {"member_id": member_id,
                                                     "on_date": on_date})
        return dump(schemas.MembershipList, memberships.active_memberships(
            self.ctx, org_id, query))

    @rpc
    def get_membership(self, org_id, membership_id):
        return dump(schemas.MembershipOut, memberships.get_membership(
            self.ctx, _id("org_id", org_id), _id("membership_id", membership_id)))

    @rpc
    def list_account_memberships(self, org_id, account_id):
        return dump(schemas.MembershipList, memberships.list_account_memberships(
            self.ctx, _id("org_id", org_id), _id("account_id", account_id)))

    # -- voided invoices (R6.5) -----------------------------------------------------------------
    @rpc
    def revoke_for_invoice(self, org_id, invoice_id):
        return dump(schemas.RevokeResult, revocation.revoke_for_invoice(
            self.ctx, _id("org_id", org_id), _id("invoice_id", invoice_id)))
