"""Carts and their items (R6.1): what may be added, what a hold is asked for, what the
cart costs, when it may be changed or checked out.

Every item type of API.md is named here. Each has an :class:`ItemKind` that says which
fields it needs and whether it places a seat hold with registration. Only the kinds with
``available=True`` are sold in this version; the others are refused with a clear
``validation_error`` until their issue lands (add the kind's fields and flip the flag,
plus what checkout must do for it).
"""
from dataclasses import dataclass, field

from ..exceptions import CartEmpty, CartNotOpen, InvalidBillingInput, ItemTypeNotAvailable

OPEN = "open"
CHECKING_OUT = "checking_out"
CHECKED_OUT = "checked_out"

ACTIVE = "active"
REMOVED = "removed"


@dataclass(frozen=True)
class ItemKind:
    name: str
    required: tuple            # fields the request must carry
    allowed: tuple = ()        # optional fields
    places_hold: bool = False  # a seat hold with registration (released on removal)
    hold_kind: str = None      # registration's ``kind``
    available: bool = False
    issue: str = ""            # where an unavailable kind will come from
    reference_fields: tuple = field(default=())


ITEM_KINDS = {
    "session": ItemKind("session", required=("member_id", "activity_id"),
                        places_hold=True, hold_kind="session", available=True,
                        reference_fields=("activity_id",)),
    "a_la_carte": ItemKind("a_la_carte", required=("member_id", "occurrence_id"),
                           allowed=("pay_with",), places_hold=True, hold_kind="a_la_carte",
                           available=True, reference_fields=("occurrence_id",)),
    "pass": ItemKind("pass", required=("pass_type_id",), allowed=("member_id",),
                     issue="passes", reference_fields=("pass_type_id",)),
    "bundle": ItemKind("bundle", required=("member_id", "bundle_type_id", "division"),
                       issue="bundles", reference_fields=("bundle_type_id", "division")),
    "membership": ItemKind("membership", required=("member_id", "membership_type_id"),
                           issue="memberships", reference_fields=("membership_type_id",)),
    "subscription": ItemKind("subscription", required=("member_id", "plan_id"),
                             issue="subscriptions", reference_fields=("plan_id",)),
}

ITEM_FIELDS = ("member_id", "activity_id", "occurrence_id", "pass_type_id", "bundle_type_id",
               "division", "membership_type_id", "plan_id", "pay_with")


def check_item_request(data: dict) -> ItemKind:
    """The item kind of a valid request, or ``validation_error`` naming the fields."""
    kind = ITEM_KINDS.get(data.get("type"))
    if kind is None:
        raise InvalidBillingInput("the request is not valid",
                                  {"type": [f"must be one of {', '.join(ITEM_KINDS)}"]})
    if not kind.available:
        raise ItemTypeNotAvailable(
            f"cart items of type '{kind.name}' cannot be sold yet",
            {"type": [f"'{kind.name}' items are not available yet; this version sells "
                      f"'session' and 'a_la_carte' items"]})
    problems = {}
    for name in kind.required:
        if data.get(name) in (None, ""):
            problems[name] = [f"is required for a '{kind.name}' item"]
    for name in ITEM_FIELDS:
        if name in kind.required or name in kind.allowed:
            continue
        if data.get(name) not in (None, ""):
            problems[name] = [f"does not apply to a '{kind.name}' item"]
    if problems:
        raise InvalidBillingInput("the request is not valid", problems)
    if data.get("pay_with"):
        # R3.4/R3.10: paying an à la carte seat with a pass is the passes issue.
        raise ItemTypeNotAvailable(
            "paying with a pass is not available yet",
            {"pay_with": ["paying an item with a pass is not available yet; pay with "
                          "money at checkout"]})
    return kind


def hold_request(kind: ItemKind, data: dict, cart, item_id: str) -> dict:
    """The ``registration.hold`` data for an item (docs/contracts.md)."""
    request = {"kind": kind.hold_kind, "member_id": data["member_id"],
               "account_id": cart.account_id, "cart_id": cart.id, "cart_item_id": item_id}
    if kind.hold_kind == "session":
        request["activity_id"] = data["activity_id"]
    else:
        request["occurrence_id"] = data["occurrence_id"]
    return request


def reference_of(kind: ItemKind, data: dict, hold: dict = None) -> dict:
    """What the item sells, by id (kept on the item and on its invoice line)."""
    reference = {name: data[name] for name in kind.reference_fields if data.get(name)}
    if hold:
        for name in ("activity_id", "occurrence_id"):
            if hold.get(name):
                reference[name] = hold[name]
    return reference


def ensure_open(cart):
    if cart.status != OPEN:
        details = {"status": cart.status}
        if getattr(cart, "invoice_id", None):
            details["invoice_id"] = cart.invoice_id
        message = ("the cart was checked out" if cart.status == CHECKED_OUT
                   else "the cart is being checked out")
        raise CartNotOpen(message, details)


def total(items) -> int:
    return sum(item.price for item in items)


def ensure_can_check_out(cart, items):
    ensure_open(cart)
    if not items:
        raise CartEmpty("the cart has no items")


def snapshot(items) -> list:
    """The items as checkout saw them: what the invoice lines will say."""
    return [{"id": item.id, "type": item.type, "price": item.price,
             "description": item.description, "accounting_code": item.accounting_code,
             "member_id": item.member_id, "registration_id": item.registration_id,
             "reference": dict(item.reference or {})}
            for item in items]
