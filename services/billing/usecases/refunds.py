"""Refunds (R6.5, R7.2): give back ``amount`` of what was paid on an invoice, to the
original payment or to the account's credit; never more than was paid minus what was
already refunded (``refund_exceeds_paid``). A key names one refund of the invoice: asked
again with it, the same refund is answered (and finished if it was left pending). A card
refund is recorded first, then the provider is asked outside any transaction (the refund's
own idempotency key: asking twice refunds once); the recovery timer finishes what was left
pending. See domain/refunds.py."""
import logging

from services.common.types import new_id

from ..adapters.models import Refund
from ..adapters.refunds import RefundRepository, refund_dict
from ..adapters.repositories import CreditLedger, InvoiceRepository
from ..contract import events
from ..contract.errors import InvoiceNotFound, RefundPending, RefundRefused
from ..domain import credit as credit_rules
from ..domain import idempotency
from ..domain import refunds as refund_rules
from ..domain import taxes as tax_rules
from ..domain.payment import ProviderUnavailable

log = logging.getLogger(__name__)


def refund_invoice(ctx, org_id, invoice_id, data, idempotency_key=None):
    idempotency.check_key(idempotency_key)
    fp = idempotency.refund_fingerprint(data)
    with ctx.db.uow() as uow:
        now = ctx.business_now(org_id, uow.session)
        invoices, refunds = InvoiceRepository(uow.session), RefundRepository(uow.session)
        # the invoice's row stays locked until the commit: concurrent refunds of one
        # invoice are checked one after the other
        invoice = invoices.get(org_id, invoice_id, for_update=True)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        existing = refunds.by_key(invoice.id, idempotency_key) if idempotency_key else None
        if existing is not None:
            idempotency.ensure_same_request(existing.fingerprint, fp, idempotency_key,
                                            "refund of this invoice")
            refund_id, pending = existing.id, True
        else:
            payments = [refund_rules.PaymentView(p.id, p.method, p.amount, p.charge_id)
                        for p in invoices.payments([invoice.id])[invoice.id]]
            refunded_before = refunds.refunded_by_payment(invoice.id)
            plan = refund_rules.plan_refund(data["amount"], data["to"], payments,
                                            refunded_before)
            row = Refund(
                id=new_id("rfd"), org_id=org_id, invoice_id=invoice.id,
                account_id=invoice.account_id, payment_id=plan.payment_id,
                amount=plan.amount, currency=invoice.currency, destination=data["to"],
                method=plan.method, reason=data["reason"], charge_id=plan.charge_id,
                idempotency_key=idempotency_key, fingerprint=fp,
                refunded_by=data["refunded_by"], created_at=now,
                status=refund_rules.PENDING if plan.through_provider
                else refund_rules.COMPLETED,
                completed_at=None if plan.through_provider else now)
            if plan.through_provider:
                row.provider_key = refund_rules.provider_key(row.id)
            # R7.2: the taxes it gives back, in proportion (none once voided: the
            # void reversed them)
            row.taxes = [] if invoice.void_requested_at is not None else \
                tax_rules.refund_taxes(invoice.taxes or [], sum(p.amount for p in payments),
                                       sum(refunded_before.values()), plan.amount)
            refunds.add(row)
            if plan.credits_account:
                _credit_refund(uow, row, now)
            if not plan.through_provider:
                uow.emit(events.INVOICE_REFUNDED, dict(refund_dict(row), org_id=org_id),
                         occurred_at=now)
            refund_id, pending = row.id, plan.through_provider
            result = refund_dict(row)
        uow.commit()
    if pending:  # the provider is called outside any transaction
        return finish_refund(ctx, org_id, refund_id)
    return result


def _credit_refund(uow, row, now):
    balance = CreditLedger(uow.session).credit(
        row.org_id, row.account_id,
        credit_rules.credit(row.amount, refund_rules.CREDIT_REASON, row.id), now,
        details={"invoice_id": row.invoice_id})
    uow.emit(events.ACCOUNT_CREDITED, {
        "org_id": row.org_id, "account_id": row.account_id, "amount": row.amount,
        "balance": balance, "reason": refund_rules.CREDIT_REASON, "ref": row.id,
        "invoice_id": row.invoice_id}, occurred_at=now)


def finish_refund(ctx, org_id, refund_id):
    """A refund as it stands, after asking the provider for a pending card refund."""
    with ctx.db.uow(readonly=True) as uow:
        row = RefundRepository(uow.session).get(org_id, refund_id)
        result = refund_dict(row)
        charge_id, provider_key = row.charge_id, row.provider_key
    if result["status"] == refund_rules.FAILED:
        raise RefundRefused("the payment provider refused this refund; nothing was "
                            "refunded", {"refund_id": refund_id})
    if result["status"] == refund_rules.COMPLETED:
        return result
    try:
        provider_refund_id = ctx.provider().refund(
            charge_id=charge_id, amount=result["amount"], idempotency_key=provider_key)
    except ValueError as refused:  # the provider says no: the amount is free again
        with ctx.db.uow() as uow:
            RefundRepository(uow.session).fail(refund_id, {"message": str(refused)[:500]},
                                               ctx.clock.now())
            uow.commit()
        return finish_refund(ctx, org_id, refund_id)
    except Exception as error:  # ProviderUnavailable, or no answer at all
        if not isinstance(error, ProviderUnavailable):
            log.warning("refund %s: provider error %r; left pending", refund_id, error)
        raise RefundPending("the refund is recorded but the payment provider did not "
                            "answer; it will be finished shortly (retry with the same "
                            "Idempotency-Key to see it)", {"refund_id": refund_id})
    with ctx.db.uow() as uow:
        now = ctx.business_now(org_id, uow.session)
        refunds = RefundRepository(uow.session)
        if refunds.complete(refund_id, provider_refund_id, now):
            row = refunds.get(org_id, refund_id)
            uow.emit(events.INVOICE_REFUNDED, dict(refund_dict(row), org_id=org_id),
                     occurred_at=now)
        result = refund_dict(refunds.get(org_id, refund_id))
        uow.commit()
    return result


def list_refunds(ctx, org_id, invoice_id):
    with ctx.db.uow(readonly=True) as uow:
        invoice = InvoiceRepository(uow.session).get(org_id, invoice_id)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        items = [refund_dict(r) for r in RefundRepository(uow.session).of_invoice(invoice.id)]
    return {"items": items}


def recover_refunds(ctx):
    """Finish card refunds left pending (the provider did not answer, or the process
    stopped between recording the refund and asking the provider)."""
    with ctx.db.uow(readonly=True) as uow:
        pending = RefundRepository(uow.session).pending()
    for org_id, refund_id in pending:
        try:
            finish_refund(ctx, org_id, refund_id)
        except (RefundPending, RefundRefused):
            continue
        except Exception:
            log.warning("refund %s not finished yet", refund_id, exc_info=True)
