"""Subscriptions in billing's database (R6.3, R6.4): their sale at checkout, their reads, and
what the billing run (``usecases/billing_run.py``) writes.

A billing run takes due subscriptions in batches under a lease (``lease_owner`` /
``lease_until``; on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so two workers take
different batches; on SQLite writers are serialised anyway), charges each through the
payment provider outside any transaction, and records the outcome in one transaction that
is conditional on still holding the lease and on the period not being paid yet. The
invoice of a renewal carries ``(subscription_id, period)``, unique in the database: a
period is invoiced once even if two workers got this far. A worker killed midway leaves
leases that lapse; whoever takes the subscription next asks the provider again with the
same idempotency key (``domain/subscriptions.charge_key``) and records what it answers.
"""
from datetime import date

from sqlalchemy import func, select

from services.common.pagination import page, paginate
from services.common.types import new_id

from ..domain import subscriptions as rules
from ..domain.leases import LeaseLost
from .leases import Leases
from .models import Subscription, SubscriptionCharge, TestClock
from .repositories import iso


def charge_dict(charge: SubscriptionCharge) -> dict:
    return {"period": charge.period_start, "period_index": charge.period,
            "status": charge.status, "attempts": charge.attempts,
            "invoice_id": charge.invoice_id, "due_at": iso(charge.due_at)}


# A subscription shows its newest charges only (R6.8: one that is years old would weigh
# megabytes); all of them are paged at GET /subscriptions/{id}/charges.
CHARGES_SHOWN = 12


def subscription_dict(sub: Subscription, charges, as_of, charges_count=None) -> dict:
    return {
        "id": sub.id, "org_id": sub.org_id, "account_id": sub.account_id,
        "member_id": sub.member_id, "plan_id": sub.plan_id, "description": sub.description,
        "monthly_price": sub.monthly_price, "currency": sub.currency,
        "activity_ids": list(sub.activity_ids or []),
        "status": rules.status_as_of(sub.status, sub.cancel_at_period_end,
                                     sub.current_period_end, as_of),
        "cancel_at_period_end": bool(sub.cancel_at_period_end),
        "started_on": sub.anchor_date, "current_period_end": iso(sub.current_period_end),
        "next_charge_at": iso(sub.next_charge_at), "cancelled_at": iso(sub.cancelled_at),
        "cancel_reason": sub.cancel_reason, "invoice_id": sub.invoice_id,
        "charges": [charge_dict(c) for c in sorted(charges, key=lambda c: c.period)],
        "charges_count": len(charges) if charges_count is None else charges_count,
    }


class SubscriptionRepository:
    def __init__(self, session):
        self.session = session

    def get(self, org_id, subscription_id, for_update=False):
        query = select(Subscription).where(Subscription.id == subscription_id,
                                           Subscription.org_id == org_id)
        if for_update:
            query = query.with_for_update()
        return self.session.execute(query).scalar_one_or_none()

    def newest_charges(self, subscription_id, limit=CHARGES_SHOWN):
        """(the newest ``limit`` charges, how many there are in all)."""
        rows = list(self.session.execute(
            select(SubscriptionCharge).where(
                SubscriptionCharge.subscription_id == subscription_id)
            .order_by(SubscriptionCharge.period.desc()).limit(limit)).scalars())
        count = self.session.execute(select(func.count()).where(
            SubscriptionCharge.subscription_id == subscription_id)).scalar()
        return rows, count

    def charge_page(self, subscription_id, limit=None, cursor=None):
        """A page of a subscription's charges, oldest first: (charge dicts, next_cursor)."""
        query, limit, offset = paginate(
            select(SubscriptionCharge).where(
                SubscriptionCharge.subscription_id == subscription_id)
            .order_by(SubscriptionCharge.period), limit, cursor)
        rows, next_cursor = page(self.session.execute(query).scalars(), limit, offset)
        return [charge_dict(c) for c in rows], next_cursor

    def as_dict(self, sub, as_of):
        charges, count = self.newest_charges(sub.id)
        return subscription_dict(sub, charges, as_of, count)

    def of_account(self, org_id, account_id, as_of):
        subs = list(self.session.execute(
            select(Subscription).where(Subscription.org_id == org_id,
                                       Subscription.account_id == account_id)
            .order_by(Subscription.created_at, Subscription.id)).scalars())
        return [self.as_dict(s, as_of) for s in subs]

    def sold_on(self, org_id, invoice_id):
        """Subscriptions the invoice sold that are not over yet (a void cancels them)."""
        return list(self.session.execute(
            select(Subscription).where(Subscription.org_id == org_id,
                                       Subscription.invoice_id == invoice_id,
                                       Subscription.status != rules.CANCELLED)
            .with_for_update()).scalars())

    def active_of_member(self, org_id, member_id):
        return list(self.session.execute(
            select(Subscription).where(Subscription.org_id == org_id,
                                       Subscription.member_id == member_id,
                                       Subscription.status == rules.ACTIVE)).scalars())

    def covering(self, org_id, member_id, activity_id, starts_at):
        """The member's subscription that pays a registration for this activity, or None."""
        for sub in self.active_of_member(org_id, member_id):
            anchor = date.fromisoformat(sub.anchor_date)
            if rules.covers(sub.status, sub.cancel_at_period_end,
                            rules.period_start(anchor, 0, sub.timezone),
                            sub.current_period_end, sub.activity_ids, activity_id, starts_at):
                return sub
        return None

    # -- the sale at checkout (in the checkout's completing transaction) ------------------
    def sell(self, org_id, account_id, invoice_id, item, card_token, currency, bought_at, now):
        reference = item.get("reference") or {}
        tz = reference.get("timezone") or "UTC"
        anchor = rules.anchor_of(bought_at, tz)
        next_start = rules.period_start(anchor, 1, tz)
        sub = Subscription(
            id=new_id("sub"), org_id=org_id, account_id=account_id,
            member_id=item["member_id"], plan_id=reference["plan_id"],
            description=item["description"], monthly_price=item["price"], currency=currency,
            accounting_code=item.get("accounting_code"),
            activity_ids=list(reference.get("activity_ids") or []), card_token=card_token,
            invoice_id=invoice_id, cart_item_id=item["id"], status=rules.ACTIVE, timezone=tz,
            anchor_date=anchor.isoformat(), periods_paid=1, current_period_end=next_start,
            next_charge_at=next_start, cancel_at_period_end=False, created_at=now,
            updated_at=now)
        self.session.add(sub)
        self.session.flush()
        self.session.add(SubscriptionCharge(
            id=new_id("sbc"), org_id=org_id, subscription_id=sub.id, period=0,
            period_start=anchor.isoformat(), due_at=bought_at, status=rules.PAID, attempts=1,
            invoice_id=invoice_id, created_at=now, updated_at=now))
        self.session.flush()
        return sub

    # -- the billing run's leases and charges -----------------------------------------------
    def _due(self, as_of, org_id, now, batch, excluded=(), skip_test_clock_orgs=False):
        query = select(Subscription.id).where(
            Subscription.next_charge_at.is_not(None), Subscription.next_charge_at <= as_of,
            Subscription.status != rules.CANCELLED, Leases(self.session, Subscription).free(now))
        if excluded:
            query = query.where(Subscription.id.not_in(list(excluded)))
        if org_id is not None:
            query = query.where(Subscription.org_id == org_id)
        elif skip_test_clock_orgs:  # orgs on a test clock bill only when told to
            query = query.where(Subscription.org_id.not_in(select(TestClock.org_id)))
        return query.order_by(Subscription.next_charge_at, Subscription.id).limit(batch)

    def any_due(self, as_of, org_id, now, ids) -> bool:
        return self.session.execute(self._due(as_of, org_id, now, len(ids) or 1).where(
            Subscription.id.in_(list(ids)))).first() is not None

    def lease_due(self, as_of, org_id, owner, now, until, batch, excluded=(),
                  skip_test_clock_orgs=False):
        """Lease up to ``batch`` due subscriptions nobody holds to ``owner`` (on PostgreSQL
        ``FOR UPDATE SKIP LOCKED``: two workers take different batches); the rows taken."""
        query = self._due(as_of, org_id, now, batch, excluded, skip_test_clock_orgs)
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Subscription)
        ids = list(self.session.execute(query).scalars())
        if not ids:
            return []
        Leases(self.session, Subscription).take(owner, now, until, Subscription.id.in_(ids))
        return list(self.session.execute(select(Subscription).where(
            Subscription.id.in_(ids), Subscription.lease_owner == owner)).scalars())

    def held(self, subscription_id, owner, period, for_update=True):
        """The subscription row, still ``owner``'s and with ``period`` still unpaid; else
        :class:`LeaseLost`."""
        query = select(Subscription).where(
            Subscription.id == subscription_id, Subscription.lease_owner == owner,
            Subscription.periods_paid == period)
        row = self.session.execute(query.with_for_update() if for_update else query
                                   ).scalar_one_or_none()
        if row is None:
            raise LeaseLost(subscription_id)
        return row

    def release(self, subscription_id, owner):
        Leases(self.session, Subscription).release(owner, Subscription.id == subscription_id)

    def charge_of(self, subscription_id, period):
        return self.session.execute(select(SubscriptionCharge).where(
            SubscriptionCharge.subscription_id == subscription_id,
            SubscriptionCharge.period == period)).scalar_one_or_none()

    def charge_row(self, sub, period, due_at, now):
        """The period's charge row, created (``retrying``, no attempt yet) if missing."""
        row = self.charge_of(sub.id, period)
        if row is None:
            start = rules.period_start_date(date.fromisoformat(sub.anchor_date), period)
            row = SubscriptionCharge(
                id=new_id("sbc"), org_id=sub.org_id, subscription_id=sub.id, period=period,
                period_start=start.isoformat(), due_at=due_at, status=rules.RETRYING,
                attempts=0, created_at=now, updated_at=now)
            self.session.add(row)
        return row
