"""Audited edits (issue 17, R2.9 style): services, bundle types, membership types and
subscription plans are edited for future sales only (what was sold keeps a copy of what it
was sold with: appointments their price and duration, bundles their divisions, memberships
their duration, subscriptions their plan's price and activities). Each edit that changes
something is audited: ``catalog_edited`` (who, when, before, after), kept by the accounts
service's audit log (``GET /orgs/{org}/audit``), then ``<entity>_updated``, both in the
edit's transaction."""
from services.common.schemas import require_id

from ..adapters.models import Activity, BundleType, MembershipType, Service, SubscriptionPlan
from ..adapters.presenters import (bundle_type_view, membership_type_view, service_view,
                                   subscription_plan_view)
from ..adapters.repositories import CatalogRepository
from ..contract import events
from .common import raise_if, unknown_ids_errors

EDITED = {"service": (Service, service_view),
          "bundle_type": (BundleType, bundle_type_view),
          "membership_type": (MembershipType, membership_type_view),
          "subscription_plan": (SubscriptionPlan, subscription_plan_view)}


def edit(ctx, org_id, entity, object_id, patch, actor):
    """Apply ``patch`` (loaded with the entity's ``*Patch`` contract) to one ``entity`` of
    ``EDITED``; its view after."""
    org_id = require_id("org_id", org_id)
    model, view_of = EDITED[entity]
    if entity == "subscription_plan" and "activity_ids" in patch:
        patch["activity_ids"] = list(dict.fromkeys(patch["activity_ids"]))
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        repo.org(org_id)
        row = repo.get(model, org_id, object_id, lock=True)
        before = view_of(row)
        if "activity_ids" in patch:
            raise_if(unknown_ids_errors(repo, Activity, org_id, patch["activity_ids"],
                                        "activity_ids", "activity"))
        for field, value in patch.items():
            setattr(row, field, value)
        uow.flush()
        after = view_of(row)
        if after != before:
            uow.emit(events.CATALOG_EDITED, {
                "org_id": org_id, "entity": entity, "entity_id": object_id,
                "actor": actor, "before": before, "after": after,
                "edited_at": now.isoformat()}, occurred_at=now)
            uow.emit(events.EDITED_ENTITIES[entity], after, occurred_at=now)
        uow.commit()
    return after
