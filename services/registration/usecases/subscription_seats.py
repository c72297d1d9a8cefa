"""Seats paid by billing's subscriptions, when the subscription ends.

A seat of an activity included in a subscription costs nothing while the subscription is
active (R2.13, paid_with ``subscription``). When the subscription ends — the client
withdrew (it ends with the paid month, R6.3), its invoice was voided (R6.5) or its card
kept declining (R6.4) — the seats it paid for occurrences starting at or after its end are
no longer paid for: they are cancelled (``cancelled_by: subscription_end``) and go back on
sale, held ones are released. Seats of occurrences before the end stay.

The client learns it at once: ``subscription_withdrawn`` carries the instant the
subscription will end, so its later seats are cancelled when the client withdraws, not a
month later. Both handlers are idempotent (``claim_event``, and only live seats change).
"""
import logging

from services.common.timeutil import parse_instant

from ..adapters.repositories import Registrations, Seats
from ..domain import rules
from .seat_rules import end_live_seats

log = logging.getLogger(__name__)

SUBSCRIPTION_ENDED = "subscription_ended"


def subscription_ended(ctx, payload, field):
    """``subscription_withdrawn`` (``field``: ``ends_at``) or ``subscription_cancelled``
    (``ended_at``): the seats of occurrences from then on end."""
    data = (payload or {}).get("data") or {}
    org_id, account_id = data.get("org_id"), data.get("account_id")
    subscription_id = data.get("subscription_id")
    try:
        ends_at = parse_instant(data.get(field))
    except ValueError:
        ends_at = None
    if not (org_id and account_id and subscription_id and ends_at):
        log.warning("%s %s without org, account, subscription or %s: ignored",
                    payload.get("type"), payload.get("event_id"), field)
        return
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        seats = Seats(uow.session)
        found = [r for r in Registrations(uow.session).active_paid_with(
                     org_id, account_id, rules.SUBSCRIPTION, subscription_id)
                 if rules.outlives_subscription(r.paid_with_type, r.starts_at, ends_at)]
        for pool_id in sorted({r.pool_id for r in found}):  # one order: no deadlock
            seats.lock_pool(pool_id)
        end_live_seats(uow, seats, found, now, SUBSCRIPTION_ENDED, _cancel_as_ended)
        uow.commit()


def _cancel_as_ended(registration):
    """Nothing was paid for the seat: nothing comes back."""
    registration.cancelled_by = rules.BY_SUBSCRIPTION_END
