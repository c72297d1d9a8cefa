"""Catalog edits (issue 17, R2.9 style): services, bundle types, membership types and
subscription plans are edited for future sales only (what was sold keeps a copy of what it
was sold with: appointments their price and duration, bundles their divisions, memberships
their duration, subscriptions their plan's price and activities). Each edit is audited: the
``catalog_edited`` event (who, when, before, after) is written in the edit's transaction
and kept by the accounts service's audit log (``GET /orgs/{org}/audit``)."""
from nameko.rpc import rpc

from services.common.schemas import load
from services.common.schemas import require_id as _id

from .contract import schemas
from .adapters.models import Activity, BundleType, MembershipType, Service, SubscriptionPlan
from .adapters.presenters import (bundle_type_view, membership_type_view, service_view,
                                  subscription_plan_view)
from .adapters.repository import CatalogRepository
from .contract.errors import InvalidCatalogInput


class CatalogEditEntrypoints:
    """Needs CatalogService's ``db`` and ``clock``."""

    def _edit(self, org_id, model, object_id, patch, view_of, entity, actor, check=None):
        org_id = _id("org_id", org_id)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CatalogRepository(uow.session)
            repo.org(org_id)
            row = repo.get(model, org_id, object_id, lock=True)
            before = view_of(row)
            if check is not None:
                check(repo)
            for field, value in patch.items():
                setattr(row, field, value)
            uow.flush()
            after = view_of(row)
            if after != before:
                uow.emit("catalog_edited", {
                    "org_id": org_id, "entity": entity, "entity_id": object_id,
                    "actor": actor, "before": before, "after": after,
                    "edited_at": now.isoformat()}, occurred_at=now)
                uow.emit(f"{entity}_updated", after, occurred_at=now)
            uow.commit()
        return after

    @rpc
    def update_service(self, org_id, service_id, data, actor=None):
        data = load(schemas.ServicePatch(), data)
        return self._edit(org_id, Service, service_id, data, service_view, "service", actor)

    @rpc
    def update_bundle_type(self, org_id, bundle_type_id, data, actor=None):
        data = load(schemas.BundleTypePatch(), data)
        return self._edit(org_id, BundleType, bundle_type_id, data, bundle_type_view,
                          "bundle_type", actor)

    @rpc
    def update_membership_type(self, org_id, membership_type_id, data, actor=None):
        data = load(schemas.MembershipTypePatch(), data)
        return self._edit(org_id, MembershipType, membership_type_id, data,
                          membership_type_view, "membership_type", actor)

    @rpc
    def update_subscription_plan(self, org_id, plan_id, data, actor=None):
        data = load(schemas.SubscriptionPlanPatch(), data)
        check = None
        if "activity_ids" in data:
            data["activity_ids"] = list(dict.fromkeys(data["activity_ids"]))

            def check(repo):
                missing = repo.unknown_ids(Activity, org_id, data["activity_ids"])
                if missing:
                    raise InvalidCatalogInput("the request is not valid", {
                        "activity_ids": [f"no activity {', '.join(missing)} in this "
                                         "organisation"]})
        return self._edit(org_id, SubscriptionPlan, plan_id, data, subscription_plan_view,
                          "subscription_plan", actor, check)
