"""A voided invoice (R6.5): what it sold is revoked where unused, in one transaction."""
from services.common.timeutil import to_local_iso

from ..adapters.models import BundleEntry, PassEntry
from ..adapters.presenters import counted_pass_view, membership_view, pass_entry_view
from ..adapters.repositories import BundleRepository, MembershipRepository, PassRepository
from ..contract import events
from ..domain import bundles as bundle_rules
from ..domain import passes as pass_rules
from ..domain.validity import zone
from .bundles import summed_view as bundle_view


def revoke_for_invoice(ctx, org_id, invoice_id):
    """Revoke what was sold on a voided invoice: passes and bundles if unused (a used pass,
    or a bundle with a booked or used service, stays and is listed in ``not_revoked`` with
    the reason), and memberships. Idempotent: what is already revoked is listed again,
    nothing is written twice."""
    now = ctx.clock.now()
    revoked, kept = [], []
    with ctx.db.uow() as uow:
        passes = PassRepository(uow.session)
        for row in passes.by_invoice(org_id, invoice_id, lock=True):
            _revoke_pass(uow, passes, row, invoice_id, now, revoked, kept)
        bundles = BundleRepository(uow.session)
        for row in bundles.by_invoice(org_id, invoice_id, lock=True):
            _revoke_bundle(uow, bundles, row, invoice_id, now, revoked, kept)
        for row in MembershipRepository(uow.session).by_invoice(org_id, invoice_id, lock=True):
            if row.revoked_at is None:
                row.revoked_at = now
                uow.flush()
                uow.emit(events.MEMBERSHIP_REVOKED,
                         dict(membership_view(row, now), reason="invoice voided"),
                         occurred_at=now)
            revoked.append(_revoked("membership", row))
        uow.commit()
    return {"invoice_id": invoice_id, "items": revoked, "not_revoked": kept}


def _revoked(kind, row):
    return {"type": kind, "id": row.id,
            "revoked_at": to_local_iso(row.revoked_at, zone(row.timezone))}


def _revoke_pass(uow, repo, row, invoice_id, now, revoked, kept):
    if row.revoked_at is None:
        entries = [(e.kind, e.delta) for e in repo.ledger(row.id)]
        if not pass_rules.revocable(entries):
            kept.append({"type": "pass", "id": row.id, "reason": "used"})
            return
        balance = pass_rules.balance(d for _, d in entries)
        entry = repo.add_entry(PassEntry(
            pass_id=row.id, org_id=row.org_id, kind=pass_rules.REVOKE,
            delta=-balance if row.uses_total is not None else 0, ref_id=invoice_id,
            reason="invoice voided", created_at=now))
        repo.empty(row)
        row.revoked_at = now
        row.updated_at = now
        uow.flush()
        uow.emit(events.PASS_REVOKED, dict(counted_pass_view(row, now),
                                           entry=pass_entry_view(entry, row.timezone)),
                 occurred_at=now)
    revoked.append(_revoked("pass", row))


def _revoke_bundle(uow, repo, row, invoice_id, now, revoked, kept):
    if row.revoked_at is None:
        counts = repo.counts([row.id])[row.id]
        if not bundle_rules.revocable(counts):
            kept.append({"type": "bundle", "id": row.id,
                         "reason": bundle_rules.not_revocable_reason(counts)})
            return
        for position, c in enumerate(counts):
            repo.add_entry(BundleEntry(
                bundle_id=row.id, org_id=row.org_id, service_id=c.service_id,
                kind=bundle_rules.REVOKE, ref_id=invoice_id, seq=position,
                d_total=-c.remaining, d_booked=0, d_used=0, reason="invoice voided",
                created_at=now))
        repo.zero_total(row.id)
        row.revoked_at = now
        row.updated_at = now
        uow.flush()
        uow.emit(events.BUNDLE_REVOKED, bundle_view(repo, row), occurred_at=now)
    revoked.append(_revoked("bundle", row))
