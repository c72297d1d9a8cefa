"""What the org sells besides activities: pass types (R2.8, R2.9), bundle types (R2.11).
Services (R2.10), membership types (R2.12) and subscription plans (R2.13) have no rule
beyond their fields' contracts and the references they make.
"""
import copy

# -- pass types (R2.8, R2.9) ------------------------------------------------------------------

PASS_TERMS = ("name", "price", "uses", "valid_days", "expires_on", "family",
              "eligible_activity_ids", "credit_on_cancel", "accounting_code", "tax_codes")

DEFAULT_PASS_TERMS = {"uses": None, "valid_days": None, "expires_on": None, "family": False,
                      "eligible_activity_ids": [], "credit_on_cancel": True,
                      "accounting_code": None, "tax_codes": None}


def new_pass_terms(data) -> dict:
    terms = copy.deepcopy(DEFAULT_PASS_TERMS)
    terms.update(copy.deepcopy(data))
    return terms


def patch_pass_terms(current, patch) -> dict:
    """The next terms version: the current terms with the patch over them. Validity is one of
    ``valid_days`` or ``expires_on``: setting one clears the other."""
    terms = copy.deepcopy(current)
    terms.update(copy.deepcopy(patch))
    if patch.get("valid_days") is not None and "expires_on" not in patch:
        terms["expires_on"] = None
    if patch.get("expires_on") is not None and "valid_days" not in patch:
        terms["valid_days"] = None
    return terms


def pass_terms_errors(terms) -> dict:
    errors = {}
    if not terms.get("name"):
        errors["name"] = ["required"]
    if terms.get("price") is None:
        errors["price"] = ["required"]
    has_days = terms.get("valid_days") is not None
    has_date = terms.get("expires_on") is not None
    if has_days == has_date:
        message = ["exactly one of valid_days (days from purchase) or expires_on (a fixed "
                   "date)"]
        errors["valid_days"] = message
        errors["expires_on"] = message
    if len(set(terms.get("eligible_activity_ids") or [])) != len(
            terms.get("eligible_activity_ids") or []):
        errors["eligible_activity_ids"] = ["each activity once"]
    return errors


# -- bundle types (R2.11) ---------------------------------------------------------------------

def division_price(items, service_prices, override=None):
    """(price, overridden) of a division: the override when given, else the sum of its
    services' prices × counts. ``service_prices``: service_id -> price (minor units)."""
    if override is not None:
        return override, True
    return sum(service_prices[item["service_id"]] * item["count"] for item in items), False


def priced_divisions(divisions, service_prices):
    """Each division with its ``price`` and ``price_overridden`` (R2.11)."""
    result = []
    for division in divisions:
        items = [{"service_id": i["service_id"], "count": i["count"]} for i in division["items"]]
        price, overridden = division_price(items, service_prices, division.get("price"))
        result.append({"name": division["name"], "items": items, "price": price,
                       "price_overridden": overridden})
    return result


def divisions_errors(divisions) -> dict:
    """Division names are unique (a sale names its division); a division lists a service once."""
    errors = {}
    seen = set()
    for index, division in enumerate(divisions):
        name = division["name"].strip().casefold()
        if name in seen:
            errors.setdefault(index, {})["name"] = ["two divisions with the same name"]
        seen.add(name)
        services = [item["service_id"] for item in division["items"]]
        if len(set(services)) != len(services):
            errors.setdefault(index, {})["items"] = ["each service once per division "
                                                     "(use its count)"]
    return {"divisions": errors} if errors else {}


def bundle_service_ids(divisions):
    return sorted({item["service_id"] for d in divisions for item in d["items"]})
