"""Sending notices: lease one, ask the other services what it needs, render, SMTP, record
the outcome; never inside a transaction.

A notice is sent by whoever holds its lease; the outcome is written only by that holder.
A failed send (SMTP down, a service that does not answer) stays pending and is tried again
with backoff by the timer of any instance; after ``CARNET_NOTIFY_MAX_ATTEMPTS`` it is
``failed``. An instance that dies mid-send leaves a lease that lapses, and another send
follows (the same Message-ID).
"""
import logging
import os
import socket
import uuid
from datetime import timedelta

from services.common.errors import NotFound

from ..adapters import settings
from ..adapters.repositories import Notices, Preferences
from ..adapters.smtp import build_message
from ..domain import notices as rules
from ..domain import templates
from . import intake

log = logging.getLogger(__name__)

OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def notify(ctx, payload):
    """An event handler's use case: claim the event's notices, then send them now (a
    failure is the timer's)."""
    send_all(ctx, intake.take_in(ctx, payload))


def send_due(ctx):
    """The timer's: send what is due (released watches, retries with backoff)."""
    send_all(ctx, intake.due(ctx))


def send_all(ctx, ids):
    """Send each notice; one that fails on the database is left to the timer."""
    for notice_id in ids:
        try:
            send(ctx, notice_id)
        except Exception:  # noqa: BLE001 - the database: the timer tries again
            log.exception("notice %s: sending interrupted; the timer will retry", notice_id)


def send(ctx, notice_id):
    """Send one notice if nobody else is; its new state (None: not this caller's)."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
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
        return _finish(ctx, notice, state=rules.SKIPPED, reason=rules.OPTED_OUT)
    try:
        outcome = _deliver(ctx, notice)
    except NotFound as error:  # the account (or org) is gone: nobody to tell
        return _finish(ctx, notice, state=rules.SKIPPED, reason=rules.NO_RECIPIENT,
                       last_error=str(error)[:2000])
    except Exception as error:  # noqa: BLE001 - SMTP or a peer down: retried later
        log.warning("notice %s not sent (%s); tried again later", notice_id, error)
        return _retry(ctx, notice, error)
    return _finish(ctx, notice, **outcome)


def _deliver(ctx, notice):
    org_id, params = notice["org_id"], notice["params"] or {}
    if ctx.peers.on_test_clock(org_id) and not settings.send_for_test_clock_orgs():
        return {"state": rules.SKIPPED, "reason": rules.TEST_CLOCK}
    org = ctx.peers.org(org_id)
    account = ctx.peers.account(org_id, notice["account_id"])
    email = params.get("email") or account.get("email")
    if not email:
        return {"state": rules.SKIPPED, "reason": rules.NO_ADDRESS}
    invoice, pdf = None, None
    receipt = (notice["attachment"] or {}).get("receipt")
    wants_invoice = notice["kind"] == rules.RECEIPT and params.get("invoice_id")
    if wants_invoice and receipt == params["invoice_id"]:  # the invoice and its PDF: one call
        invoice, pdf = ctx.peers.invoice_and_receipt(org_id, receipt)
    else:
        if wants_invoice:
            invoice = ctx.peers.invoice(org_id, params["invoice_id"])
        if receipt:
            pdf = ctx.peers.receipt_pdf(org_id, receipt)
    attachments = [pdf] if pdf is not None else []
    locale = org.get("locale") or "fr"
    subject, body = templates.render(notice["kind"], locale, templates.context(
        notice["kind"], locale, params, org, account, invoice,
        shop_url=f"{settings.public_url()}/shop/{org_id}"))
    message = build_message(settings.smtp_from(), email, subject, body, notice["id"],
                            attachments, locale)
    ctx.sender.send(message)
    return {"state": rules.SENT, "email": email, "locale": locale, "subject": subject[:300],
            "message_id": message["Message-ID"], "sent_at": ctx.clock.now(),
            "attempts": notice["attempts"] + 1, "last_error": None}


def _retry(ctx, notice, error):
    attempts = notice["attempts"] + 1
    if attempts >= settings.max_attempts():
        return _finish(ctx, notice, state=rules.FAILED, attempts=attempts,
                       last_error=str(error)[:2000])
    delay = rules.retry_delay(attempts, settings.retry_base_seconds(),
                              settings.retry_max_seconds())
    return _finish(ctx, notice, state=rules.PENDING, attempts=attempts,
                   next_attempt_at=ctx.clock.now() + delay, last_error=str(error)[:2000])


def _finish(ctx, notice, **values):
    with ctx.db.uow() as uow:
        done = Notices(uow.session).finish(notice["id"], OWNER, ctx.clock.now(), **values)
        uow.commit()
    if not done:
        log.warning("notice %s: lease lost before its outcome was recorded", notice["id"])
    return values.get("state")
