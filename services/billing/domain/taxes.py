"""Taxes on what is sold (R7.1, R7.2): plain rules, no I/O (docs/taxes.md).

An org has zero or more taxes ``{code, name, rate, registration_number}`` where ``rate``
is a percentage written as a decimal string (``"9.975"``), and says whether its prices are
entered tax-excluded (North American style: taxes are added on top) or tax-included (VAT
style: the price already contains them). Each thing sold names the tax codes that apply to
it (catalog: ``tax_codes``; default all the org's taxes, ``[]`` exempt).

Rounding, decided once, **per line and per tax, half up** (to the currency's minor unit):

- tax-excluded: each tax of a line is ``round_half_up(amount × rate / 100)``; the line's
  net is its amount, its gross is net + its taxes;
- tax-included: the line's net is ``round_half_up(amount × 100 / (100 + Σ rates))``; the
  tax part ``amount − net`` is split between the line's taxes in proportion to their rates
  by largest remainder (the earlier tax first on a tie), so net + taxes = amount exactly;
- an invoice's ``subtotal`` is the sum of its lines' nets, its ``taxes`` the sum per code
  of its lines' taxes, and its ``total`` (what is charged) = subtotal + taxes = the sum of
  the lines' gross amounts. No cent is lost or invented.
- A line of amount 0 (paid with a pass, a bundle or a subscription: paid earlier) carries
  no tax. Taxes are never computed on other taxes (no compound tax).

Refunds reverse taxes in proportion, cumulatively (:func:`refund_taxes`): after refunds
adding up to ``R`` of an invoice whose gross is ``G``, the tax reversed per code is
``round_half_up(R × tax / G)``; each refund takes the difference from before it, so a full
refund (in any number of parts) reverses exactly the invoice's taxes.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from services.common.money import allocate

RATE_PLACES = 6          # "9.975" … up to millionths of a percent
MAX_RATE = Decimal(100)
SCALE = 10 ** RATE_PLACES


@dataclass(frozen=True)
class Tax:
    code: str
    rate: Decimal            # a percentage: Decimal("9.975")
    name: str = ""
    registration_number: str = None


def parse_rate(text) -> Decimal:
    """A rate as sent (a decimal string such as ``"9.975"``, a percentage) → Decimal, or
    ValueError. Floats are refused: a rate is exact."""
    if not isinstance(text, str):
        raise ValueError("a rate is a decimal string, e.g. \"9.975\" (percent)")
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("a rate is a decimal string, e.g. \"9.975\" (percent)")
    if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
        raise ValueError("a rate is a percentage between 0 and 100")
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise ValueError(f"a rate has at most {RATE_PLACES} decimals")
    return rate


def rate_text(rate: Decimal) -> str:
    """The canonical text of a rate: ``Decimal("9.9750")`` → ``"9.975"``, ``5`` → ``"5"``."""
    text = format(Decimal(rate).normalize(), "f")
    return text


def taxes_of(settings_taxes) -> list:
    """The org's taxes (dicts as the catalog gives them) as :class:`Tax` values."""
    return [Tax(code=t["code"], rate=parse_rate(t["rate"]), name=t.get("name") or t["code"],
                registration_number=t.get("registration_number"))
            for t in settings_taxes or []]


def applicable(org_taxes, tax_codes) -> list:
    """The org's taxes that apply to an item: ``tax_codes`` None means all of them; codes
    the org no longer has are ignored. In the org's order."""
    if tax_codes is None:
        return list(org_taxes)
    wanted = set(tax_codes)
    return [t for t in org_taxes if t.code in wanted]


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_taxes(amount: int, taxes, prices_include_tax: bool):
    """``(net, [{code, amount}])`` of a line of ``amount`` (minor units) under ``taxes``
    (the :class:`Tax` values that apply to it), by the rule above."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValueError("an amount is a non-negative integer in minor units")
    taxes = list(taxes)
    if amount == 0 or not taxes:
        return amount, []
    if not prices_include_tax:
        return amount, [{"code": t.code, "amount": _half_up(Decimal(amount) * t.rate / 100),
                         "rate": rate_text(t.rate)} for t in taxes]
    total_rate = sum((t.rate for t in taxes), Decimal(0))
    net = _half_up(Decimal(amount) * 100 / (100 + total_rate))
    shares = allocate(amount - net, [int(t.rate * SCALE) for t in taxes])
    return net, [{"code": t.code, "amount": share, "rate": rate_text(t.rate)}
                 for t, share in zip(taxes, shares)]


def tax_line(amount: int, taxes, prices_include_tax: bool) -> dict:
    """What an invoice line carries: ``{amount, net, taxes, gross}``; ``amount`` is the
    price as sold (tax-excluded or tax-included, as the org enters prices)."""
    net, parts = line_taxes(amount, taxes, prices_include_tax)
    return {"amount": amount, "net": net, "taxes": parts,
            "gross": net + sum(p["amount"] for p in parts)}


def sum_by_code(tax_lists, order=None) -> list:
    """``[{code, amount}]`` summed per code over lists of ``[{code, amount}]``, in
    ``order`` (codes) first, then in order of appearance."""
    totals, rates = {}, {}
    for code in order or ():
        totals.setdefault(code, None)
    for parts in tax_lists:
        for part in parts or ():
            totals[part["code"]] = (totals.get(part["code"]) or 0) + part["amount"]
            if part.get("rate") is not None:
                rates.setdefault(part["code"], part["rate"])
    return [dict({"code": code, "amount": amount},
                 **({"rate": rates[code]} if code in rates else {}))
            for code, amount in totals.items() if amount is not None]


def invoice_totals(lines) -> dict:
    """``{subtotal, taxes, total}`` of lines carrying ``net`` (default ``amount``),
    ``taxes`` and ``gross`` (default net + taxes)."""
    subtotal = sum(line.get("net", line["amount"]) for line in lines)
    taxes = sum_by_code(line.get("taxes") for line in lines)
    return {"subtotal": subtotal, "taxes": taxes,
            "total": subtotal + sum(t["amount"] for t in taxes)}


def gross_of(line: dict) -> int:
    """What the client paid for a line: net + taxes (the amount when it has no taxes)."""
    taxes = line.get("taxes") or []
    if not taxes:
        return line["amount"]
    return line.get("net", line["amount"]) + sum(t["amount"] for t in taxes)


def refund_taxes(invoice_taxes, gross: int, refunded_before: int, amount: int) -> list:
    """The taxes a refund of ``amount`` reverses, given the invoice's ``taxes``
    (``[{code, amount}]``), its ``gross`` (what was charged) and what earlier refunds
    already gave back (``refunded_before``): cumulative proportion, half up, so the
    refunds of a whole invoice reverse exactly its taxes."""
    if gross <= 0 or not invoice_taxes:
        return []
    before, after = refunded_before, min(refunded_before + amount, gross)

    def share(tax, upto):
        return _half_up(Decimal(upto) * tax / gross)

    return [{"code": t["code"],
             "amount": share(t["amount"], after) - share(t["amount"], before)}
            for t in invoice_taxes]


def proportional_taxes(line_taxes_list, part: int, whole: int) -> list:
    """A ``part`` of ``whole`` of a line's taxes (a credit for part of a line): half up per
    tax, never more than the tax."""
    if whole <= 0 or not line_taxes_list:
        return []
    return [{"code": t["code"],
             "amount": min(t["amount"], _half_up(Decimal(part) * t["amount"] / whole))}
            for t in line_taxes_list]


# -- what a cart item is, for the catalog's tax codes ------------------------------------------
_REF_OF_ITEM = {  # item type -> (catalog kind, reference key)
    "session": ("activity", "activity_id"), "a_la_carte": ("activity", "activity_id"),
    "pass": ("pass_type", "pass_type_id"), "bundle": ("bundle_type", "bundle_type_id"),
    "membership": ("membership_type", "membership_type_id"),
    "subscription": ("subscription_plan", "plan_id"), "appointment": ("service", "service_id"),
}


def catalog_ref(item_type: str, reference: dict):
    """``{type, id}`` of the catalog thing an item sells, or None."""
    kind = _REF_OF_ITEM.get(item_type)
    if kind is None or not (reference or {}).get(kind[1]):
        return None
    return {"type": kind[0], "id": reference[kind[1]]}


def refs_to_ask(items) -> list:
    """The catalog refs whose tax codes a checkout needs: those of items with a price
    (a line of 0, paid with a pass, a bundle or a subscription, has no tax)."""
    refs, seen = [], set()
    for item in items:
        ref = catalog_ref(item["type"], item.get("reference"))
        if item["price"] > 0 and ref is not None and (ref["type"], ref["id"]) not in seen:
            seen.add((ref["type"], ref["id"]))
            refs.append(ref)
    return refs


class TaxRulesMissing(Exception):
    """An item's tax codes were not asked for (the cart changed meanwhile)."""


def tax_items(items, rules) -> dict:
    """``{item id: {amount, net, taxes, gross}}`` of a checkout's items under the catalog's
    ``tax_rules`` answer (None: no taxes at all)."""
    if not rules or not rules.get("taxes"):
        return {item["id"]: tax_line(item["price"], [], False) for item in items}
    org_taxes = taxes_of(rules["taxes"])
    include = bool(rules.get("prices_include_tax"))
    result = {}
    for item in items:
        ref = catalog_ref(item["type"], item.get("reference"))
        if item["price"] == 0 or ref is None:
            result[item["id"]] = tax_line(item["price"], [], include)
            continue
        key = f"{ref['type']}:{ref['id']}"
        if key not in (rules.get("asked") or ()):
            raise TaxRulesMissing(key)
        codes = (rules.get("codes") or {}).get(key)  # unknown to the catalog: the default
        result[item["id"]] = tax_line(item["price"], applicable(org_taxes, codes), include)
    return result
