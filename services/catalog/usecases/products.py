"""What the org sells besides activities: services (R2.10), pass types with their versioned
terms (R2.8, R2.9), bundle types (R2.11), membership types (R2.12), subscription plans
(R2.13). Edits of all but pass types are audited: ``edits.py``."""
from ..adapters.models import (Activity, BundleType, MembershipType, PassType, PassTypeTerms,
                               Service, SubscriptionPlan)
from ..adapters.presenters import (bundle_type_view, membership_type_view, pass_type_view,
                                   service_view, subscription_plan_view, tz_of)
from ..adapters.repositories import CatalogRepository, pass_terms
from ..contract import events
from ..contract.errors import PassTypeTermsNotFound
from ..domain import products
from . import common
from .common import deep_update, raise_if, unknown, unknown_ids_errors


# -- services (R2.10) ------------------------------------------------------------------------------

def create_service(ctx, org_id, data):
    return common.create(ctx, org_id, Service, data, service_view, events.SERVICE_CREATED)


def get_service(ctx, org_id, service_id):
    return common.get(ctx, org_id, Service, service_id, service_view)


def list_services(ctx, org_id, limit, cursor):
    return common.list_page(ctx, org_id, Service, service_view, limit, cursor)


# -- pass types (R2.8, R2.9) -----------------------------------------------------------------------

def _check_pass_terms(repo, org_id, terms):
    errors = products.pass_terms_errors(terms)
    errors.update(unknown_ids_errors(repo, Activity, org_id, terms["eligible_activity_ids"],
                                     "eligible_activity_ids", "activity"))
    errors.update(common.tax_code_errors(repo, org_id, terms.get("tax_codes")))
    raise_if(errors)


def _add_terms(repo, pass_type, version, terms, now):
    row = PassTypeTerms(pass_type_id=pass_type.id, version=version, created_at=now,
                        **{k: terms[k] for k in products.PASS_TERMS})
    repo.session.add(row)
    return row


def create_pass_type(ctx, org_id, data):
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        terms = products.new_pass_terms(data)
        _check_pass_terms(repo, org_id, terms)
        pass_type = repo.new(PassType, org_id=org_id, current_version=1, created_at=now,
                             updated_at=now)
        uow.flush()
        row = _add_terms(repo, pass_type, 1, terms, now)
        uow.flush()
        view = pass_type_view(pass_type, row, tz)
        uow.emit(events.PASS_TYPE_CREATED, view, occurred_at=now)
        uow.commit()
    return view


def update_pass_type(ctx, org_id, pass_type_id, patch):
    """Every edit is a new terms version; sales keep the version they were sold under
    (R2.9), retrievable with :func:`get_pass_type_terms`."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        pass_type = repo.get(PassType, org_id, pass_type_id, lock=True)
        current = pass_terms(repo.terms(pass_type.id, pass_type.current_version))
        terms = products.patch_pass_terms(current, patch)
        _check_pass_terms(repo, org_id, terms)
        version = pass_type.current_version + 1
        row = _add_terms(repo, pass_type, version, terms, now)
        pass_type.current_version = version
        pass_type.updated_at = now
        uow.flush()
        view = pass_type_view(pass_type, row, tz)
        uow.emit(events.PASS_TYPE_UPDATED, view, occurred_at=now)
        uow.commit()
    return view


def get_pass_type_terms(ctx, org_id, pass_type_id, terms_version=None):
    """The pass type with the terms of ``terms_version`` (default: the current ones)."""
    if terms_version is not None and (not isinstance(terms_version, int)
                                      or isinstance(terms_version, bool)):
        raise_if({"terms_version": ["a version number"]})
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        pass_type = repo.get(PassType, org_id, pass_type_id)
        version = pass_type.current_version if terms_version is None else terms_version
        terms = repo.terms(pass_type.id, version)
        if terms is None:
            raise PassTypeTermsNotFound(
                f"pass type {pass_type_id} has no terms version {version}",
                {"id": pass_type_id, "terms_version": version})
        return pass_type_view(pass_type, terms, tz)


def list_pass_types(ctx, org_id, limit, cursor):
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        tz = tz_of(repo.org(org_id))
        rows, next_cursor = repo.pass_types_page(org_id, limit, cursor)
        return {"items": [pass_type_view(p, t, tz) for p, t in rows],
                "next_cursor": next_cursor}


# -- bundle types (R2.11) --------------------------------------------------------------------------

def create_bundle_type(ctx, org_id, data):
    """Each division's price is the sum of its services' prices × counts unless given."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        repo.org(org_id)
        divisions = data["divisions"]
        errors = products.divisions_errors(divisions)
        prices = repo.service_prices(org_id, products.bundle_service_ids(divisions))
        for d, division in enumerate(divisions):
            for i, item in enumerate(division["items"]):
                if item["service_id"] not in prices:
                    deep_update(errors, {"divisions": {d: {"items": {i: {
                        "service_id": unknown("service", [item["service_id"]])}}}}})
        errors.update(common.tax_code_errors(repo, org_id, data.get("tax_codes")))
        raise_if(errors)
        bundle_type = repo.new(BundleType, org_id=org_id, name=data["name"],
                               accounting_code=data.get("accounting_code"),
                               tax_codes=data.get("tax_codes"),
                               divisions=products.priced_divisions(divisions, prices),
                               created_at=now)
        uow.flush()
        view = bundle_type_view(bundle_type)
        uow.emit(events.BUNDLE_TYPE_CREATED, view, occurred_at=now)
        uow.commit()
    return view


def get_bundle_type(ctx, org_id, bundle_type_id):
    return common.get(ctx, org_id, BundleType, bundle_type_id, bundle_type_view)


def list_bundle_types(ctx, org_id, limit, cursor):
    return common.list_page(ctx, org_id, BundleType, bundle_type_view, limit, cursor)


# -- membership types (R2.12) ----------------------------------------------------------------------

def create_membership_type(ctx, org_id, data):
    return common.create(ctx, org_id, MembershipType, data, membership_type_view,
                         events.MEMBERSHIP_TYPE_CREATED)


def get_membership_type(ctx, org_id, membership_type_id):
    return common.get(ctx, org_id, MembershipType, membership_type_id, membership_type_view)


def list_membership_types(ctx, org_id, limit, cursor):
    return common.list_page(ctx, org_id, MembershipType, membership_type_view, limit, cursor)


# -- subscription plans (R2.13) --------------------------------------------------------------------

def create_subscription_plan(ctx, org_id, data):
    data["activity_ids"] = list(dict.fromkeys(data["activity_ids"]))

    def check(repo):
        raise_if(unknown_ids_errors(repo, Activity, org_id, data["activity_ids"],
                                    "activity_ids", "activity"))

    return common.create(ctx, org_id, SubscriptionPlan, data, subscription_plan_view,
                         events.SUBSCRIPTION_PLAN_CREATED, check)


def get_subscription_plan(ctx, org_id, plan_id):
    return common.get(ctx, org_id, SubscriptionPlan, plan_id, subscription_plan_view)


def list_subscription_plans(ctx, org_id, limit, cursor):
    return common.list_page(ctx, org_id, SubscriptionPlan, subscription_plan_view, limit,
                            cursor)
