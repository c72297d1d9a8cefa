"""R7.3: an invoice's receipt, a PDF in the org's language (adapters/receipt.py)."""
import base64

from ..adapters.receipt import render_receipt
from ..adapters.refunds import RefundRepository, refund_dict
from ..adapters.repositories import InvoiceRepository
from ..contract import schemas
from ..contract.errors import InvoiceNotFound
from services.common.schemas import dump


def receipt_pdf(ctx, org_id, invoice_id, with_invoice=False):
    """``{filename: "receipt-<number>.pdf", content_base64, locale: "fr" | "en"}``, and
    ``invoice`` (as ``get_invoice`` answers it) when ``with_invoice``: the receipt e-mail
    needs both, in one call (issue 14). Reads the org (catalog) and the account's names
    (accounts) after the invoice, outside any transaction, through billing's short-lived
    cache of them (``Peers.receipt_org``)."""
    with ctx.db.uow(readonly=True) as uow:
        invoices = InvoiceRepository(uow.session)
        invoice = invoices.get(org_id, invoice_id)
        if invoice is None:
            raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
        invoice_data = dump(schemas.InvoiceOut, invoices.as_dict(invoice))
        refunds = [refund_dict(r) for r in RefundRepository(uow.session).of_invoice(
            invoice.id)]
    org = ctx.peers.receipt_org(org_id)
    account = ctx.peers.receipt_account(org_id, invoice_data["account_id"])
    members = {m["id"]: " ".join(p for p in (m.get("first_name"), m.get("last_name")) if p)
               for m in account.get("members") or []}
    content = render_receipt(invoice_data, org, members, account.get("name"), refunds)
    receipt = {"filename": f"receipt-{invoice_data['number']}.pdf",
               "content_base64": base64.b64encode(content).decode("ascii"),
               "locale": org.get("locale") if org.get("locale") in ("fr", "en") else "fr"}
    if with_invoice:
        receipt["invoice"] = invoice_data
    return receipt
