"""An org's tax settings and the tax codes of what it sells (R7.1); see docs/taxes.md.

Taxes: ``[{code, name, rate, registration_number}]``; ``rate`` is a percentage written as a
decimal string (``"9.975"``), at most 6 decimals, between 0 and 100, kept exactly as its
canonical text (``"9.9750"`` → ``"9.975"``). Codes are unique in the org (compared
without case). ``tax_codes`` on a sellable thing: None = all the org's taxes (the default,
which follows the org's taxes as they change), ``[]`` = exempt, else codes the org has
(checked when the thing is written; a code the org drops later simply stops applying).
"""
from decimal import Decimal, InvalidOperation

RATE_PLACES = 6
MAX_TAXES = 10


def canonical_rate(text) -> str:
    """The canonical text of a rate, or ValueError with the reason."""
    if not isinstance(text, str):
        raise ValueError('a decimal string in percent, e.g. "9.975" (not a number)')
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError('a decimal string in percent, e.g. "9.975"')
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise ValueError("a percentage between 0 and 100")
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise ValueError(f"at most {RATE_PLACES} decimals")
    return format(rate.normalize(), "f")


def normalise_taxes(taxes) -> tuple:
    """(taxes with canonical rates, field errors keyed by index)."""
    result, errors, seen = [], {}, set()
    for index, tax in enumerate(taxes or []):
        problems = {}
        try:
            rate = canonical_rate(tax.get("rate"))
        except ValueError as error:
            problems["rate"] = [str(error)]
            rate = None
        code = tax["code"].strip()
        if code.casefold() in seen:
            problems["code"] = ["two taxes with the same code"]
        seen.add(code.casefold())
        if problems:
            errors[index] = problems
            continue
        result.append({"code": code, "name": tax["name"].strip(), "rate": rate,
                       "registration_number": (tax.get("registration_number") or None)})
    if len(taxes or []) > MAX_TAXES:
        errors["_schema"] = [f"at most {MAX_TAXES} taxes"]
    return result, ({"taxes": errors} if errors else {})


def tax_code_errors(tax_codes, org_taxes) -> dict:
    """``{"tax_codes": [...]}`` when a code is not one of the org's taxes (or repeated)."""
    if tax_codes is None:
        return {}
    known = {t["code"] for t in org_taxes or []}
    unknown = [c for c in tax_codes if c not in known]
    if unknown:
        return {"tax_codes": [f"not a tax of this organisation: {', '.join(unknown)} "
                              f"(its taxes: {', '.join(sorted(known)) or 'none'})"]}
    if len(set(tax_codes)) != len(tax_codes):
        return {"tax_codes": ["each code once"]}
    return {}


def effective_codes(tax_codes, org_taxes) -> list:
    """The codes that apply to a thing now: all the org's by default, in the org's order."""
    if tax_codes is None:
        return [t["code"] for t in org_taxes or []]
    wanted = set(tax_codes)
    return [t["code"] for t in org_taxes or [] if t["code"] in wanted]
