"""Catalog service entrypoints (docs/contracts.md, "catalog").

Each entrypoint loads its input with a contract schema and calls one use case
(``usecases/``), which opens the unit of work, applies the domain's rules (``domain/``) to
rows read through the repository (``adapters/``) and records the events of the change
(``contract/events.py``) in the same transaction.
"""
from pathlib import Path

from nameko.rpc import RpcProxy, rpc

from services.common.schemas import load
from services.common.service import Clock, ServiceBase
from services.common.uow import Database
# Registered so that registration's errors arrive here as themselves (and are translated).
from services.registration.contract import errors as _registration_errors  # noqa: F401

from .adapters.models import metadata
from .adapters.peers import Peers
from .contract import events, schemas
from .usecases import activities, edits, occurrences, orgs, products, seats
from .usecases.context import Context


def _page(limit, cursor, everything_by_default=False):
    """(limit, cursor) loaded with ``PageQuery``; (None, None) means every row where
    ``everything_by_default``."""
    if everything_by_default and limit is None and cursor is None:
        return None, None
    args = load(schemas.PageQuery, {k: v for k, v in (("limit", limit), ("cursor", cursor))
                                      if v is not None})
    return args.get("limit"), args.get("cursor")


class CatalogService(ServiceBase):
    name = "catalog"
    db = Database("catalog", metadata, Path(__file__).parent / "migrations",
                  events=events)
    clock = Clock()
    registration = RpcProxy("registration")

    @property
    def ctx(self):
        return Context(db=self.db, clock=self.clock, peers=Peers(self.registration))

    # -- orgs and taxes (R1.1, R7.1) ----------------------------------------------------------------
    @rpc
    def create_org(self, data):
        return orgs.create_org(self.ctx, load(schemas.OrgIn, data))

    @rpc
    def get_org(self, org_id):
        return orgs.get_org(self.ctx, org_id)

    @rpc
    def update_org(self, org_id, patch):
        """``PATCH /orgs/{org}`` (R7.1): name, locale, address, ``prices_include_tax`` and
        ``taxes``. The timezone and currency never change."""
        return orgs.update_org(self.ctx, org_id, load(schemas.OrgPatch, patch))

    @rpc
    def tax_rules(self, org_id, refs):
        """What billing needs to tax a sale (docs/taxes.md): ``{org_id, prices_include_tax,
        taxes, codes: {"type:id": [code]}}`` for ``refs`` ``[{type, id}]`` (type: activity,
        service, pass_type, bundle_type, membership_type, subscription_plan)."""
        data = load(schemas.TaxRulesIn, {"refs": refs})
        return orgs.tax_rules_for(self.ctx, org_id, data["refs"])

    # -- programs and activities (R2.1, R2.2, R2.3, R2.5, R2.7) -------------------------------------
    @rpc
    def create_program(self, org_id, data):
        return activities.create_program(self.ctx, org_id, load(schemas.ProgramIn, data))

    @rpc
    def get_program(self, org_id, program_id):
        return activities.get_program(self.ctx, org_id, program_id)

    @rpc
    def list_programs(self, org_id, limit=None, cursor=None):
        return activities.list_programs(self.ctx, org_id, *_page(limit, cursor))

    @rpc
    def create_activity(self, org_id, data):
        return activities.create_activity(self.ctx, org_id, load(schemas.ActivityIn, data))

    @rpc
    def update_activity(self, org_id, activity_id, patch):
        return activities.update_activity(self.ctx, org_id, activity_id,
                                          load(schemas.ActivityPatch, patch))

    @rpc
    def get_activity(self, org_id, activity_id):
        return activities.get_activity(self.ctx, org_id, activity_id)

    @rpc
    def list_activities(self, org_id, program_id=None, limit=None, cursor=None):
        return activities.list_activities(self.ctx, org_id, program_id, *_page(limit, cursor))

    # -- seat conversions (R2.6) --------------------------------------------------------------------
    @rpc
    def convert_seats(self, org_id, activity_id, data):
        return seats.convert_seats(self.ctx, org_id, activity_id,
                                   load(schemas.SeatConversionIn, data))

    # -- occurrences (R2.1) -------------------------------------------------------------------------
    @rpc
    def list_occurrences(self, org_id, activity_id, from_=None, to=None, limit=None,
                         cursor=None):
        return occurrences.list_occurrences(self.ctx, org_id, activity_id, from_, to,
                                            *_page(limit, cursor, everything_by_default=True))

    @rpc
    def calendar(self, org_id, from_=None, to=None, program_id=None, limit=None, cursor=None):
        return occurrences.calendar(self.ctx, org_id, from_, to, program_id,
                                    *_page(limit, cursor, everything_by_default=True))

    @rpc
    def get_occurrence(self, org_id, occurrence_id):
        return occurrences.get_occurrence(self.ctx, org_id, occurrence_id)

    @rpc
    def get_occurrences(self, org_id, occurrence_ids):
        return occurrences.get_occurrences(self.ctx, org_id, occurrence_ids)

    @rpc
    def add_occurrence(self, org_id, activity_id, data):
        return occurrences.add_occurrence(self.ctx, org_id, activity_id,
                                          load(schemas.OccurrenceIn, data))

    @rpc
    def cancel_occurrence(self, org_id, occurrence_id):
        return occurrences.cancel_occurrence(self.ctx, org_id, occurrence_id)

    # -- services (R2.10) ---------------------------------------------------------------------------
    @rpc
    def create_service(self, org_id, data):
        return products.create_service(self.ctx, org_id, load(schemas.ServiceIn, data))

    @rpc
    def get_service(self, org_id, service_id):
        return products.get_service(self.ctx, org_id, service_id)

    @rpc
    def list_services(self, org_id, limit=None, cursor=None):
        return products.list_services(self.ctx, org_id, *_page(limit, cursor))

    # -- pass types (R2.8, R2.9) --------------------------------------------------------------------
    @rpc
    def create_pass_type(self, org_id, data):
        return products.create_pass_type(self.ctx, org_id, load(schemas.PassTypeIn, data))

    @rpc
    def update_pass_type(self, org_id, pass_type_id, patch):
        return products.update_pass_type(self.ctx, org_id, pass_type_id,
                                         load(schemas.PassTypePatch, patch))

    @rpc
    def get_pass_type(self, org_id, pass_type_id):
        return products.get_pass_type_terms(self.ctx, org_id, pass_type_id)

    @rpc
    def get_pass_type_terms(self, org_id, pass_type_id, terms_version=None):
        return products.get_pass_type_terms(self.ctx, org_id, pass_type_id, terms_version)

    @rpc
    def list_pass_types(self, org_id, limit=None, cursor=None):
        return products.list_pass_types(self.ctx, org_id, *_page(limit, cursor))

    # -- bundle types (R2.11) -----------------------------------------------------------------------
    @rpc
    def create_bundle_type(self, org_id, data):
        return products.create_bundle_type(self.ctx, org_id, load(schemas.BundleTypeIn, data))

    @rpc
    def get_bundle_type(self, org_id, bundle_type_id):
        return products.get_bundle_type(self.ctx, org_id, bundle_type_id)

    @rpc
    def list_bundle_types(self, org_id, limit=None, cursor=None):
        return products.list_bundle_types(self.ctx, org_id, *_page(limit, cursor))

    # -- membership types (R2.12) -------------------------------------------------------------------
    @rpc
    def create_membership_type(self, org_id, data):
        return products.create_membership_type(self.ctx, org_id,
                                               load(schemas.MembershipTypeIn, data))

    @rpc
    def get_membership_type(self, org_id, membership_type_id):
        return products.get_membership_type(self.ctx, org_id, membership_type_id)

    @rpc
    def list_membership_types(self, org_id, limit=None, cursor=None):
        return products.list_membership_types(self.ctx, org_id, *_page(limit, cursor))

    # -- subscription plans (R2.13) -----------------------------------------------------------------
    @rpc
    def create_subscription_plan(self, org_id, data):
        return products.create_subscription_plan(self.ctx, org_id,
                                                 load(schemas.SubscriptionPlanIn, data))

    @rpc
    def get_subscription_plan(self, org_id, plan_id):
        return products.get_subscription_plan(self.ctx, org_id, plan_id)

    @rpc
    def list_subscription_plans(self, org_id, limit=None, cursor=None):
        return products.list_subscription_plans(self.ctx, org_id, *_page(limit, cursor))

    # -- audited edits, future sales only (issue 17) ------------------------------------------------
    @rpc
    def update_service(self, org_id, service_id, data, actor=None):
        return edits.edit(self.ctx, org_id, "service", service_id,
                          load(schemas.ServicePatch, data), actor)

    @rpc
    def update_bundle_type(self, org_id, bundle_type_id, data, actor=None):
        return edits.edit(self.ctx, org_id, "bundle_type", bundle_type_id,
                          load(schemas.BundleTypePatch, data), actor)

    @rpc
    def update_membership_type(self, org_id, membership_type_id, data, actor=None):
        return edits.edit(self.ctx, org_id, "membership_type", membership_type_id,
                          load(schemas.MembershipTypePatch, data), actor)

    @rpc
    def update_subscription_plan(self, org_id, plan_id, data, actor=None):
        return edits.edit(self.ctx, org_id, "subscription_plan", plan_id,
                          load(schemas.SubscriptionPlanPatch, data), actor)
