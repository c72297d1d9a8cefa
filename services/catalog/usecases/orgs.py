"""The org (R1.1) and its tax settings (R7.1, docs/taxes.md)."""
from ..adapters.models import (Activity, BundleType, MembershipType, Org, PassType, Service,
                               SubscriptionPlan)
from ..adapters.presenters import org_view
from ..adapters.repositories import CatalogRepository
from ..contract import events
from ..domain import taxes as tax_rules
from .common import raise_if

TAXED = {"activity": Activity, "service": Service, "pass_type": PassType,
         "bundle_type": BundleType, "membership_type": MembershipType,
         "subscription_plan": SubscriptionPlan}

EDITABLE = ("name", "locale", "address", "prices_include_tax", "taxes")


def create_org(ctx, data):
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        org = CatalogRepository(uow.session).new(
            Org, name=data["name"], timezone=data["timezone"], currency=data["currency"],
            locale=data.get("locale", "fr"), created_at=now)
        uow.flush()
        view = org_view(org)
        uow.emit(events.ORG_CREATED, view, occurred_at=now)
        uow.commit()
    return view


def get_org(ctx, org_id):
    with ctx.db.uow(readonly=True) as uow:
        return org_view(CatalogRepository(uow.session).org(org_id))


def update_org(ctx, org_id, patch):
    """Name, locale, address, ``prices_include_tax`` and ``taxes`` (the list replaces the
    org's). Things whose ``tax_codes`` name a tax the org drops simply stop paying it."""
    if "taxes" in patch:
        patch["taxes"], errors = tax_rules.normalise_taxes(patch["taxes"])
        raise_if(errors)
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        org = CatalogRepository(uow.session).org(org_id, lock=True)
        for name in EDITABLE:
            if name in patch:
                setattr(org, name, patch[name])
        uow.flush()
        view = org_view(org)
        uow.emit(events.ORG_UPDATED, view, occurred_at=now)
        uow.commit()
    return view


def tax_rules_for(ctx, org_id, refs):
    """What billing needs to tax a sale, in one answer: the org's ``prices_include_tax``
    and ``taxes``, and for each ``{type, id}`` of ``refs`` the codes that apply to it now,
    keyed ``"type:id"`` (unknown ids are left out)."""
    wanted = {}
    for ref in refs:
        if TAXED.get(ref.get("type")) is None or not isinstance(ref.get("id"), str):
            raise_if({"refs": ["each {type, id} with type one of " + ", ".join(sorted(TAXED))]})
        wanted.setdefault(ref["type"], set()).add(ref["id"])
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        org = repo.org(org_id)
        taxes = [dict(t) for t in org.taxes or []]
        codes = {}
        for kind, ids in wanted.items():
            for object_id, tax_codes in repo.tax_codes(TAXED[kind], org_id, ids):
                codes[f"{kind}:{object_id}"] = tax_rules.effective_codes(tax_codes, taxes)
        return {"org_id": org_id, "prices_include_tax": bool(org.prices_include_tax),
                "taxes": taxes, "codes": codes}
