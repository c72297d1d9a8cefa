"""Memberships (R2.12): sold for a member of the account, active on org-local days; the
activities that require one ask ``active_memberships`` (R2.7)."""
from services.common.clock import ensure_utc
from services.common.types import new_id

from ..adapters.models import Membership
from ..adapters.presenters import membership_view
from ..adapters.repositories import MembershipRepository
from ..contract import events
from ..contract.errors import MembershipNotFound
from ..domain import memberships as membership_rules
from ..domain.validity import zone
from .context import once, sale_key


def _by_sale_key(ctx, org_id, key, now):
    with ctx.db.uow(readonly=True) as uow:
        row = MembershipRepository(uow.session).by_sale_key(org_id, key)
        return None if row is None else membership_view(row, now)


def sell_membership(ctx, org_id, data):
    """A membership for a member from ``starts_on`` (default: the org-local day of the sale)
    for the type's ``duration_days``; idempotent on (invoice, type, member, cart item)."""
    now = ctx.clock.now()
    key = sale_key("membership", data["invoice_id"], data["membership_type_id"],
                   data["account_id"], data["member_id"], data["cart_item_id"])
    existing = _by_sale_key(ctx, org_id, key, now)
    if existing is not None:
        return existing
    membership_type = ctx.peers.membership_type(org_id, data["membership_type_id"])
    tz_name = ctx.peers.timezone(org_id)
    ctx.peers.check_member_of(org_id, data["account_id"], data["member_id"])
    sold_at = ensure_utc(data["sold_at"] or now)
    starts_on = data["starts_on"] or membership_rules.default_start(sold_at, zone(tz_name))
    starts_on, ends_on = membership_rules.period(starts_on,
                                                 membership_type.get("duration_days"))

    def write():
        with ctx.db.uow() as uow:
            row = Membership(id=new_id("msh"), org_id=org_id,
                             membership_type_id=membership_type["id"],
                             name=membership_type["name"], account_id=data["account_id"],
                             member_id=data["member_id"], invoice_id=data["invoice_id"],
                             sale_key=key, timezone=tz_name, starts_on=starts_on,
                             ends_on=ends_on, sold_at=sold_at, revoked_at=None, created_at=now)
            MembershipRepository(uow.session).add(row)
            view = membership_view(row, now)
            uow.emit(events.MEMBERSHIP_SOLD, view, occurred_at=now)
            uow.commit()
        return view
    return once(write, lambda: _by_sale_key(ctx, org_id, key, now))


def active_memberships(ctx, org_id, query):
    """The member's memberships active on ``on_date`` (R2.7)."""
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        rows = MembershipRepository(uow.session).active_on(org_id, query["member_id"],
                                                           query["on_date"])
        return {"items": [membership_view(r, now) for r in rows]}


def get_membership(ctx, org_id, membership_id):
    with ctx.db.uow(readonly=True) as uow:
        row = MembershipRepository(uow.session).get(org_id, membership_id)
        if row is None:
            raise MembershipNotFound("no such membership", {"membership_id": membership_id})
        return membership_view(row, ctx.clock.now())


def list_account_memberships(ctx, org_id, account_id):
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        rows = MembershipRepository(uow.session).of_account(org_id, account_id)
        return {"items": [membership_view(r, now) for r in rows]}
