"""Invoices (R6.5, R3.7): read, list, and void (every registration the invoice paid for
cancelled, what it sold revoked, then the invoice marked void; moves no money, see
domain/invoice.py)."""
import logging

from services.common.errors import ServiceUnavailable

from ..adapters.repositories import InvoiceRepository
from ..adapters.subscriptions import SubscriptionRepository
from ..contract import events
from ..contract.errors import InvalidBillingInput, InvoiceNotFound
from ..domain import invoice as invoice_rules
from ..domain import subscriptions as sub_rules
from ..domain.checkout import StepRefused, StepUnavailable

log = logging.getLogger(__name__)


def get_invoice(ctx, org_id, invoice_id):
    with ctx.db.uow(readonly=True) as uow:
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        return invoices.as_dict(invoice)


def list_invoices(ctx, org_id, account_id, query):
    with ctx.db.uow(readonly=True) as uow:
        items, next_cursor = InvoiceRepository(uow.session).list(
            org_id, account_id, query["limit"], query["cursor"])
    return {"items": items, "next_cursor": next_cursor}


def void_invoice(ctx, org_id, invoice_id, data):
    """Idempotent: a void already done answers the invoice."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id, for_update=True)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        if invoice_rules.void_is_done(invoice):
            return invoices.as_dict(invoice)
        if invoice.void_requested_at is None:
            # Written before registration is asked, so that the cancellations it
            # announces are known to be the void's (no credit for them).
            invoice.void_requested_at = now
            invoice.void_reason = data["reason"]
            uow.commit()
    return finish_void(ctx, org_id, invoice_id)


def finish_void(ctx, org_id, invoice_id):
    try:
        cancelled = ctx.seats().cancel_for_invoice(org_id, invoice_id)
    except StepUnavailable:
        raise ServiceUnavailable("registration did not answer; the void will be finished "
                                 "shortly (retry to see it)", {"invoice_id": invoice_id})
    except StepRefused as refused:
        with ctx.db.uow() as uow:
            invoice = InvoiceRepository(uow.session).get(org_id, invoice_id, for_update=True)
            invoice.void_requested_at = None
            uow.commit()
        raise InvalidBillingInput(refused.error.get("message"), refused.error.get("details"))
    try:  # R6.5: unused passes, bundles and memberships sold on it are revoked
        revoked = _revoke_sales(ctx, org_id, invoice_id, cancelled)
    except StepUnavailable:
        raise ServiceUnavailable("passes did not answer; the void will be finished "
                                 "shortly (retry to see it)", {"invoice_id": invoice_id})
    except StepRefused as refused:  # pragma: no cover - it refuses nothing it is given
        log.error("revoke_for_invoice %s refused: %s", invoice_id, refused.error)
        revoked = {}
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        voided_at = ctx.business_now(org_id, uow.session)  # its date in reports (R6.6)
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id, for_update=True)
        if invoice.status != invoice_rules.VOID:
            invoice.status = invoice_rules.VOID
            invoice.voided_at = voided_at
            result = invoices.as_dict(invoice)
            # R6.5: a subscription sold on the invoice is undone with it (no renewals)
            for sub in SubscriptionRepository(uow.session).sold_on(org_id, invoice_id):
                sub_rules.cancel_voided(sub, voided_at, now)
                uow.emit(events.SUBSCRIPTION_CANCELLED, {
                    "org_id": org_id, "subscription_id": sub.id,
                    "account_id": sub.account_id, "member_id": sub.member_id,
                    "reason": sub_rules.VOIDED, "invoice_id": invoice_id,
                    "ended_at": voided_at.isoformat()}, occurred_at=now)
            uow.emit(events.INVOICE_VOIDED, dict(
                result, org_id=org_id,
                cancelled_registration_ids=[r["id"] for r in cancelled],
                revoked=revoked.get("items") or [],
                not_revoked=revoked.get("not_revoked") or []), occurred_at=now)
        else:
            result = invoices.as_dict(invoice)
        uow.commit()
    return result


def _revoke_sales(ctx, org_id, invoice_id, cancelled):
    """``passes.revoke_for_invoice``. A pass sold on the invoice and used only by
    bookings the void has just cancelled (R3.10: bought and used in one cart) is unused
    once their uses are back: they are given back here first (registration's consumer
    of the cancellation would do it too, but later), then the pass is revoked."""
    sales = ctx.sales()
    revoked = sales.revoke_for_invoice(org_id, invoice_id)
    voided_uses = {}
    for registration in cancelled:
        paid_with = registration.get("paid_with") or {}
        if paid_with.get("type") == "pass" and paid_with.get("id"):
            voided_uses.setdefault(paid_with["id"], []).append(registration["id"])
    retry = False
    for kept in revoked.get("not_revoked") or []:
        if kept.get("type") == "pass" and kept.get("id") in voided_uses:
            for registration_id in voided_uses[kept["id"]]:
                try:
                    sales.give_pass_use_back(org_id, kept["id"], registration_id,
                                             "invoice voided")
                except StepRefused:  # not debited by it: nothing to give back
                    continue
            retry = True
    return sales.revoke_for_invoice(org_id, invoice_id) if retry else revoked


def pending_voids(ctx):
    with ctx.db.uow(readonly=True) as uow:
        return [(i.org_id, i.id) for i in InvoiceRepository(uow.session).void_pending()]
