"""Carts and their items (R6.1): what may be added, what a hold is asked for, what the
cart costs, when it may be changed or checked out.

Every item type of docs/http-api.md is named here. Each has an :class:`ItemKind` that says which
fields it needs and whether it places a seat hold with registration. Only the kinds with
``available=True`` are sold in this version; the others are refused with a clear
``validation_error`` until their issue lands (add the kind's fields and flip the flag,
plus what checkout must do for it).

Subscriptions (R6.3) are billing's own sale: the checkout (paid by card, whose token the
subscription keeps for its monthly charges) creates them in the transaction that writes
the invoice. An à la carte item for an activity of a plan the member subscribes to is held
paid with the subscription (price 0, ``domain/subscriptions.covers``).

Passes, bundles and memberships (R6.3) hold nothing: their price comes from the catalog
when they are added, and they are sold (``passes.sell_*``) by the checkout, after payment
(``domain/checkout.py``). A bundle is sold to a named client only (R4.4,
``client_required``).

R3.10: an à la carte item may be paid with a pass bought in the same cart
(``pay_with: {cart_item_id}``): its seat is held at price 0 with the pass still to come,
and checkout debits the pass once it is sold. ``pay_with: {pass_id}`` (a pass the account
has) is registration's hold paid with a pass (R3.4), price 0 as well.
"""
from dataclasses import dataclass, field

from ..contract.errors import (BundleClientRequired, CartEmpty, CartNotOpen, InvalidBillingInput,
                          ItemTypeNotAvailable, NotYourCart, SubscriptionNeedsCard)

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
                     available=True, reference_fields=("pass_type_id",)),
    # member_id is checked apart: its absence is the business rule R4.4, not bad input
    "bundle": ItemKind("bundle", required=("bundle_type_id", "division"),
                       allowed=("member_id",), available=True,
                       reference_fields=("bundle_type_id", "division")),
    "membership": ItemKind("membership", required=("member_id", "membership_type_id"),
                           available=True, reference_fields=("membership_type_id",)),
    "subscription": ItemKind("subscription", required=("member_id", "plan_id"),
                             available=True, reference_fields=("plan_id",)),
}

from ..contract import vocabulary as _words  # noqa: E402
assert tuple(ITEM_KINDS) == _words.ITEM_KINDS, "the contract names every item kind"

SOLD_KINDS = ("pass", "bundle", "membership")  # sold by passes at checkout (R6.3)
PAY_PASS = "pass"
PAY_SUBSCRIPTION = "subscription"

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
                      + ", ".join(f"'{k.name}'" for k in ITEM_KINDS.values() if k.available)
                      + " items"]})
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
    if kind.name == "bundle" and not data.get("member_id"):
        raise BundleClientRequired("a bundle is sold to a named client: member_id is required",
                             {"member_id": ["required (R4.4)"]})
    pay_with = data.get("pay_with") or {}
    if pay_with and bool(pay_with.get("pass_id")) == bool(pay_with.get("cart_item_id")):
        raise InvalidBillingInput("the request is not valid", {"pay_with": [
            "give either pass_id (a pass of the account) or cart_item_id (a pass item of "
            "this cart)"]})
    return kind


def pay_with_of(data: dict):
    """What an item is paid with, as kept on the item (None: money at checkout)."""
    pay_with = data.get("pay_with") or {}
    if pay_with.get("pass_id"):
        return {"type": PAY_PASS, "pass_id": pay_with["pass_id"]}
    if pay_with.get("cart_item_id"):
        return {"type": PAY_PASS, "cart_item_id": pay_with["cart_item_id"]}
    return None


def check_pass_item_payment(pass_item, member_id):
    """R3.10: ``pay_with.cart_item_id`` must name an active pass item of the same cart whose
    pass may be used by this member (a family pass, or one for no one or this member)."""
    if pass_item is None or pass_item.status != ACTIVE or pass_item.type != "pass":
        raise InvalidBillingInput("the request is not valid", {"pay_with": {"cart_item_id": [
            "must be a pass item of this cart"]}})
    reference = pass_item.reference or {}
    if not reference.get("family") and pass_item.member_id not in (None, member_id):
        raise InvalidBillingInput("the request is not valid", {"pay_with": {"cart_item_id": [
            "this pass is for another member"]}})


def check_pass_items_present(items):
    """Before checkout: every item paid with a pass of the cart still has that pass item."""
    passes = {item.id for item in items if item.type == "pass"}
    for item in items:
        target = (item.pay_with or {}).get("cart_item_id")
        if target and target not in passes:
            raise InvalidBillingInput(
                "an item is paid with a pass that is no longer in the cart",
                {"items": {item.id: ["its pass item was removed; remove this item or add "
                                     "the pass again"]}})


def hold_request(kind: ItemKind, data: dict, cart, item_id: str,
                 subscription_id: str = None) -> dict:
    """The ``registration.hold`` data for an item (docs/contracts.md); paid with the
    member's subscription when ``subscription_id`` covers it."""
    request = {"kind": kind.hold_kind, "member_id": data["member_id"],
               "account_id": cart.account_id, "cart_id": cart.id, "cart_item_id": item_id}
    pay_with = pay_with_of(data)
    if pay_with and pay_with.get("pass_id"):
        request["pay_with"] = {"type": PAY_PASS, "pass_id": pay_with["pass_id"]}
    elif subscription_id:
        request["pay_with"] = {"type": PAY_SUBSCRIPTION, "subscription_id": subscription_id}
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


def ensure_caller_may_use(cart, caller_role=None, caller_account_id=None):
    """R1.2: a customer uses the carts of their own account only; staff any cart of their
    org (the gateway passes who calls; a call without a caller is a service's own)."""
    if caller_role == "customer" and caller_account_id != cart.account_id:
        raise NotYourCart("customers can only act on their own account")


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


def ensure_can_check_out(cart, items, method=None):
    ensure_open(cart)
    if not items:
        raise CartEmpty("the cart has no items")
    check_pass_items_present(items)
    if method is not None and method != "card" and any(i.type == "subscription"
                                                       for i in items):
        # R6.3/R6.4: its card is charged every month by the billing worker
        raise SubscriptionNeedsCard("a cart with a subscription is paid by card", {
            "payment": {"method": ["a subscription is paid by card: its monthly charges "
                                   "use the same card"]}})


def snapshot(items) -> list:
    """The items as checkout saw them: what the invoice lines will say."""
    return [{"id": item.id, "type": item.type, "price": item.price,
             "description": item.description, "accounting_code": item.accounting_code,
             "member_id": item.member_id, "registration_id": item.registration_id,
             "reference": dict(item.reference or {}), "pay_with": item.pay_with}
            for item in items]


def walk_in_item(data: dict, walk_in_id: str) -> dict:
    """R8.3: a walk-in client buys a drop-in seat (à la carte, paid on the spot) and nothing
    that needs an account: ``client_required`` for sessions, passes, bundles, memberships,
    subscriptions, and for paying with a pass. The seat is held for the walk-in's own id."""
    if data.get("type") != "a_la_carte" or data.get("pay_with"):
        raise BundleClientRequired(
            "a walk-in client buys a drop-in seat only; this needs a client account",
            {"type": data.get("type"), "reason": "walk_in"})
    return dict(data, member_id=walk_in_id)
