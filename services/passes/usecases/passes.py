"""Passes (punch cards): sale with the terms in force (R2.9), staff grants and expiry
changes (R4.3), and the reads of one pass and its ledger (R4.1). Debits and credits are in
``pass_uses.py``; the report in ``reports.py``."""
from services.common.clock import ensure_utc
from services.common.timeutil import parse_instant_or_day, to_local_iso
from services.common.types import new_id

from ..adapters.models import Pass, PassEntry
from ..adapters.presenters import (counted_pass_view, counted_state, pass_entry_view,
                                  pass_view)
from ..adapters.repositories import PassRepository
from ..contract import events
from ..contract.errors import PassNotFound
from ..domain import passes as pass_rules
from ..domain.validity import zone
from .context import once, sale_key


def found(repo, org_id, pass_id, lock=False):
    row = repo.get_for_update(org_id, pass_id) if lock else repo.get(org_id, pass_id)
    if row is None:
        raise PassNotFound("no such pass", {"pass_id": pass_id})
    return row


def summed_view(repo, row, now):
    """The pass with its balance summed from the ledger (R4.1)."""
    return pass_view(row, *repo.sums(row.id), now)


# -- reads ---------------------------------------------------------------------------------
def get_pass(ctx, org_id, pass_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = PassRepository(uow.session)
        return summed_view(repo, found(repo, org_id, pass_id), ctx.clock.now())


def list_account_passes(ctx, org_id, account_id):
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        rows = PassRepository(uow.session).of_account(org_id, account_id)
        return {"items": [pass_view(row, balance, used, now) for row, balance, used in rows]}


def pass_ledger(ctx, org_id, pass_id):
    """The pass and every entry of its ledger, oldest first (R4.1)."""
    with ctx.db.uow(readonly=True) as uow:
        repo = PassRepository(uow.session)
        row = found(repo, org_id, pass_id)
        return {"pass": summed_view(repo, row, ctx.clock.now()),
                "items": [pass_entry_view(e, row.timezone) for e in repo.ledger(row.id)]}


# -- sale and grant (R2.9, R4.3) --------------------------------------------------------------
def _new_pass(repo, org_id, answer, terms, tz_name, account_id, member_id, origin, invoice_id,
              key, purchased_at, now, entry_kind, reason=None, actor=None):
    uses_total = terms["uses"]
    row = Pass(id=new_id("pas"), org_id=org_id, pass_type_id=answer["id"],
               terms_version=answer.get("terms_version"), terms=terms, name=terms["name"],
               family=terms["family"], account_id=account_id,
               member_id=None if terms["family"] else member_id, origin=origin,
               invoice_id=invoice_id, sale_key=key, timezone=tz_name,
               purchased_at=purchased_at,
               expires_at=pass_rules.expiry_from_terms(terms, purchased_at, zone(tz_name)),
               uses_total=uses_total, uses_left=uses_total, uses_used=0, revoked_at=None,
               created_at=now, updated_at=now)
    repo.add(row)
    entry = repo.add_entry(PassEntry(
        pass_id=row.id, org_id=org_id, kind=entry_kind,
        delta=pass_rules.sale_delta(uses_total), ref_id=invoice_id, reason=reason,
        actor=actor, created_at=now))
    return row, entry


def _by_sale_key(ctx, org_id, key, now):
    with ctx.db.uow(readonly=True) as uow:
        row = PassRepository(uow.session).by_sale_key(org_id, key)
        return None if row is None else counted_pass_view(row, now)


def sell_pass(ctx, org_id, data):
    """A pass sold on an invoice, keeping a copy of the terms in force (R2.9); idempotent on
    (invoice, pass type, holder, cart item)."""
    now = ctx.clock.now()
    key = sale_key("pass", data["invoice_id"], data["pass_type_id"], data["account_id"],
                   data["member_id"], data["cart_item_id"])
    existing = _by_sale_key(ctx, org_id, key, now)
    if existing is not None:
        return existing
    answer = ctx.peers.pass_type_terms(org_id, data["pass_type_id"])
    terms = pass_rules.copy_terms(answer)
    tz_name = ctx.peers.timezone(org_id)
    if data["member_id"] and not terms["family"]:
        ctx.peers.check_member_of(org_id, data["account_id"], data["member_id"])
    purchased_at = ensure_utc(data["sold_at"] or now)

    def write():
        with ctx.db.uow() as uow:
            row, _ = _new_pass(PassRepository(uow.session), org_id, answer, terms, tz_name,
                               data["account_id"], data["member_id"], "sale",
                               data["invoice_id"], key, purchased_at, now, pass_rules.SALE)
            view = counted_pass_view(row, now)
            uow.emit(events.PASS_SOLD, view, occurred_at=now)
            uow.commit()
        return view
    return once(write, lambda: _by_sale_key(ctx, org_id, key, now))


def grant_passes(ctx, org_id, data):
    """R4.3: the same pass granted to many accounts at once, with who and why; all or
    nothing. With ``grant_id``, a retried grant writes nothing new."""
    now = ctx.clock.now()
    account_ids = list(dict.fromkeys(data["account_ids"]))
    answer = ctx.peers.pass_type_terms(org_id, data["pass_type_id"])
    terms = pass_rules.copy_terms(answer)
    tz_name = ctx.peers.timezone(org_id)
    ctx.peers.check_accounts(org_id, account_ids)
    keys = {a: (sale_key("grant", data["grant_id"], a) if data["grant_id"] else None)
            for a in account_ids}

    def write():
        with ctx.db.uow() as uow:
            repo = PassRepository(uow.session)
            items = []
            for account_id, key in keys.items():
                row = repo.by_sale_key(org_id, key) if key else None
                if row is None:
                    row, entry = _new_pass(
                        repo, org_id, answer, terms, tz_name, account_id, None, "grant", None,
                        key, now, now, pass_rules.GRANT, reason=data["reason"],
                        actor=data["granted_by"])
                    uow.emit(events.PASS_GRANTED, dict(counted_pass_view(row, now),
                                                       entry=pass_entry_view(entry, tz_name)),
                             occurred_at=now)
                items.append(counted_pass_view(row, now))
            uow.commit()
        return {"items": items}

    def recorded():  # the same grant_id, granted meanwhile by another request
        with ctx.db.uow(readonly=True) as uow:
            repo = PassRepository(uow.session)
            rows = [repo.by_sale_key(org_id, k) for k in keys.values()]
            if any(r is None for r in rows):
                return None
            return {"items": [counted_pass_view(r, now) for r in rows]}
    return once(write, recorded)


def change_pass_expiry(ctx, org_id, pass_id, data):
    """R4.3: one holder's expiry changed, recorded as an adjustment entry with who and why.
    The same expiry again writes nothing."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = PassRepository(uow.session)
        row = found(repo, org_id, pass_id, lock=True)
        view = counted_pass_view(row, now)
        pass_rules.check_changeable(counted_state(row))
        tz = zone(row.timezone)
        new_expiry = parse_instant_or_day(data["expires_at"], tz)
        if row.expires_at is not None and ensure_utc(row.expires_at) == new_expiry:
            return view
        entry = repo.add_entry(PassEntry(
            pass_id=row.id, org_id=org_id, kind=pass_rules.ADJUSTMENT, delta=0,
            reason=data["reason"], actor=data["changed_by"],
            data={"field": "expires_at", "from": to_local_iso(row.expires_at, tz),
                  "to": to_local_iso(new_expiry, tz)},
            created_at=now))
        row.expires_at = new_expiry
        row.updated_at = now
        uow.flush()
        view = counted_pass_view(row, now)
        uow.emit(events.PASS_EXPIRY_CHANGED,
                 dict(view, entry=pass_entry_view(entry, row.timezone)), occurred_at=now)
        uow.commit()
    return view
