"""Refunds (R6.5) and the reads of the reports (R6.6) within a unit of work.

The refund limit is held by the caller locking the invoice's row (``InvoiceRepository.get
(…, for_update=True)``) before it sums the invoice's refunds and inserts one: on
PostgreSQL a second refund of the same invoice waits for the first to commit and then sees
it; on SQLite write transactions are serialised (``BEGIN IMMEDIATE``).
"""
from sqlalchemy import func, or_, select, update

from ..domain import refunds as rules
from .models import CreditEntry, Invoice, Refund
from .repositories import InvoiceRepository, iso, line_dict, payment_dict


def refund_dict(row: Refund) -> dict:
    return {"id": row.id, "invoice_id": row.invoice_id, "account_id": row.account_id,
            "amount": row.amount, "currency": row.currency, "to": row.destination,
            "method": row.method, "status": row.status, "reason": row.reason,
            "payment_id": row.payment_id, "provider_refund_id": row.provider_refund_id,
            "refunded_by": row.refunded_by, "created_at": iso(row.created_at),
            "completed_at": iso(row.completed_at),
            "taxes": [dict(t) for t in row.taxes or []]}


class RefundRepository:
    def __init__(self, session):
        self.session = session

    def add(self, row: Refund):
        self.session.add(row)
        self.session.flush()

    def get(self, org_id, refund_id):
        return self.session.execute(
            select(Refund).where(Refund.id == refund_id, Refund.org_id == org_id)
        ).scalar_one_or_none()

    def by_key(self, invoice_id, key):
        return self.session.execute(
            select(Refund).where(Refund.invoice_id == invoice_id,
                                 Refund.idempotency_key == key)).scalar_one_or_none()

    def of_invoice(self, invoice_id):
        return list(self.session.execute(
            select(Refund).where(Refund.invoice_id == invoice_id)
            .order_by(Refund.created_at, Refund.id)).scalars())

    def refunded_by_payment(self, invoice_id) -> dict:
        """``{payment_id: amount}`` of the invoice's pending and completed refunds."""
        rows = self.session.execute(
            select(Refund.payment_id, func.sum(Refund.amount))
            .where(Refund.invoice_id == invoice_id, Refund.status.in_(rules.HOLDING))
            .group_by(Refund.payment_id)).all()
        return {payment_id: int(total) for payment_id, total in rows}

    def complete(self, refund_id, provider_refund_id, now) -> bool:
        """Pending → completed, once (two processes finishing one refund: one wins)."""
        return self.session.execute(
            update(Refund.__table__).where(Refund.id == refund_id,
                                           Refund.status == rules.PENDING)
            .values(status=rules.COMPLETED, provider_refund_id=provider_refund_id,
                    completed_at=now)).rowcount == 1

    def fail(self, refund_id, error, now) -> bool:
        return self.session.execute(
            update(Refund.__table__).where(Refund.id == refund_id,
                                           Refund.status == rules.PENDING)
            .values(status=rules.FAILED, error=error, completed_at=now)).rowcount == 1

    def pending(self, limit=20):
        return list(self.session.execute(
            select(Refund.org_id, Refund.id).where(Refund.status == rules.PENDING)
            .order_by(Refund.created_at).limit(limit)).all())


class ReportQueries:
    """What the reports read: invoices issued or voided in a range, or refunded in it, with
    their lines and payments; completed refunds in a range."""

    def __init__(self, session):
        self.session = session

    def refunds(self, org_id, start, end):
        return [{"id": r.id, "invoice_id": r.invoice_id, "amount": r.amount,
                 "created_at": r.completed_at, "method": r.method,
                 "taxes": list(r.taxes or [])}
                for r in self.session.execute(
                    select(Refund).where(Refund.org_id == org_id,
                                         Refund.status == rules.COMPLETED,
                                         Refund.completed_at >= start,
                                         Refund.completed_at < end)
                    .order_by(Refund.completed_at, Refund.id)).scalars()]

    def invoices(self, org_id, start, end, extra_ids=()):
        """Invoices issued or voided in ``[start, end)``, and those of ``extra_ids``, as
        dicts with datetimes (``issued_at``, ``voided_at``), lines and payments."""
        condition = or_((Invoice.issued_at >= start) & (Invoice.issued_at < end),
                        (Invoice.voided_at >= start) & (Invoice.voided_at < end))
        if extra_ids:
            condition = or_(condition, Invoice.id.in_(list(extra_ids)))
        rows = list(self.session.execute(
            select(Invoice).where(Invoice.org_id == org_id, condition)
            .order_by(Invoice.number)).scalars())
        repo = InvoiceRepository(self.session)
        ids = [i.id for i in rows]
        lines, payments = repo.lines(ids), repo.payments(ids)
        return [{"id": i.id, "number": i.number, "account_id": i.account_id,
                 "taxes": list(i.taxes or []),
                 "status": i.status, "currency": i.currency, "issued_at": i.issued_at,
                 "voided_at": i.voided_at, "lines": [line_dict(l) for l in lines[i.id]],
                 "payments": [payment_dict(p) for p in payments[i.id]]} for i in rows]

    # -- taxes (R7.2) ---------------------------------------------------------------------------
    def tax_givebacks(self, org_id, start, end):
        """``(refunds, credits)`` that gave taxes back: completed refunds and cancellation
        credits made in ``[start, end)``, plus all of those of invoices voided in it."""
        voided = select(Invoice.id).where(Invoice.org_id == org_id, Invoice.voided_at >= start,
                                          Invoice.voided_at < end)
        refunds = [{"invoice_id": r.invoice_id, "created_at": r.completed_at,
                    "taxes": list(r.taxes or [])}
                   for r in self.session.execute(select(Refund).where(
                       Refund.org_id == org_id, Refund.status == rules.COMPLETED,
                       or_((Refund.completed_at >= start) & (Refund.completed_at < end),
                           Refund.invoice_id.in_(voided)))).scalars()]
        credits = []
        for entry in self.session.execute(select(CreditEntry).where(
                CreditEntry.org_id == org_id, CreditEntry.reason == "registration_cancelled",
                CreditEntry.created_at < end)).scalars():
            details = entry.details or {}
            if not details.get("taxes"):
                continue
            credits.append({"invoice_id": details.get("invoice_id"),
                            "created_at": entry.created_at, "taxes": details["taxes"]})
        return refunds, credits
