"""Subscriptions (R2.13, R6.3, R6.4, R6.8): read, page their charges, withdraw, and the
billing run on demand (``POST /billing-runs``; the worker runs the same code on a timer).
A subscription is sold at checkout (``checkout_records.SqlCheckoutStore.complete``)."""
from services.common.clock import ensure_utc

from ..adapters.subscriptions import SubscriptionRepository
from ..contract import events
from ..contract.errors import BillingRunInFuture, SubscriptionNotFound
from ..domain import subscriptions as sub_rules
from .billing_run import billing_run


def _not_found(subscription_id):
    return SubscriptionNotFound("no such subscription", {"subscription_id": subscription_id})


def get_subscription(ctx, org_id, subscription_id):
    with ctx.db.uow(readonly=True) as uow:
        as_of = ctx.business_now(org_id, uow.session)
        repo = SubscriptionRepository(uow.session)
        sub = repo.get(org_id, subscription_id)
        if sub is None:
            raise _not_found(subscription_id)
        return repo.as_dict(sub, as_of)


def subscription_charges(ctx, org_id, subscription_id, query):
    """A page of a subscription's charges, oldest first (R6.8: they are many after
    years)."""
    with ctx.db.uow(readonly=True) as uow:
        repo = SubscriptionRepository(uow.session)
        if repo.get(org_id, subscription_id) is None:
            raise _not_found(subscription_id)
        items, next_cursor = repo.charge_page(subscription_id, query["limit"],
                                              query["cursor"])
    return {"items": items, "next_cursor": next_cursor}


def list_subscriptions(ctx, org_id, account_id):
    with ctx.db.uow(readonly=True) as uow:
        return {"items": SubscriptionRepository(uow.session).of_account(
            org_id, account_id, ctx.business_now(org_id, uow.session))}


def cancel_subscription(ctx, org_id, subscription_id):
    """R6.3: the client withdraws from one month to the next: the subscription stays
    active until the end of the paid month, then ends without another charge.
    Idempotent; a subscription already cancelled is answered as it is."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        as_of = ctx.business_now(org_id, uow.session)
        repo = SubscriptionRepository(uow.session)
        sub = repo.get(org_id, subscription_id, for_update=True)
        if sub is None:
            raise _not_found(subscription_id)
        if sub_rules.withdraw(sub, as_of, now):
            uow.emit(events.SUBSCRIPTION_WITHDRAWN, {
                "org_id": org_id, "subscription_id": sub.id,
                "account_id": sub.account_id, "member_id": sub.member_id,
                "ends_at": sub_rules.ends_at(sub).isoformat()}, occurred_at=now)
        result = repo.as_dict(sub, as_of)
        uow.commit()
    return result


def run_billing(ctx, org_id, data, deadline=None):
    """The billing worker's work for one org, as of ``as_of`` (default: the org's now, its
    test clock if it has one), never after it (R6.8). ``deadline`` (epoch seconds): when
    the caller gives up; the run stops taking work then (``complete: false``)."""
    ctx.peers.org(org_id)  # an unknown org is not_found
    now = ctx.business_now(org_id)
    as_of = ensure_utc(data.get("as_of")) or now
    if as_of > now:
        raise BillingRunInFuture(
            "a billing run cannot bill after now" + (
                " (the org's test clock)" if ctx.settings.test_clocks_enabled() else ""),
            {"as_of": as_of.isoformat(), "now": now.isoformat()})
    result = billing_run(ctx.db, ctx.provider(), ctx.clock.now,
                         tax_source=ctx.peers.tax_rules).run(as_of, org_id=org_id,
                                                             deadline=deadline)
    return dict(result.as_dict(), complete=result.complete, as_of=as_of.isoformat())


def run_due(ctx, skip_test_clock_orgs):
    """The billing worker's tick: every subscription due as of now."""
    return billing_run(ctx.db, ctx.provider(), ctx.clock.now,
                       skip_test_clock_orgs=skip_test_clock_orgs,
                       tax_source=ctx.peers.tax_rules).run(ctx.clock.now())
