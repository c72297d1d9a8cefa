"""Fees (R8.1): a late cancellation or a no-show that costs money (``registration``'s
``fee_incurred``) becomes an invoice of one line (type ``late_cancel_fee`` /
``no_show_fee``, the offer's accounting code).

How it is paid (docs/policies.md): from the account's credit at once when the balance
covers it (a late cancellation of a seat paid in money: its price was just credited back,
so the fee is kept from it); otherwise the invoice stays ``open``, owed by the account,
until it is paid at the counter or by the customer (``pay_invoice``: cash by staff, card,
account credit) or waived by staff with a reason (the invoice is then void, and a fee
already taken from credit goes back to it).
"""
import logging

from services.common.errors import InvalidInput
from services.common.timeutil import parse_instant
from services.common.types import new_id

from ..adapters.fees import Fee, FeeRepository, fee_dict
from ..adapters.models import Invoice, InvoiceLine, Payment
from ..adapters.repositories import CreditLedger, InvoiceRepository
from ..contract import events
from ..contract.errors import CardPaymentDeclined, InsufficientCredit, InvoiceNotFound
from ..domain import credit as credit_rules
from ..domain import invoice as invoice_rules
from ..domain.payment import ProviderUnavailable

log = logging.getLogger(__name__)

OPEN = "open"
OWED, PAID, WAIVED = "owed", "paid", "waived"
FEE_CREDIT = "fee"   # credit ledger reason of a fee taken from credit (ref: the fee id)
FEE_WAIVED = "fee_waived"
CREDIT_WAIT_SECONDS = 120  # how long a fee waits for the cancellation's credit


class FeeRetryLater(Exception):
    """The cancellation credit this fee is taken from is not written yet: requeue."""


def invoice_fee(ctx, payload):
    """``fee_incurred``: the fee's invoice, paid from credit when the balance covers it."""
    data = (payload or {}).get("data") or {}
    amount = data.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0 or \
            not data.get("org_id") or not data.get("account_id") or \
            not data.get("source_id") or data.get("kind") not in ("late_cancel", "no_show"):
        return
    org_id = data["org_id"]
    currency = ctx.peers.org(org_id)["currency"]
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        session = uow.session
        fees = FeeRepository(session)
        if fees.exists(data["source_id"], data["kind"]):
            return
        ledger = CreditLedger(session)
        if data.get("credit_expected") and not ledger.has_entry(
                org_id, credit_rules.CANCELLATION, data["source_id"]):
            occurred = parse_instant(payload.get("occurred_at"))
            if occurred is None or (now - occurred).total_seconds() < CREDIT_WAIT_SECONDS:
                raise FeeRetryLater(f"credit of {data['source_id']} not written yet")
        issued_at = ctx.business_now(org_id, session)
        invoices = InvoiceRepository(session)
        invoice = Invoice(id=new_id("inv"), org_id=org_id,
                          number=invoices.next_number(org_id),
                          account_id=data["account_id"], status=OPEN, currency=currency,
                          total=amount, issued_at=issued_at)
        reference = {"source_type": data.get("source_type"),
                     "source_id": data["source_id"], "fee_kind": data["kind"],
                     "price": data.get("price"), "starts_at": data.get("starts_at")}
        line = InvoiceLine(
            id=new_id("inl"), org_id=org_id, invoice_id=invoice.id, position=1,
            type=f"{data['kind']}_fee", description=(data.get("description") or "fee")[:300],
            amount=amount, accounting_code=data.get("accounting_code"), paid_with="money",
            payment_method=None, member_id=data.get("member_id"),
            registration_id=data["source_id"] if data.get("source_type") ==
            "registration" else None, cart_item_id=None, reference=reference)
        fee = Fee(id=new_id("fee"), org_id=org_id, account_id=data["account_id"],
                  member_id=data.get("member_id"), source_type=data.get("source_type")
                  or "registration", source_id=data["source_id"], kind=data["kind"],
                  amount=amount, invoice_id=invoice.id, status=OWED, created_at=now,
                  updated_at=now)
        invoices.add(invoice, [line], [])
        if not fees.add(fee):  # a concurrent delivery billed it
            return
        if ledger.balance(org_id, data["account_id"]) >= amount:
            _pay_from_credit(uow, invoice, fee, now)
        uow.emit(events.FEE_INVOICED, dict(fee_dict(fee), invoice_status=invoice.status),
                 occurred_at=now)
        uow.commit()


def _pay_from_credit(uow, invoice, fee, now):
    balance = CreditLedger(uow.session).debit(
        invoice.org_id, invoice.account_id,
        credit_rules.debit(invoice.total, FEE_CREDIT, fee.id if fee else invoice.id), now,
        details={"invoice_id": invoice.id})
    if balance is None:
        return False
    _settle(uow, invoice, fee, "account_credit", None, now)
    uow.emit(events.ACCOUNT_DEBITED, {
        "org_id": invoice.org_id, "account_id": invoice.account_id,
        "amount": invoice.total, "balance": balance, "reason": FEE_CREDIT,
        "ref": fee.id if fee else invoice.id}, occurred_at=now)
    return True


def _settle(uow, invoice, fee, method, charge_id, now):
    uow.session.add(Payment(id=new_id("pay"), org_id=invoice.org_id,
                            invoice_id=invoice.id, method=method, amount=invoice.total,
                            charge_id=charge_id, created_at=now))
    for line in InvoiceRepository(uow.session).lines([invoice.id])[invoice.id]:
        line.payment_method = method
    invoice.status = invoice_rules.PAID
    if fee is not None:
        fee.status, fee.updated_at = PAID, now
    uow.session.flush()


def pay_invoice(ctx, org_id, invoice_id, data):
    """Pay an ``open`` invoice (a fee owed): ``cash`` (staff, at the counter), ``card``
    (``card_token``), ``account_credit``. Paying a paid invoice again answers it."""
    method = data["method"]
    with ctx.db.uow(readonly=True) as uow:
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        if invoice.status != OPEN:
            return invoices.as_dict(invoice)
        total, currency = invoice.total, invoice.currency
    charge_id = None
    if method == "card":
        if not data.get("card_token"):
            raise InvalidInput("the request is not valid",
                               {"card_token": ["required to pay by card"]})
        try:  # outside any transaction; one charge per invoice and card
            charge = ctx.provider().charge(
                amount=total, currency=currency, card_token=data["card_token"],
                idempotency_key=f"invoice_pay:{invoice_id}:{data['card_token']}",
                description=f"invoice {invoice_id}")
        except ProviderUnavailable:
            raise
        except Exception as declined:
            raise CardPaymentDeclined("the card was declined; the fee is still owed",
                                      {"reason": str(declined)[:200]})
        charge_id = charge.id
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id, for_update=True)
        fee = FeeRepository(uow.session).of_invoice(invoice_id)
        if invoice.status == OPEN:
            if method == "account_credit":
                if not _pay_from_credit(uow, invoice, fee, now):
                    ledger = CreditLedger(uow.session)
                    raise InsufficientCredit(
                        "the account's credit does not cover the invoice",
                        {"balance": ledger.balance(org_id, invoice.account_id),
                         "amount": invoice.total})
            else:
                _settle(uow, invoice, fee, method, charge_id, now)
            uow.emit(events.INVOICE_PAID, dict(invoices.as_dict(invoice), org_id=org_id),
                     occurred_at=now)
        result = invoices.as_dict(invoice)
        uow.commit()
    return result


def waive_fee(ctx, org_id, invoice_id, data):
    """Staff waive a fee with a reason: its invoice becomes void (its line reversed in
    the reports like a void's); a fee already taken from credit goes back to it.
    Waiving again answers the invoice."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id, for_update=True)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        fee = FeeRepository(uow.session).of_invoice(invoice_id)
        if fee is None:
            raise InvalidInput("only a fee is waived; void other invoices",
                               {"invoice_id": ["not a fee invoice"]})
        if fee.status != WAIVED:
            paid = invoices.payments([invoice.id])[invoice.id]
            credited = sum(p.amount for p in paid if p.method == "account_credit")
            if credited:
                ledger = CreditLedger(uow.session)
                balance = ledger.credit(org_id, invoice.account_id, credit_rules.credit(
                    credited, FEE_WAIVED, fee.id), now, details={"invoice_id": invoice.id})
                uow.emit(events.ACCOUNT_CREDITED, {
                    "org_id": org_id, "account_id": invoice.account_id,
                    "amount": credited, "balance": balance, "reason": FEE_WAIVED,
                    "ref": fee.id, "invoice_id": invoice.id}, occurred_at=now)
            fee.status, fee.updated_at = WAIVED, now
            fee.waived_reason, fee.waived_by = data["reason"], data.get("waived_by")
            invoice.status = invoice_rules.VOID
            invoice.void_reason = f"fee waived: {data['reason']}"[:2000]
            invoice.voided_at = ctx.business_now(org_id, uow.session)
            uow.emit(events.FEE_WAIVED, dict(fee_dict(fee), invoice_id=invoice.id),
                     occurred_at=now)
        result = invoices.as_dict(invoice)
        uow.commit()
    return result


def list_fees(ctx, org_id, account_id, query):
    """An account's fees, newest first, and what it owes in all (``owed``)."""
    with ctx.db.uow(readonly=True) as uow:
        fees = FeeRepository(uow.session)
        rows, next_cursor = fees.page(org_id, account_id, query["status"], query["limit"],
                                      query["cursor"])
        return {"items": [fee_dict(f) for f in rows],
                "owed": fees.owed(org_id, account_id, OWED), "next_cursor": next_cursor}
