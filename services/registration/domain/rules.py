"""The rules of booking and cancelling seats (R2.2–R2.7, R3.1–R3.6), as plain Python.

What is being booked arrives here as an :class:`Offering` (built by the adapter from the
catalog's Activity and Occurrence), the person as a :class:`Person`; "now" is passed in.
Each check raises the typed error of its rule, with details a client can act on.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Optional, Tuple

from ..contract.errors import (CancellationDeadlinePassed, CancellationNotAllowed, NotEligible,
                          PassPaymentUnavailable, PassRequired, RegistrationClosed,
                          RegistrationNotConfirmed)

from ..contract.vocabulary import (A_LA_CARTE, CANCELLED, CONFIRMED, EXPIRED, HELD,  # noqa: F401
                                   KINDS, MONEY, PASS, PAYMENT_TYPES, RELEASED, SESSION,
                                   STATUSES, SUBSCRIPTION)

ACTIVE = (HELD, CONFIRMED)  # a seat is counted, and the member is registered (R3.2)

# A seat conversion's states (R2.6): its seats taken from the session pool, or given back.
CONVERSION_RESERVED = "reserved"
CONVERSION_RETURNED = "returned"

# Who cancelled (``cancelled_by``), which decides the refund (R3.5, R3.6, R3.7).
BY_CLIENT = "client"
BY_STAFF = "staff"
BY_INVOICE_VOID = "invoice_void"
BY_SUBSCRIPTION_END = "subscription_end"  # its subscription ended before the occurrence

# Names of the restrictions, as in the Activity's ``restrictions`` (details.failed).
MIN_AGE = "min_age"
MAX_AGE = "max_age"
GENDERS = "genders"
MEMBERSHIP = "membership_type_ids"
SKILLS = "skills"


@dataclass(frozen=True)
class Restrictions:
    min_age: Optional[int] = None
    max_age: Optional[int] = None
    genders: Tuple[str, ...] = ()
    membership_type_ids: Tuple[str, ...] = ()
    skills: Tuple[str, ...] = ()

    @property
    def needs_membership(self) -> bool:
        return bool(self.membership_type_ids)


@dataclass(frozen=True)
class CancellationPolicy:
    """R2.3: clients may cancel à la carte (yes/no), up to a deadline before the start."""
    allowed: bool = False
    deadline_minutes_before: int = 0


@dataclass(frozen=True)
class Offering:
    """One thing that can be booked: an activity's session, or one occurrence à la carte."""
    kind: str
    org_id: str
    activity_id: str
    activity_name: str
    accounting_code: Optional[str]
    price: int
    capacity: int
    offered: bool                       # the offer is enabled (and the occurrence scheduled)
    not_offered_reason: Optional[str]   # why not, for details.reason
    opens_at: Optional[datetime]        # the registration window, absolute (UTC-aware)
    closes_at: Optional[datetime]       # exclusive
    eligibility_date: Optional[date]    # age and memberships are judged on this date (R2.7)
    restrictions: Restrictions = field(default_factory=Restrictions)
    occurrence_id: Optional[str] = None
    starts_at: Optional[datetime] = None  # the occurrence's start, org offset kept
    pass_only: bool = False
    cancellation: CancellationPolicy = field(default_factory=CancellationPolicy)
    fees: Optional[dict] = None  # R8.1: the à la carte offer's fee policy

    @property
    def pool_key(self) -> str:
        """One session pool per activity, one à la carte pool per occurrence (R2.4)."""
        if self.kind == SESSION:
            return f"session:{self.activity_id}"
        return f"a_la_carte:{self.occurrence_id}"

    @property
    def description(self) -> str:
        if self.kind == SESSION:
            return f"{self.activity_name} (session)"
        return f"{self.activity_name} ({self.starts_at.strftime('%Y-%m-%d %H:%M')})"


@dataclass(frozen=True)
class Person:
    member_id: str
    account_id: str
    first_name: str
    last_name: str
    birth_date: date
    gender: str
    skills: Tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# -- windows (R2.2, R2.3) -------------------------------------------------------------------------

def session_window(opens_at, closes_at, last_ends_at):
    """(opens, closes) of a session: as configured; with no closing time, registration
    stays open until the last occurrence has ended."""
    return opens_at, closes_at if closes_at is not None else last_ends_at


def a_la_carte_window(starts_at: datetime, opens_minutes_before, closes_minutes_before):
    """(opens, closes) of one occurrence: opens N minutes before its start (None: as soon as
    published), closes M minutes before it (None or 0: at the start)."""
    opens = None if opens_minutes_before is None else \
        starts_at - timedelta(minutes=opens_minutes_before)
    closes = starts_at - timedelta(minutes=closes_minutes_before or 0)
    return opens, closes


def check_open(offering: Offering, now: datetime):
    """``registration_closed`` when the offer is off, or ``now`` is outside [opens, closes)."""
    if not offering.offered:
        raise RegistrationClosed(
            "this is not open for registration",
            {"reason": offering.not_offered_reason or "not_offered"})
    details = {"opens_at": _iso(offering.opens_at), "closes_at": _iso(offering.closes_at)}
    if offering.opens_at is not None and now < offering.opens_at:
        raise RegistrationClosed("registration is not open yet",
                                 dict(details, reason="not_open_yet"))
    if offering.closes_at is not None and now >= offering.closes_at:
        raise RegistrationClosed("registration is closed", dict(details, reason="closed"))


# -- payment (R2.3, R3.4) -------------------------------------------------------------------------

def check_payment(offering: Offering, pay_with: Optional[dict]):
    """Money, or a pass for à la carte (R3.4: the pass service judges the pass itself when it
    is debited); ``pass_required`` when à la carte is for pass holders only (R2.3)."""
    pay_type = (pay_with or {}).get("type") or MONEY
    if pay_type == PASS:
        if offering.kind == SESSION:
            raise PassPaymentUnavailable("a session is not paid with a pass",
                                         {"pay_with": ["a pass pays for à la carte only"]})
        if not (pay_with or {}).get("pass_id"):
            raise PassPaymentUnavailable("say which pass pays",
                                         {"pay_with": {"pass_id": ["required with a pass"]}})
        return pay_type
    if pay_type == SUBSCRIPTION:  # billing found the member's plan includes the activity
        if not (pay_with or {}).get("subscription_id"):
            raise PassPaymentUnavailable("say which subscription pays", {
                "pay_with": {"subscription_id": ["required with a subscription"]}})
        return pay_type
    if pay_type != MONEY:
        raise PassPaymentUnavailable("pay with money or a pass",
                                     {"pay_with": {"type": ["money or pass"]}})
    if offering.kind == A_LA_CARTE and offering.pass_only:
        raise PassRequired("this occurrence is for pass holders only",
                           {"occurrence_id": offering.occurrence_id})
    return pay_type


def pass_credit(event_type: str, data: dict) -> Optional[dict]:
    """What to ask the pass service when a registration paid with a pass ends (R3.4–R3.6):
    ``None`` (nothing), or the ``credit_pass`` arguments ``{force, reason}``.

    - a released or expired hold never used its seat: the use comes back (``force``);
    - a client's cancellation: where the pass terms allow it (``credit_on_cancel``, R3.5);
    - staff: as they chose (``restore_pass_use``, default yes, R3.6);
    - an invoice voided or the occurrence cancelled by the org: the use comes back."""
    paid_with = data.get("paid_with") or {}
    if paid_with.get("type") != PASS or not paid_with.get("id"):
        return None
    if event_type in ("registration_released", "registration_expired"):
        return {"force": True, "reason": "hold ended without booking"}
    if event_type != "registration_cancelled":
        return None
    by = data.get("cancelled_by")
    if by == BY_CLIENT:
        if data.get("restore_pass_use") is False:  # R8.1: a late cancellation loses it
            return None
        return {"force": False, "reason": "booking cancelled by the client"}
    if by == BY_STAFF:
        if data.get("restore_pass_use") is False:
            return None
        return {"force": True, "reason": data.get("cancel_reason") or "booking cancelled by staff"}
    return {"force": True, "reason": data.get("cancel_reason") or "booking cancelled"}


# -- eligibility (R2.7) ---------------------------------------------------------------------------

def age_on(birth_date: date, on: date) -> int:
    """Whole years; someone born on 29 February turns a year older on 1 March in other
    years."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _fold(text: str) -> str:
    return " ".join(str(text).casefold().split())


def eligibility_failures(restrictions: Restrictions, person: Person, on: date,
                         active_membership_type_ids=()) -> list:
    """The names of the restrictions ``person`` does not meet on date ``on``, in a fixed
    order; empty when eligible."""
    failed = []
    if restrictions.min_age is not None or restrictions.max_age is not None:
        age = age_on(person.birth_date, on)
        if restrictions.min_age is not None and age < restrictions.min_age:
            failed.append(MIN_AGE)
        if restrictions.max_age is not None and age > restrictions.max_age:
            failed.append(MAX_AGE)
    if restrictions.genders and _fold(person.gender) not in {_fold(g) for g in
                                                             restrictions.genders}:
        failed.append(GENDERS)
    if restrictions.membership_type_ids and not (
            set(restrictions.membership_type_ids) & set(active_membership_type_ids)):
        failed.append(MEMBERSHIP)
    if restrictions.skills:
        has = {_fold(s) for s in person.skills}
        if any(_fold(s) not in has for s in restrictions.skills):
            failed.append(SKILLS)
    return failed


def check_eligible(offering: Offering, person: Person, active_membership_type_ids=()):
    failed = eligibility_failures(offering.restrictions, person, offering.eligibility_date,
                                  active_membership_type_ids)
    if failed:
        details = {"failed": failed, "member_id": person.member_id,
                   "on_date": offering.eligibility_date.isoformat()}
        if SKILLS in failed:
            has = {_fold(s) for s in person.skills}
            details["missing_skills"] = [s for s in offering.restrictions.skills
                                         if _fold(s) not in has]
        raise NotEligible("the member does not meet the activity's restrictions", details)


# -- holds (R3.1) ---------------------------------------------------------------------------------

def hold_expires_at(now: datetime, ttl_seconds: int) -> datetime:
    return now + timedelta(seconds=ttl_seconds)


def is_lapsed(status: str, expires_at: Optional[datetime], now: datetime) -> bool:
    """A hold whose time is up (it still counts until it is expired, which frees its seat)."""
    return status == HELD and expires_at is not None and now >= expires_at


def is_live(status: str, expires_at: Optional[datetime], now: datetime) -> bool:
    """Counts against capacity in reports: confirmed, or a hold whose time is not up."""
    return status == CONFIRMED or (status == HELD and not is_lapsed(status, expires_at, now))


# -- cancellation (R3.5, R3.6) --------------------------------------------------------------------

def cancellation_deadline(starts_at: datetime, deadline_minutes_before) -> datetime:
    return starts_at - timedelta(minutes=deadline_minutes_before or 0)


def check_cancellable(*, kind: str, status: str, by_staff: bool, now: datetime,
                      starts_at: Optional[datetime], policy: CancellationPolicy):
    """Staff may cancel any confirmed registration (R3.6); a client only an à la carte one,
    where the activity allows it, before the deadline (R3.5)."""
    if status != CONFIRMED:
        raise RegistrationNotConfirmed(
            "only a confirmed registration can be cancelled"
            + ("; remove the item from the cart to release a hold" if status == HELD else ""),
            {"status": status})
    if by_staff:
        return
    if kind != A_LA_CARTE or not policy.allowed:
        raise CancellationNotAllowed(
            "this registration cannot be cancelled by the client; ask the staff",
            {"kind": kind})
    deadline = cancellation_deadline(starts_at, policy.deadline_minutes_before)
    if now >= deadline:
        raise CancellationDeadlinePassed(
            "the cancellation deadline has passed",
            {"deadline": _iso(deadline),
             "deadline_minutes_before": policy.deadline_minutes_before})


def outlives_subscription(paid_with_type: str, starts_at, subscription_ends_at) -> bool:
    """A seat paid with a subscription (R2.13) whose occurrence starts at or after the
    instant the subscription ends is no longer paid for: it is cancelled (the seat goes
    back on sale, nothing is credited: nothing was paid for it)."""
    return (paid_with_type == SUBSCRIPTION and starts_at is not None
            and subscription_ends_at is not None and starts_at >= subscription_ends_at)


def refund_to_credit(price: int, paid_with_type: str, cancelled_by: str) -> int:
    """Money paid goes back to the account's credit when the client or staff cancel
    (R3.5); a voided invoice is reversed by billing itself (R3.7, R6.5)."""
    if paid_with_type == MONEY and cancelled_by in (BY_CLIENT, BY_STAFF):
        return price
    return 0


def _iso(value):
    return value.isoformat() if value is not None else None
