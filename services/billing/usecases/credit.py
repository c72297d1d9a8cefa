"""Account credit (R3.5): read an account's balance and entries; a cancelled
registration's money credited to its account, once."""
import logging

from ..adapters.repositories import (CheckoutRepository, CreditLedger, DuplicateCause,
                                     InvoiceRepository)
from ..contract import events
from ..domain import credit as credit_rules
from ..domain import invoice as invoice_rules
from ..domain.checkout import ACTIVE

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """An event arrived before what it depends on was committed: requeue it."""


def account_credit(ctx, org_id, account_id):
    with ctx.db.uow(readonly=True) as uow:
        ledger = CreditLedger(uow.session)
        return {"account_id": account_id, "balance": ledger.balance(org_id, account_id),
                "entries": [{"amount": e.amount, "reason": e.reason, "ref": e.ref,
                             "created_at": e.created_at.isoformat()}
                            for e in ledger.entries(org_id, account_id)]}


def credit_cancellation(ctx, payload):
    """R3.5: money of a cancelled registration (``registration_cancelled``'s
    ``refund_to_credit``) goes to the account's credit, once (R7.2: with its taxes)."""
    data = (payload or {}).get("data") or {}
    amount = data.get("refund_to_credit")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return
    account_id = data.get("account_id")
    registration_id, invoice_id = data.get("id"), data.get("invoice_id")
    if not (account_id and registration_id):
        log.warning("registration_cancelled %s without account or id: ignored",
                    payload.get("event_id"))
        return
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.by_id(invoice_id) if invoice_id else None
        if invoice_id and invoice is None:
            checkout = CheckoutRepository(uow.session).by_invoice(invoice_id)
            if checkout is not None and checkout.state in ACTIVE:
                raise RetryLater(f"checkout {checkout.id} of invoice {invoice_id} is "
                                 "still being completed")
        org_id = data.get("org_id") or (invoice.org_id if invoice else None)
        if org_id is None or (invoice is not None and invoice.org_id != org_id):
            log.warning("registration_cancelled %s: unknown org; ignored", registration_id)
            uow.commit()
            return
        line = invoices.line_of_registration(invoice.id, registration_id) if invoice else None
        credit = invoice_rules.credit_for_cancellation(invoice, line, amount)
        credit, credit_taxes = invoice_rules.credit_with_taxes(credit, line)  # R7.2
        if credit <= 0:
            log.info("registration_cancelled %s: no credit (invoice %s)",
                     registration_id, invoice_id)
            uow.commit()  # remember the event
            return
        ledger = CreditLedger(uow.session)
        try:
            balance = ledger.credit(org_id, account_id,
                                    credit_rules.credit(credit, credit_rules.CANCELLATION,
                                                        registration_id), now,
                                    details={"event_id": payload.get("event_id"),
                                             "invoice_id": invoice_id,
                                             **({"taxes": credit_taxes}
                                                if credit_taxes else {})})
        except DuplicateCause:
            return
        if balance is not None:
            uow.emit(events.ACCOUNT_CREDITED, {
                "org_id": org_id, "account_id": account_id, "amount": credit,
                "balance": balance, "reason": credit_rules.CANCELLATION,
                "ref": registration_id, "invoice_id": invoice_id}, occurred_at=now)
        uow.commit()
