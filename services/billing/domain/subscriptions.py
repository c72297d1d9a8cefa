"""Monthly subscriptions (R2.13, R6.3, R6.4): periods, renewals, retries, withdrawal.

Periods. A subscription is anchored on the date it was bought, in the org's timezone.
Period ``k`` starts on the anchor date plus ``k`` months, clamped to the month's last day
and always counted from the anchor (never from the previous period), so a subscription
bought on Jan 31 renews on Feb 28 (29 in a leap year), then Mar 31, Apr 30. A period starts
at local midnight of its first day. Period 0 is the month paid at checkout.

Renewal. When period ``k`` starts, the billing worker charges it: one charge row per
(subscription, period); paid → the subscription is paid through the start of period
``k + 1``. Declined → the subscription is ``past_due`` and the charge is tried again
``retry_days`` after the due date (1, 3 and 7 days by default); when the last retry is
declined the charge is ``failed`` and the subscription ``cancelled``. A later success puts
it back to ``active``.

Withdrawal (R6.3). The client withdraws from one month to the next: the subscription stays
active until the end of the paid month, then ends (``cancelled``) without another charge.

What the subscription covers. A registration for one of the plan's activities is paid with
the subscription (price 0) when the subscription is ``active``, the occurrence starts on or
after the anchor, and, once a withdrawal is scheduled, before the end of the paid month.
(Decision: while active, occurrences of later months are covered as well, as a client who
pays monthly expects; a subscription that is cancelled later does not undo them.)

Provider idempotency. The charge of (subscription, period) after ``n`` declined attempts
uses the key ``subscription:<id>:<period>:<n>``: a worker that dies after the provider
charged and before billing recorded it asks again with the same key and gets the same
charge back (no second debit); a retry after a decline is a new attempt with a new key.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from services.common.timeutil import local_midnight

ACTIVE = "active"
PAST_DUE = "past_due"
CANCELLED = "cancelled"
STATUSES = (ACTIVE, PAST_DUE, CANCELLED)

PAID = "paid"
RETRYING = "retrying"
FAILED = "failed"

WITHDRAWN = "withdrawn"
PAYMENT_FAILED = "payment_failed"
VOIDED = "voided"  # the invoice that sold it was voided (R6.5)


def period_start_date(anchor: date, period: int) -> date:
    """The first day of period ``period`` (0 = the month bought at checkout)."""
    return anchor + relativedelta(months=period)


def period_start(anchor: date, period: int, tz: str) -> datetime:
    """The instant period ``period`` begins: local midnight of its first day."""
    return local_midnight(period_start_date(anchor, period), ZoneInfo(tz))


def anchor_of(bought_at: datetime, tz: str) -> date:
    """The anchor date: the local date on which the subscription was bought."""
    return bought_at.astimezone(ZoneInfo(tz)).date()


def charge_key(subscription_id: str, period: int, declined_attempts: int) -> str:
    return f"subscription:{subscription_id}:{period}:{declined_attempts}"


@dataclass(frozen=True)
class Due:
    """What the worker must do with a subscription as of a given instant."""
    action: str                 # "charge" | "end" | "none"
    period: Optional[int] = None


def what_is_due(status: str, next_charge_at: Optional[datetime], cancel_at_period_end: bool,
                periods_paid: int, as_of: datetime) -> Due:
    """The renewal decision, from the subscription's state alone."""
    if status == CANCELLED or next_charge_at is None or next_charge_at > as_of:
        return Due("none")
    if cancel_at_period_end:
        return Due("end")  # the paid month is over: the withdrawal takes effect
    return Due("charge", periods_paid)


@dataclass(frozen=True)
class Decline:
    """After a declined attempt: the charge's and the subscription's next state."""
    charge_status: str
    subscription_status: str
    next_charge_at: Optional[datetime]


def after_decline(due_at: datetime, attempts: int, retry_days=(1, 3, 7)) -> Decline:
    """``attempts``: declined attempts for this period so far, this one included."""
    if attempts <= len(retry_days):
        return Decline(RETRYING, PAST_DUE, due_at + timedelta(days=retry_days[attempts - 1]))
    return Decline(FAILED, CANCELLED, None)


def status_as_of(status: str, cancel_at_period_end: bool, current_period_end: datetime,
                 as_of: datetime) -> str:
    """What a read shows: a withdrawn subscription whose paid month is over is cancelled,
    even before the worker has passed by."""
    if status != CANCELLED and cancel_at_period_end and as_of >= current_period_end:
        return CANCELLED
    return status


def covers(status: str, cancel_at_period_end: bool, anchor_start: datetime,
           current_period_end: datetime, activity_ids, activity_id: str,
           starts_at: datetime) -> bool:
    """Is a registration for ``activity_id`` starting at ``starts_at`` paid with it?"""
    if status != ACTIVE or activity_id not in (activity_ids or ()):
        return False
    if starts_at < anchor_start:
        return False
    return not cancel_at_period_end or starts_at < current_period_end


def ends_at(sub) -> datetime:
    """The instant a withdrawn or cancelled subscription stops paying for seats: the end of
    its paid month, or when it was cancelled if that came first (past due, voided)."""
    return sub.cancelled_at or sub.current_period_end


def cancel_voided(sub, voided_at, now):
    """R6.5: the invoice that sold the subscription was voided: it ends when the void
    happened, with no further charge (what was paid is a refund's business, not the
    void's)."""
    sub.status, sub.cancel_reason = CANCELLED, VOIDED
    sub.cancelled_at, sub.next_charge_at, sub.updated_at = voided_at, None, now


def withdraw(sub, as_of, now) -> bool:
    """R6.3: the client withdraws; True when this changed something (it is idempotent). An
    active subscription runs to the end of its paid month; a past-due one ends now, as
    nothing more is owed for a month the client leaves (its retries stop)."""
    if sub.status == CANCELLED or sub.cancel_at_period_end:
        return False
    sub.cancel_at_period_end = True
    sub.updated_at = now
    if sub.status == PAST_DUE:
        sub.status, sub.cancel_reason = CANCELLED, WITHDRAWN
        sub.cancelled_at, sub.next_charge_at = as_of, None
    return True
