"""The receipt of an invoice as a PDF (R7.3), in the org's language (``fr`` or ``en``).

Drawn with fpdf2's core fonts (Helvetica, latin-1: every French accent is there; a
character outside latin-1 is printed as ``?``), so no font file is needed on the host.
What it shows: the org's name, address and tax registration numbers; the invoice number
and date (org-local); the customer; each line with the member it concerns, its amount and
its taxes; the subtotal, each tax and the total; the payments; the refunds (with the
taxes they gave back) and the void, when there are. Amounts are in major units with the
currency code (``47,01 EUR`` in French, ``47.01 CAD`` in English).
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from services.common.clock import ensure_utc
from services.common.money import to_major

TEXT = {
    "fr": {"receipt": "Reçu", "invoice": "Facture no", "date": "Date", "customer": "Client",
           "description": "Description", "member": "Membre", "amount": "Montant",
           "taxes": "Taxes", "subtotal": "Sous-total", "total": "Total",
           "payments": "Paiements", "refunds": "Remboursements", "void": "FACTURE ANNULÉE",
           "reason": "Motif", "registration": "No d'inscription", "paid_with": "Payé avec",
           "prices_include": "Prix taxes incluses", "to": "vers",
           "method": {"card": "carte", "cash": "comptant", "account_credit": "crédit au compte",
                      "none": "aucun"},
           "paid": {"pass": "carnet", "bundle": "forfait", "subscription": "abonnement"},
           "target": {"original": "paiement d'origine", "account_credit": "crédit au compte"}},
    "en": {"receipt": "Receipt", "invoice": "Invoice no.", "date": "Date",
           "customer": "Customer", "description": "Description", "member": "Member",
           "amount": "Amount", "taxes": "Taxes", "subtotal": "Subtotal", "total": "Total",
           "payments": "Payments", "refunds": "Refunds", "void": "INVOICE VOIDED",
           "reason": "Reason", "registration": "Registration no.", "paid_with": "Paid with",
           "prices_include": "Prices include taxes", "to": "to",
           "method": {"card": "card", "cash": "cash", "account_credit": "account credit",
                      "none": "none"},
           "paid": {"pass": "pass", "bundle": "bundle", "subscription": "subscription"},
           "target": {"original": "original payment", "account_credit": "account credit"}},
}


def _latin1(text) -> str:
    return str(text if text is not None else "").encode("latin-1", "replace").decode("latin-1")


def money(amount: int, currency: str, locale: str) -> str:
    """1234567, 'CAD', 'fr' → ``12 345,67 CAD``; 'en' → ``12,345.67 CAD``."""
    major = to_major(amount, currency or "XXX")
    negative = major.startswith("-")
    whole, _, cents = major.lstrip("-").partition(".")
    groups = f"{int(whole):,}"
    if locale == "fr":
        text = groups.replace(",", " ") + ("," + cents if cents else "")
    else:
        text = groups + ("." + cents if cents else "")
    return f"{'-' if negative else ''}{text} {currency or ''}".strip()


def local_time(value, tz_name: str) -> str:
    if not value:
        return ""
    at = ensure_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
    return at.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M")


def rate_label(rate, locale):
    if rate is None:
        return ""
    return f" ({rate.replace('.', ',') if locale == 'fr' else rate} %)"


class _Receipt(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.set_auto_page_break(True, margin=15)
        self.set_margins(15, 15, 15)

    def line_text(self, text, size=10, style="", align="L", height=5):
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, height, _latin1(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def row(self, cells, widths, style="", size=9):
        self.set_font("Helvetica", style, size)
        for text, width, align in zip(cells, widths, ("L", "L", "R", "L", "R")):
            self.cell(width, 6, self.fit(_latin1(text), width - 2), border="B", align=align)
        self.ln()

    def fit(self, text, width):
        """``text`` shortened with "..." to fit ``width`` (mm) in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "...") > width:
            text = text[:-1]
        return text + "..."


def render_receipt(invoice: dict, org: dict, members: dict, customer: str,
                   refunds=()) -> bytes:
    """The receipt's PDF bytes. ``invoice``: billing's Invoice dict; ``org``: catalog's Org
    (name, address, locale, timezone, currency, taxes); ``members``: member id → name;
    ``customer``: the account's name; ``refunds``: the invoice's refunds (dicts)."""
    locale = org.get("locale") if org.get("locale") in TEXT else "fr"
    t = TEXT[locale]
    tz = org.get("timezone") or "UTC"
    currency = invoice.get("currency") or org.get("currency")
    names = {tax["code"]: tax for tax in org.get("taxes") or []}

    def tax_name(code):
        return (names.get(code) or {}).get("name") or code

    pdf = _Receipt()
    pdf.set_title(_latin1(f"{t['receipt']} {invoice['number']}"))
    pdf.set_author(_latin1(org.get("name")))
    pdf.add_page()
    pdf.line_text(org.get("name"), size=16, style="B", height=8)
    for address_line in (org.get("address") or "").splitlines():
        pdf.line_text(address_line)
    for tax in org.get("taxes") or []:
        if tax.get("registration_number"):
            pdf.line_text(f"{tax['name']} ({tax['code']}): {tax['registration_number']}")
    pdf.ln(4)
    pdf.line_text(f"{t['receipt']} - {t['invoice']} {invoice['number']}", size=13, style="B",
                  height=7)
    pdf.line_text(f"{t['date']}: {local_time(invoice.get('issued_at'), tz)}")
    if customer:
        pdf.line_text(f"{t['customer']}: {customer}")
    if org.get("prices_include_tax") and invoice.get("taxes"):
        pdf.line_text(t["prices_include"], size=9)
    if invoice.get("status") == "void":
        pdf.ln(2)
        pdf.line_text(f"{t['void']} - {local_time(invoice.get('voided_at'), tz)}", size=11,
                      style="B")
        if invoice.get("void_reason"):
            pdf.line_text(f"{t['reason']}: {invoice['void_reason']}")
    pdf.ln(4)

    widths = (62, 38, 25, 32, 23)
    pdf.row((t["description"], t["member"], t["amount"], t["taxes"], t["total"]), widths,
            style="B")
    for line in invoice.get("lines") or []:
        taxes = line.get("taxes") or []
        paid = t["paid"].get(line.get("paid_with"))
        description = line["description"] + (f" ({t['paid_with']} {paid})" if paid else "")
        pdf.set_font("Helvetica", "", 9)
        if pdf.get_string_width(_latin1(description)) > widths[0] - 2:
            pdf.line_text(description, size=9)  # a long description on a line of its own
            description = ""
        first = f"{taxes[0]['code']} {money(taxes[0]['amount'], currency, locale)}" \
            if len(taxes) == 1 else ""
        pdf.row((description, members.get(line.get("member_id"), ""),
                 money(line["amount"], currency, locale), first,
                 money(line.get("total", line["amount"]), currency, locale)), widths)
        if len(taxes) > 1:  # one tax per row when a line has several
            for tax in taxes:
                pdf.row(("", "", "", f"{tax['code']} {money(tax['amount'], currency, locale)}",
                         ""), widths, size=8)
    pdf.ln(3)

    def total_row(label, amount, style=""):
        pdf.set_font("Helvetica", style, 10)
        pdf.cell(135, 6, _latin1(label), align="R")
        pdf.cell(45, 6, _latin1(money(amount, currency, locale)), align="R",
                 new_x="LMARGIN", new_y="NEXT")

    total_row(t["subtotal"], invoice.get("subtotal", invoice["total"]))
    for tax in invoice.get("taxes") or []:
        total_row(f"{tax_name(tax['code'])} ({tax['code']}){rate_label(tax.get('rate'), locale)}",
                  tax["amount"])
    total_row(t["total"], invoice["total"], style="B")

    if invoice.get("payments"):
        pdf.ln(3)
        pdf.line_text(t["payments"], size=11, style="B")
        for payment in invoice["payments"]:
            pdf.line_text(f"{local_time(payment.get('created_at'), tz)}  "
                          f"{t['method'].get(payment['method'], payment['method'])}  "
                          f"{money(payment['amount'], currency, locale)}")
    refunds = [r for r in refunds if r.get("status") == "completed"]
    if refunds:
        pdf.ln(3)
        pdf.line_text(t["refunds"], size=11, style="B")
        for refund in refunds:
            taxes = ", ".join(f"{tax['code']} {money(tax['amount'], currency, locale)}"
                              for tax in refund.get("taxes") or [] if tax["amount"])
            target = t["target"].get(refund.get("to"), refund.get("to"))
            pdf.line_text(f"{local_time(refund.get('completed_at') or refund.get('created_at'), tz)}"
                          f"  -{money(refund['amount'], currency, locale)} {t['to']} {target}"
                          + (f" ({t['taxes']}: {taxes})" if taxes else ""))
    return bytes(pdf.output())
