"""The audit log admins read: accounts' own edits (written by each edit) and the
catalog's, kept from its ``catalog_edited`` events."""
from services.common.timeutil import parse_instant

from ..adapters.repositories import AuditRepository, audit_dict


def list_audit(ctx, org_id, query) -> dict:
    """Edits, newest first; ``entity``/``entity_id`` narrow it."""
    with ctx.db.uow(readonly=True) as uow:
        rows, next_cursor = AuditRepository(uow.session).list(
            org_id, query["entity"], query["entity_id"], query["limit"], query["cursor"])
        return {"items": [audit_dict(r) for r in rows], "next_cursor": next_cursor}


def record_catalog_edit(ctx, payload):
    """Keep a ``catalog_edited`` event in the log (once per event)."""
    data = (payload or {}).get("data") or {}
    if not data.get("org_id") or not data.get("entity_id"):
        return
    when = parse_instant(data.get("edited_at")) or ctx.clock.now()
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        AuditRepository(uow.session).add(
            data["org_id"], data.get("entity") or "catalog", data["entity_id"], "updated",
            data.get("actor"), data.get("before"), data.get("after"), when,
            source_event_id=payload.get("event_id"))
        uow.commit()
