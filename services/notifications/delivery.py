"""The two use cases of notifications, with their I/O: taking an event in (the sent log
claims its notices, in one short transaction) and sending a notice (lease, ask the other
services, render, SMTP, record the outcome; never inside a transaction).

Exactly once: a notice is claimed once per ``(event_id, recipient, kind)`` (unique key),
and sent by whoever holds its lease; the outcome is written only by that holder. A failed
send (SMTP down, a service that does not answer) stays pending and is tried again with
backoff by the timer of any instance; after ``CARNET_NOTIFY_MAX_ATTEMPTS`` it is
``failed``. An instance that dies mid-send leaves a lease that lapses, and another send
follows (the same Message-ID). The emitting service is never involved: this is a consumer.
"""
import logging
import os
import socket
import uuid
from datetime import timedelta

from services.common.errors import NotFound

from . import settings
from .adapters.repositories import Notices, Preferences, Watches
from .adapters.smtp import build_message
from .domain import notices as rules
from .domain import templates

log = logging.getLogger(__name__)

OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

APPOINTMENT_ENDED = ("appointment_cancelled", "appointment_completed", "appointment_no_show")
PASS_EVENTS = ("pass_sold", "pass_granted", "pass_expiry_changed", "pass_debited",
               "pass_credited", "pass_revoked")


def take_in(db, payload, now):
    """Claim the notices an event makes (and keep what it says about reminders); the ids
    of the notices to send now. A duplicate delivery claims nothing."""
    payload = payload if isinstance(payload, dict) else {}
    data, event_type = payload.get("data") or {}, payload.get("type") or ""
    org_id, event_id = data.get("org_id"), payload.get("event_id")
    if not org_id or not event_id:
        return []
    plans = rules.plan(event_type, data)
    with db.uow() as uow:
        if not uow.claim_event(payload):
            return []
        ids = [notice_id for plan in plans
               if (notice_id := _claim(uow.session, org_id, event_id, event_type, plan, now))]
        _keep_watches(uow.session, org_id, event_type, data, now)
        uow.commit()
    return ids


def _claim(session, org_id, event_id, event_type, plan, now):
    """The notice's id when it is to be sent now; an opted-out one is logged as skipped."""
    wanted = rules.is_wanted(plan.kind, Preferences(session).get(org_id, plan.account_id))
    notice_id = Notices(session).claim(
        org_id, event_id, event_type, plan, now,
        state=rules.PENDING if wanted else rules.SKIPPED,
        reason=None if wanted else rules.OPTED_OUT)
    return notice_id if wanted else None


def _keep_watches(session, org_id, event_type, data, now):
    watches = Watches(session)
    if event_type == "appointment_booked" or event_type in APPOINTMENT_ENDED:
        if data.get("id"):
            watches.keep(org_id, rules.APPOINTMENT_REMINDER, data["id"],
                         rules.appointment_watch(data, settings.reminder_hours()), now)
    elif event_type in PASS_EVENTS and data.get("id"):
        watches.keep(org_id, rules.PASS_EXPIRING, data["id"],
                     rules.pass_watch(data, settings.pass_expiry_days()), now)


def release_watches(db, now, limit=50):
    """Turn the watches whose time has come into notices (one instance takes each)."""
    with db.uow(readonly=True) as uow:
        due = Watches(uow.session).due(now, limit)
    ids = []
    for watch_id, fact in due:
        with db.uow() as uow:
            watch = Watches(uow.session).take(watch_id, fact, now)
            if watch is not None and rules.still_relevant(watch.kind, watch.fact, now):
                plan = rules.NoticePlan(watch.kind, watch.account_id, dict(watch.params))
                event_id = rules.watch_event_id(watch.kind, watch.subject_id, watch.fact)
                notice_id = _claim(uow.session, watch.org_id, event_id, "timer", plan, now)
                if notice_id:
                    ids.append(notice_id)
            uow.commit()
    return ids


def due_notices(db, now, limit=50):
    with db.uow(readonly=True) as uow:
        return Notices(uow.session).due_ids(now, limit)


class Delivery:
    """Sends one notice at a time: ``send(notice_id)``."""

    def __init__(self, db, directory, sender, clock):
        self.db, self.directory, self.sender, self.clock = db, directory, sender, clock

    def send(self, notice_id):
        now = self.clock.now()
        with self.db.uow() as uow:
            notices = Notices(uow.session)
            if not notices.lease(notice_id, OWNER, now,
                                 now + timedelta(seconds=settings.lease_seconds())):
                return None  # sent, or being sent by someone else
            row = notices.get(notice_id)
            notice = {c: getattr(row, c) for c in ("id", "org_id", "kind", "account_id",
                                                   "params", "attachment", "attempts")}
            preferences = Preferences(uow.session).get(row.org_id, row.account_id)
            uow.commit()
        if not rules.is_wanted(notice["kind"], preferences):
            return self._finish(notice, state=rules.SKIPPED, reason=rules.OPTED_OUT)
        try:
            outcome = self._deliver(notice)
        except NotFound as error:  # the account (or org) is gone: nobody to tell
            return self._finish(notice, state=rules.SKIPPED, reason=rules.NO_RECIPIENT,
                                last_error=str(error)[:2000])
        except Exception as error:  # noqa: BLE001 - SMTP or a peer down: retried later
            log.warning("notice %s not sent (%s); tried again later", notice_id, error)
            return self._retry(notice, error)
        return self._finish(notice, **outcome)

    def _deliver(self, notice):
        org_id, params = notice["org_id"], notice["params"] or {}
        if self.directory.on_test_clock(org_id) and not settings.send_for_test_clock_orgs():
            return {"state": rules.SKIPPED, "reason": rules.TEST_CLOCK}
        org = self.directory.org(org_id)
        account = self.directory.account(org_id, notice["account_id"])
        email = params.get("email") or account.get("email")
        if not email:
            return {"state": rules.SKIPPED, "reason": rules.NO_ADDRESS}
        invoice = None
        if notice["kind"] == rules.RECEIPT and params.get("invoice_id"):
            invoice = self.directory.invoice(org_id, params["invoice_id"])
        locale = org.get("locale") or "fr"
        subject, body = templates.render(notice["kind"], locale, templates.context(
            notice["kind"], locale, params, org, account, invoice,
            shop_url=f"{settings.public_url()}/shop/{org_id}"))
        attachments = []
        receipt = (notice["attachment"] or {}).get("receipt")
        if receipt:
            pdf = self.directory.receipt_pdf(org_id, receipt)
            if pdf is not None:
                attachments.append(pdf)
        message = build_message(settings.smtp_from(), email, subject, body, notice["id"],
                                attachments, locale)
        self.sender.send(message)
        return {"state": rules.SENT, "email": email, "locale": locale, "subject": subject[:300],
                "message_id": message["Message-ID"], "sent_at": self.clock.now(),
                "attempts": notice["attempts"] + 1, "last_error": None}

    def _retry(self, notice, error):
        attempts = notice["attempts"] + 1
        if attempts >= settings.max_attempts():
            return self._finish(notice, state=rules.FAILED, attempts=attempts,
                                last_error=str(error)[:2000])
        delay = rules.retry_delay(attempts, settings.retry_base_seconds(),
                                  settings.retry_max_seconds())
        return self._finish(notice, state=rules.PENDING, attempts=attempts,
                            next_attempt_at=self.clock.now() + delay,
                            last_error=str(error)[:2000])

    def _finish(self, notice, **values):
        with self.db.uow() as uow:
            done = Notices(uow.session).finish(notice["id"], OWNER, self.clock.now(), **values)
            uow.commit()
        if not done:
            log.warning("notice %s: lease lost before its outcome was recorded", notice["id"])
        return values.get("state")
