"""What several use cases share: refusing invalid input field by field, references to
other rows, the plain create / get / list of the simple catalog objects, and telling the
catalog's copies that an activity changed."""
import logging

from ..adapters.repositories import CatalogRepository
from ..contract.errors import InvalidCatalogInput
from ..domain import taxes as tax_rules

log = logging.getLogger(__name__)


def raise_if(errors):
    if errors:
        raise InvalidCatalogInput("the request is not valid", errors)


def unknown(what, ids):
    return [f"no {what} {', '.join(ids)} in this organisation"]


def deep_update(target, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_update(target[key], value)
        else:
            target[key] = value
    return target


def tax_code_errors(repo, org_id, tax_codes):
    """R7.1: a thing's tax codes must be taxes of its org (None: all of them)."""
    return tax_rules.tax_code_errors(tax_codes, repo.org(org_id).taxes)


def unknown_ids_errors(repo, model, org_id, ids, field, what):
    missing = repo.unknown_ids(model, org_id, ids)
    return {field: unknown(what, missing)} if missing else {}


def create(ctx, org_id, model, data, view_of, event_type, check=None):
    """A row of ``model`` from loaded ``data`` (its tax codes checked, and ``check(repo)``
    if given), announced by ``event_type`` with its view."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CatalogRepository(uow.session)
        repo.org(org_id)
        if check is not None:
            check(repo)
        raise_if(tax_code_errors(repo, org_id, data.get("tax_codes")))
        row = repo.new(model, org_id=org_id, created_at=now, **data)
        uow.flush()
        view = view_of(row)
        uow.emit(event_type, view, occurred_at=now)
        uow.commit()
    return view


def get(ctx, org_id, model, object_id, view_of):
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        repo.org(org_id)
        return view_of(repo.get(model, org_id, object_id))


def list_page(ctx, org_id, model, view_of, limit, cursor):
    with ctx.db.uow(readonly=True) as uow:
        repo = CatalogRepository(uow.session)
        repo.org(org_id)
        rows, next_cursor = repo.page(model, org_id, limit, cursor)
        return {"items": [view_of(r) for r in rows], "next_cursor": next_cursor}


def tell_copies(ctx, org_id, activity_id):
    """Issue 14: registration keeps a copy of activities and occurrences so that a hold asks
    the catalog nothing. Every use case that changes an activity or its occurrences (and
    bumps its ``revision``) calls this after its commit and before it answers, so that by
    the time the editor's request returns, registration has fetched the new revision
    (``registration.catalog_changed``): the next hold is judged on it. Best effort: if
    registration does not answer in time (``Peers.catalog_changed``), the change's events
    bring it there a moment later."""
    try:
        ctx.peers.catalog_changed(org_id, activity_id)
    except Exception:
        log.warning("registration did not take activity %s's change now; its copy will "
                    "follow the change's events", activity_id, exc_info=True)
