"""Passes (punch cards): terms, expiry, who may use one, and its ledger (R2.8, R2.9, R3.4,
R3.5, R3.6, R4.1, R4.3, R6.5).

The balance of a pass is the sum of its ledger entries (R4.1):

    sale / grant   +uses_total (0 for an unlimited pass)
    debit          -1          (one booking paid with the pass)
    credit         +1          (that booking cancelled and its use given back)
    adjustment      0          (an expiry change: who, why, from and to)
    revoke         -balance    (the invoice that sold it was voided while unused)

An unlimited pass (``uses_total`` None) records its debits and credits the same way and
never runs out; its ``uses_left`` is None.

Decisions where the rules are silent (also in the service's report):
- Expiry is judged against the occurrence's start: a pass pays for classes that take place
  while it is valid, whenever they are booked. Without an occurrence start, against now.
- A pass bought with ``valid_days`` is valid through the org-local day that is ``valid_days``
  days after the purchase day (a 30-day pass bought on 1 March is valid through 31 March);
  one with ``expires_on`` is valid through that local day.
- An individual pass sold or granted without a member is bound to the first member of the
  account who uses it; a family pass is never bound (any member of the account, R3.4).
- An empty list of eligible activities makes a pass eligible for nothing: the source product
  has staff pick the eligible activities, so nothing is eligible by default.
- A pass is "unused" (revocable, R6.5) when every debit has been credited back.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Optional, Tuple

from services.common.clock import ensure_utc
from services.common.timeutil import end_of_day

from ..contract.errors import PassExhausted, PassExpired, PassNotEligible, PassRevoked
from .validity import local_date

SALE, GRANT, DEBIT, CREDIT, ADJUSTMENT, REVOKE = (
    "sale", "grant", "debit", "credit", "adjustment", "revoke")

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"

# What a sold pass keeps of its pass type (R2.9): the terms in force when it was sold.
TERM_FIELDS = ("name", "price", "uses", "valid_days", "expires_on", "family",
               "eligible_activity_ids", "credit_on_cancel", "accounting_code")


def copy_terms(pass_type: dict) -> dict:
    """The terms of a catalog pass type (``get_pass_type_terms`` or ``get_pass_type``) as
    a sold pass keeps them."""
    terms = {name: pass_type.get(name) for name in TERM_FIELDS}
    terms["eligible_activity_ids"] = list(terms["eligible_activity_ids"] or [])
    terms["family"] = bool(terms["family"])
    terms["credit_on_cancel"] = bool(terms["credit_on_cancel"])
    return terms


def expiry_from_terms(terms: dict, purchased_at: datetime, tz) -> Optional[datetime]:
    """The instant the pass stops being valid, or None (terms without a validity)."""
    if terms.get("expires_on"):
        day = terms["expires_on"]
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        return end_of_day(day, tz)
    if terms.get("valid_days"):
        purchase_day = local_date(purchased_at, tz)
        return end_of_day(purchase_day + timedelta(days=int(terms["valid_days"])), tz)
    return None


@dataclass(frozen=True)
class PassState:
    """What the rules need to know about one pass, its ledger already summed."""
    id: str
    account_id: str
    member_id: Optional[str]
    family: bool
    uses_total: Optional[int]        # None: unlimited
    balance: int                     # sum of the ledger
    expires_at: Optional[datetime]
    revoked: bool
    eligible_activity_ids: Tuple[str, ...] = field(default_factory=tuple)
    credit_on_cancel: bool = True

    @property
    def unlimited(self) -> bool:
        return self.uses_total is None

    @property
    def uses_left(self) -> Optional[int]:
        return None if self.unlimited else self.balance


def status(state: PassState, now: datetime) -> str:
    if state.revoked:
        return REVOKED
    if state.expires_at is not None and ensure_utc(now) >= ensure_utc(
            state.expires_at):
        return EXPIRED
    return ACTIVE


def needs_member_account(state: PassState, member_id: str) -> bool:
    """Whether the member's account must be known to judge who holds the pass: not when the
    pass names that very member."""
    return state.family or state.member_id != member_id


def check_holder(state: PassState, member_id: str, member_account_id: Optional[str]):
    """R3.4: a pass held by the member, or a family pass held by the member's account."""
    if state.member_id is not None and not state.family:
        if state.member_id == member_id:
            return
        raise PassNotEligible("this pass belongs to another member",
                              {"reason": "holder", "pass_id": state.id})
    if member_account_id is None or member_account_id != state.account_id:
        raise PassNotEligible("this pass belongs to another account",
                              {"reason": "holder", "pass_id": state.id})


def binds_member(state: PassState) -> bool:
    """An individual pass without a named member is bound to its first user."""
    return not state.family and state.member_id is None


def check_debit(state: PassState, member_id: str, member_account_id: Optional[str],
                activity_id: str, at: datetime):
    """Everything R3.4 asks before one use is debited, in the order a client is told:
    revoked, not theirs, not for this activity, expired, no use left. ``at``: the start of
    the occurrence booked (or now)."""
    if state.revoked:
        raise PassRevoked("this pass was revoked", {"pass_id": state.id})
    check_holder(state, member_id, member_account_id)
    if activity_id not in state.eligible_activity_ids:
        raise PassNotEligible("this pass cannot be used for this activity",
                              {"reason": "activity", "pass_id": state.id,
                               "activity_id": activity_id})
    if state.expires_at is not None and ensure_utc(at) >= ensure_utc(
            state.expires_at):
        raise PassExpired("this pass has expired",
                          {"pass_id": state.id, "expires_at": state.expires_at.isoformat()})
    if not state.unlimited and state.balance < 1:
        raise PassExhausted("this pass has no use left",
                            {"pass_id": state.id, "uses_total": state.uses_total,
                             "uses_left": max(state.balance, 0)})


def credit_allowed(credit_on_cancel: bool, force: bool) -> bool:
    """R3.5: the use comes back where the pass terms allow it; R3.6: staff may decide to give
    it back anyway (``force``)."""
    return bool(credit_on_cancel or force)


def sale_delta(uses_total: Optional[int]) -> int:
    return 0 if uses_total is None else int(uses_total)


def balance(deltas) -> int:
    return sum(int(d) for d in deltas)


def balance_of_counters(uses_total: Optional[int], uses_left: Optional[int],
                        uses_used: int) -> int:
    """The ledger's balance as the pass's counters keep it, moved in the transaction of each
    entry (R4.1): the uses left of a counted pass; for an unlimited one (sale 0, debit -1,
    credit +1, revoke 0) minus the uses made."""
    return -int(uses_used) if uses_total is None else int(uses_left)


def uses_made(entries) -> int:
    """Uses still counted against the pass: debits not credited back. ``entries``: (kind,
    delta) pairs."""
    return sum(-int(delta) for kind, delta in entries if kind in (DEBIT, CREDIT))


def revocable(entries) -> bool:
    """R6.5: an unused pass (every debit credited back) may be revoked."""
    return uses_made(entries) == 0


def check_changeable(state: PassState):
    if state.revoked:
        raise PassRevoked("this pass was revoked", {"pass_id": state.id})
