"""R6.3: the price of an item sold at checkout (a pass, a bundle's division, a
subscription's month, a membership), from the catalog at the moment it is added."""
from ..contract.errors import InvalidBillingInput


def priced(ctx, org_id, kind, data):
    """(price, description, accounting code, reference extras) of an item sold at
    checkout."""
    ask = ctx.peers.catalog_object
    if kind.name == "pass":
        answer = ask("get_pass_type", "pass_type_id", org_id, data["pass_type_id"])
        return (answer["price"], answer["name"], answer.get("accounting_code"),
                {"family": bool(answer.get("family"))})
    if kind.name == "bundle":
        answer = ask("get_bundle_type", "bundle_type_id", org_id, data["bundle_type_id"])
        wanted = data["division"].strip().casefold()
        for division in answer.get("divisions") or []:
            if division["name"].strip().casefold() == wanted:
                return (division["price"], f"{answer['name']} ({division['name']})",
                        answer.get("accounting_code"), {"division": division["name"]})
        raise InvalidBillingInput("the request is not valid", {"division": [
            "one of: " + ", ".join(d["name"] for d in answer.get("divisions") or [])]})
    if kind.name == "subscription":
        answer = ask("get_subscription_plan", "plan_id", org_id, data["plan_id"])
        return (answer["monthly_price"], answer["name"], answer.get("accounting_code"),
                {"activity_ids": list(answer.get("activity_ids") or []),
                 "timezone": ctx.peers.org(org_id)["timezone"]})
    answer = ask("get_membership_type", "membership_type_id", org_id,
                 data["membership_type_id"])
    return answer["price"], answer["name"], answer.get("accounting_code"), {}
