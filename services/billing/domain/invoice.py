"""Invoices (R6.1, R6.5): one per completed checkout, a line per cart item, numbered per
org without gaps, and voided rather than deleted.

Numbering: the number is taken from the org's counter row in the transaction that inserts
the invoice (see the repository), so a checkout that fails or is declined never takes a
number, and two invoices never get the same one.

Void (R3.7, R6.5): voiding cancels every registration the invoice paid for (the seats are
free at once) and marks the invoice ``void``. It does **not** move money: the payments
stay recorded as they were, and giving money back is a refund, a separate act that says
where the money goes (original payment or account credit, R6.5). A voided invoice keeps
its number (no gap) and its lines, so the sales it reverses stay traceable.
"""
from .taxes import gross_of, invoice_totals

PAID = "paid"
VOID = "void"

MONEY = "money"
PASS = "pass"
BUNDLE = "bundle"
SUBSCRIPTION = "subscription"

_SOLD_ID = {"pass": "pass_id", "bundle": "bundle_id", "membership": "membership_id"}


def paid_with_of(item) -> str:
    """How a line was paid (R6.1): a pass (R3.4, R3.10), a subscription (R2.13), a bundle (an appointment covered
    by one, R4.6/R4.7, at 0.00), or money."""
    pay_with = item.get("pay_with") or {}
    if pay_with.get("type") == PASS:
        return PASS
    if pay_with.get("type") == SUBSCRIPTION:
        return SUBSCRIPTION
    if item["type"] == "appointment" and (item.get("reference") or {}).get("bundle_id"):
        return BUNDLE
    return MONEY


def lines_for(items, plan, sales=None) -> list:
    """The invoice lines of a checkout: one per item, in the cart's order, with how it was
    paid (money and the payment method, a pass or a bundle). A line of something sold at
    checkout (R6.3) names what was sold (``reference.pass_id`` …)."""
    sold = (sales or {}).get("by_item") or {}
    lines = []
    for position, item in enumerate(items, start=1):
        reference = dict(item.get("reference") or {})
        if item["id"] in sold:
            reference[_SOLD_ID[sold[item["id"]]["type"]]] = sold[item["id"]]["id"]
        pay_with = item.get("pay_with") or {}
        if pay_with.get("pass_id"):
            reference["pass_id"] = pay_with["pass_id"]
        if pay_with.get("subscription_id"):
            reference["subscription_id"] = pay_with["subscription_id"]
        paid_with = paid_with_of(item)
        lines.append({
            "position": position,
            "type": item["type"],
            "description": item["description"],
            "amount": item["price"],
            "accounting_code": item.get("accounting_code"),
            "paid_with": paid_with,
            "payment_method": plan.method if paid_with == MONEY else None,
            "member_id": item.get("member_id"),
            "cart_item_id": item["id"],
            "registration_id": item.get("registration_id"),
            "reference": reference,
            # R7.2: computed when the checkout was recorded (item ``net``/``taxes``)
            "net": item.get("net", item["price"]),
            "taxes": list(item.get("taxes") or []),
        })
    return lines


def total_of(lines) -> int:
    """What the lines cost the client: their amounts plus the taxes added on top (R7.2)."""
    return sum(gross_of(line) for line in lines)


def totals_of(lines) -> dict:
    """``{subtotal, taxes, total}`` of an invoice's lines (R7.2, domain/taxes.py)."""
    return invoice_totals(lines)


def payments_for(plan, charge_id=None) -> list:
    """What was paid: one payment for the money part (none when the total is 0)."""
    if plan.amount == 0:
        return []
    return [{"method": plan.method, "amount": plan.amount, "charge_id": charge_id}]


def void_is_done(invoice) -> bool:
    return invoice.status == VOID


def credit_for_cancellation(invoice, line, refund_to_credit: int) -> int:
    """Account credit for a cancelled registration (R3.5), given what billing knows:

    - a registration of a paid invoice: what registration says, never more than its line;
    - of a voided invoice (or one being voided): nothing; the void governs the money;
    - of an invoice billing never issued (a checkout that failed): nothing was kept.
    """
    if refund_to_credit <= 0 or invoice is None:
        return 0
    if invoice.status != PAID or invoice.void_requested_at is not None:
        return 0
    if line is None:
        return 0
    return min(refund_to_credit, line.amount)


def credit_with_taxes(credit: int, line) -> tuple:
    """R7.2: a cancellation credit of ``credit`` (of the line's amount, as registration
    says) gives back the taxes paid on that part too: ``(amount to credit, [{code,
    amount}] of taxes it reverses)``. With prices tax-included the taxes are inside the
    amount; tax-excluded, they are added to it."""
    from .taxes import proportional_taxes
    taxes = list(getattr(line, "taxes", None) or [])
    if credit <= 0 or not taxes:
        return credit, []
    part = proportional_taxes(taxes, credit, line.amount)
    net = line.net if line.net is not None else line.amount
    included = net + sum(t["amount"] for t in taxes) == line.amount
    return (credit if included else credit + sum(t["amount"] for t in part)), part
