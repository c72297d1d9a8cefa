"""Salon bundles (R2.11, R4.4-R4.7): the sale to a named client, and each appointment's
booking, unbooking and use, each one conditional update of the bundle's cached counts and
one ledger entry in the transaction of the locked bundle row."""
from services.common.clock import ensure_utc
from services.common.types import new_id

from ..adapters.models import Bundle, BundleEntry, BundleItem
from ..adapters.presenters import bundle_entry_view, bundle_view
from ..adapters.repositories import BundleRepository
from ..contract import events
from ..contract.errors import BundleExhausted, BundleNotFound
from ..domain import bundles as bundle_rules
from .context import once, sale_key


def summed_view(repo, row):
    return bundle_view(row, repo.counts([row.id])[row.id])


def _found(repo, org_id, bundle_id, lock=False):
    row = repo.get_for_update(org_id, bundle_id) if lock else repo.get(org_id, bundle_id)
    if row is None:
        raise BundleNotFound("no such bundle", {"bundle_id": bundle_id})
    return row


def _by_sale_key(ctx, org_id, key):
    with ctx.db.uow(readonly=True) as uow:
        repo = BundleRepository(uow.session)
        row = repo.by_sale_key(org_id, key)
        return None if row is None else summed_view(repo, row)


def sell_bundle(ctx, org_id, data):
    """A bundle sold to a named client (R4.4), one ledger entry per service of its division;
    idempotent on (invoice, bundle type, division, client, cart item)."""
    bundle_rules.require_client(data["member_id"])
    now = ctx.clock.now()
    key = sale_key("bundle", data["invoice_id"], data["bundle_type_id"],
                   data["division"].strip().casefold(), data["account_id"], data["member_id"],
                   data["cart_item_id"])
    existing = _by_sale_key(ctx, org_id, key)
    if existing is not None:
        return existing
    bundle_type = ctx.peers.bundle_type(org_id, data["bundle_type_id"])
    division = bundle_rules.find_division(bundle_type, data["division"])
    tz_name = ctx.peers.timezone(org_id)
    ctx.peers.check_member_of(org_id, data["account_id"], data["member_id"])
    purchased_at = ensure_utc(data["sold_at"] or now)
    lines = bundle_rules.sale_items(division)

    def write():
        with ctx.db.uow() as uow:
            repo = BundleRepository(uow.session)
            row = Bundle(id=new_id("bun"), org_id=org_id, bundle_type_id=bundle_type["id"],
                         name=bundle_type["name"], division=division["name"],
                         price=division.get("price"), account_id=data["account_id"],
                         member_id=data["member_id"], invoice_id=data["invoice_id"],
                         sale_key=key, timezone=tz_name, purchased_at=purchased_at,
                         revoked_at=None, created_at=now, updated_at=now)
            repo.add(row, [BundleItem(bundle_id=row.id, service_id=service_id,
                                      position=position, total=count, booked=0, used=0)
                           for position, (service_id, count) in enumerate(lines)])
            for position, (service_id, count) in enumerate(lines):
                repo.add_entry(BundleEntry(bundle_id=row.id, org_id=org_id,
                                           service_id=service_id, kind=bundle_rules.SALE,
                                           ref_id=data["invoice_id"], seq=position,
                                           d_total=count, d_booked=0, d_used=0,
                                           created_at=now))
            view = summed_view(repo, row)
            uow.emit(events.BUNDLE_SOLD, view, occurred_at=now)
            uow.commit()
        return view
    return once(write, lambda: _by_sale_key(ctx, org_id, key))


# -- an appointment on the bundle (R4.6, R4.7) ------------------------------------------------
def _plan_book(row, counts, service_id, on_bundle):
    return bundle_rules.plan_book(row.id, row.revoked_at is not None, counts.get(service_id),
                                  service_id, on_bundle)


def _plan_unbook(row, counts, service_id, on_bundle):
    return bundle_rules.plan_unbook(on_bundle)


def _plan_use(row, counts, service_id, on_bundle):
    return bundle_rules.plan_use(row.id, row.revoked_at is not None, counts.get(service_id),
                                 service_id, on_bundle)


def book_bundle(ctx, org_id, bundle_id, data):
    """R4.6: the bundle applied to an appointment: one use of the service booked. Booking an
    appointment already booked on the bundle writes nothing."""
    return _move(ctx, org_id, bundle_id, data, _plan_book, events.BUNDLE_BOOKED)


def unbook_bundle(ctx, org_id, bundle_id, data):
    """R4.6/R4.7: the bundle removed from the appointment, or the appointment cancelled: the
    booked use comes back. Nothing to do if it is not booked (or already used)."""
    return _move(ctx, org_id, bundle_id, data, _plan_unbook, events.BUNDLE_UNBOOKED)


def use_bundle(ctx, org_id, bundle_id, data):
    """R4.7: the appointment checked out: its booked use becomes used, or, applied only now,
    one remaining use is used. A second checkout writes nothing."""
    return _move(ctx, org_id, bundle_id, data, _plan_use, events.BUNDLE_USED)


def _move(ctx, org_id, bundle_id, data, planner, event_type):
    appointment_id, service_id = data["appointment_id"], data["service_id"]
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = BundleRepository(uow.session)
        row = _found(repo, org_id, bundle_id, lock=True)
        counts = {c.service_id: c for c in repo.counts([row.id])[row.id]}
        on_bundle = bundle_rules.appointment_state(
            repo.appointment_entries(row.id, appointment_id))
        plan = planner(row, counts, service_id, on_bundle)
        if plan in ("replay", "noop"):
            return summed_view(repo, row)
        kind, d_booked, d_used = bundle_rules.movement(plan)
        # The service the appointment is on, for an unbook or the use of a booking.
        moved_service = on_bundle.service_id if plan in ("unbook", "use_booked") else service_id
        if not repo.move(row.id, moved_service, d_booked, d_used):
            current = counts.get(moved_service) or bundle_rules.Counts(moved_service, 0, 0, 0)
            raise BundleExhausted("no use of this service is left in the bundle",
                                  dict(current.as_dict(), bundle_id=bundle_id))
        seq = {bundle_rules.BOOK: on_bundle.books,
               bundle_rules.UNBOOK: on_bundle.unbooks}.get(kind, 0)
        entry = repo.add_entry(BundleEntry(
            bundle_id=row.id, org_id=org_id, service_id=moved_service, kind=kind,
            ref_id=appointment_id, seq=seq, d_total=0, d_booked=d_booked, d_used=d_used,
            reason=data["reason"], created_at=now))
        row.updated_at = now
        view = summed_view(repo, row)
        uow.emit(event_type, dict(view, entry=bundle_entry_view(entry, row.timezone)),
                 occurred_at=now)
        uow.commit()
    return view


# -- reads --------------------------------------------------------------------------------------
def bundle_candidates(ctx, org_id, member_id, service_id):
    """The member's bundles that can pay for one more ``service_id`` (R4.6)."""
    with ctx.db.uow(readonly=True) as uow:
        repo = BundleRepository(uow.session)
        rows = {row.id: row for row in repo.of_member(org_id, member_id)}
        counts = repo.counts(list(rows))
        able = bundle_rules.candidates(
            [(bundle_id, row.revoked_at is not None,
              {c.service_id: c for c in counts[bundle_id]}.get(service_id))
             for bundle_id, row in rows.items()])
        return {"items": [bundle_view(rows[b[0]], counts[b[0]]) for b in able]}


def get_bundle(ctx, org_id, bundle_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = BundleRepository(uow.session)
        return summed_view(repo, _found(repo, org_id, bundle_id))


def list_account_bundles(ctx, org_id, account_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = BundleRepository(uow.session)
        rows = repo.of_account(org_id, account_id)
        counts = repo.counts([r.id for r in rows])
        return {"items": [bundle_view(r, counts[r.id]) for r in rows]}


def bundle_ledger(ctx, org_id, bundle_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = BundleRepository(uow.session)
        row = _found(repo, org_id, bundle_id)
        return {"bundle": summed_view(repo, row),
                "items": [bundle_entry_view(e, row.timezone) for e in repo.ledger(row.id)]}
