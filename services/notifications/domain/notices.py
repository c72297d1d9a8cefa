"""Which fact becomes which notice, for whom (R7.4), and when a failed one is tried again.

A notice is identified by ``(event_id, recipient, kind)``: the fact, the account it is
sent to, and what it says. That triple is unique in the sent log, so a redelivered event,
or the same event handled by two instances, makes one notice.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.common.timeutil import parse_instant

from ..contract.vocabulary import (  # noqa: F401
    RECEIPT, REGISTRATION_CANCELLED, SUBSCRIPTION_CHARGED, RENEWAL_DECLINED, SUBSCRIPTION_CANCELLED, APPOINTMENT_BOOKED, APPOINTMENT_REMINDER, PASS_EXPIRING, PASS_LAST_USE, PASSWORD_RESET, WAITLIST_OFFER, KINDS, REMINDERS, PASS_ALERTS, OPTIONAL, PREFERENCES, TRANSACTIONAL)

# sent log states
PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"
# why a notice was not sent
OPTED_OUT, TEST_CLOCK, NO_ADDRESS, NO_RECIPIENT = ("opted_out", "test_clock", "no_address",
                                                  "no_recipient")

# cancellations a client hears about; a subscription's end is told by its own notice
TOLD_CANCELLATIONS = {"client", "staff", "invoice_void"}


@dataclass(frozen=True)
class NoticePlan:
    kind: str
    account_id: str
    params: dict = field(default_factory=dict)
    attachment: dict = None  # {"receipt": invoice_id}

    @property
    def recipient(self):
        return self.account_id


def is_wanted(kind, preferences) -> bool:
    """Transactional notices always go; an optional one unless the client turned it off."""
    category = OPTIONAL.get(kind)
    if category is None:
        return True
    return bool((preferences or {}).get(category, True))


def plan(event_type, data) -> list:
    """The notices an event makes (an empty list for an event nobody is told about)."""
    planner = _PLANNERS.get(event_type)
    if planner is None or not isinstance(data, dict) or not data.get("account_id"):
        return []
    return [p for p in planner(data) if p is not None]


def _checkout_completed(d):
    return [NoticePlan(RECEIPT, d["account_id"],
                       {"invoice_id": d.get("invoice_id"), "total": d.get("total")},
                       attachment={"receipt": d.get("invoice_id")})]


def _registration_cancelled(d):
    reason = d.get("cancel_reason") or d.get("cancelled_by")
    if d.get("cancelled_by") not in TOLD_CANCELLATIONS:
        return []
    return [NoticePlan(REGISTRATION_CANCELLED, d["account_id"], {
        "registration_id": d.get("id"), "member_name": d.get("member_name"),
        "description": d.get("description"), "starts_at": d.get("starts_at"),
        "reason": reason, "refund_to_credit": d.get("refund_to_credit")})]


def _subscription_charged(d):
    return [NoticePlan(SUBSCRIPTION_CHARGED, d["account_id"], {
        "subscription_id": d.get("subscription_id"), "amount": d.get("amount"),
        "period": d.get("period"), "invoice_id": d.get("invoice_id"),
        "current_period_end": d.get("current_period_end")},
        attachment={"receipt": d.get("invoice_id")} if d.get("invoice_id") else None)]


def _charge_failed(d):
    if not d.get("next_attempt_at"):  # the last decline: subscription_cancelled tells it
        return []
    return [NoticePlan(RENEWAL_DECLINED, d["account_id"], {
        "subscription_id": d.get("subscription_id"), "period": d.get("period"),
        "attempts": d.get("attempts"), "next_attempt_at": d.get("next_attempt_at")})]


def _subscription_cancelled(d):
    return [NoticePlan(SUBSCRIPTION_CANCELLED, d["account_id"], {
        "subscription_id": d.get("subscription_id"), "reason": d.get("reason"),
        "ended_at": d.get("ended_at")})]


def _appointment_booked(d):
    return [NoticePlan(APPOINTMENT_BOOKED, d["account_id"], appointment_params(d))]


def _pass_debited(d):
    if d.get("uses_total") is None or d.get("uses_left") != 1:
        return []
    return [NoticePlan(PASS_LAST_USE, d["account_id"], pass_params(d))]


def _password_reset(d):
    if not d.get("reset_url"):
        return []
    return [NoticePlan(PASSWORD_RESET, d["account_id"], {
        "email": d.get("email"), "reset_url": d["reset_url"]})]


def _waitlist_seat_offered(d):
    """R3.9: a seat is held for a waiting member until the offer's deadline."""
    if not d.get("registration_id") or not d.get("offer_expires_at"):
        return []
    return [NoticePlan(WAITLIST_OFFER, d["account_id"], {
        "entry_id": d.get("id"), "registration_id": d.get("registration_id"),
        "kind": d.get("kind"), "member_id": d.get("member_id"),
        "member_name": d.get("member_name"), "description": d.get("description"),
        "starts_at": d.get("starts_at"), "price": d.get("price"),
        "offer_expires_at": d.get("offer_expires_at"),
        "household_still_waiting": list(d.get("household_still_waiting") or [])})]


_PLANNERS = {
    "checkout_completed": _checkout_completed,
    "registration_cancelled": _registration_cancelled,
    "subscription_charged": _subscription_charged,
    "subscription_charge_failed": _charge_failed,
    "subscription_cancelled": _subscription_cancelled,
    "appointment_booked": _appointment_booked,
    "pass_debited": _pass_debited,
    "password_reset_requested": _password_reset,
    "waitlist_seat_offered": _waitlist_seat_offered,
}


def appointment_params(d):
    return {"appointment_id": d.get("id"), "member_name": d.get("member_name"),
            "service_name": d.get("service_name"), "staff_name": d.get("staff_name"),
            "starts_at": d.get("starts_at")}


def pass_params(d):
    return {"pass_id": d.get("id"), "name": d.get("name"), "uses_left": d.get("uses_left"),
            "expires_at": d.get("expires_at"), "valid_until": d.get("valid_until")}


# -- what waits for its time (the timer's work) -----------------------------------------------
@dataclass(frozen=True)
class Watch:
    """A notice that leaves at ``due_at`` unless the fact changes before: an appointment's
    reminder, a pass's expiry warning. ``fact`` names the version of the fact (the start,
    the expiry), so a changed expiry is a new notice and an unchanged one is not."""
    kind: str
    subject_id: str
    account_id: str
    due_at: datetime
    fact: str
    params: dict


def appointment_watch(d, reminder_hours) -> Watch:
    """The reminder of a booked appointment, ``reminder_hours`` before its start; None when
    the appointment is not booked (cancelled, done) or has no start."""
    starts = parse_instant(d.get("starts_at"))
    if d.get("status") != "booked" or starts is None or not d.get("account_id"):
        return None
    return Watch(APPOINTMENT_REMINDER, d["id"], d["account_id"],
                 starts - timedelta(hours=reminder_hours), starts.isoformat(),
                 appointment_params(d))


def pass_watch(d, days_before) -> Watch:
    """The expiry warning of an active pass with uses left and an expiry date; None when
    there is nothing to warn about (no expiry, revoked, exhausted)."""
    expires = parse_instant(d.get("expires_at"))
    if (expires is None or d.get("status") != "active" or not d.get("account_id")
            or (d.get("uses_left") is not None and d["uses_left"] <= 0)):
        return None
    return Watch(PASS_EXPIRING, d["id"], d["account_id"], expires - timedelta(days=days_before),
                 expires.isoformat(), pass_params(d))


def watch_event_id(kind, subject_id, fact) -> str:
    """The sent log's ``event_id`` of a timed notice: one per subject and version of fact."""
    return f"{kind}:{subject_id}:{fact}"


def still_relevant(kind, fact, now) -> bool:
    """A reminder of something already started, or a warning for a pass already expired,
    is not sent (the service was down past it)."""
    at = parse_instant(fact)
    return at is not None and at > now


def retry_delay(attempts, base_seconds, max_seconds) -> timedelta:
    """Exponential backoff after ``attempts`` failed sends: base, 2×base, 4×base … capped."""
    exponent = max(0, int(attempts) - 1)
    return timedelta(seconds=min(max_seconds, base_seconds * (2 ** min(exponent, 30))))
