"""Carts (R6.1, R3.1, R3.10, R6.3, R8.3): an account's cart (or a walk-in client's), its
items (a seat held in registration, or an item priced now and sold at checkout), their
removal (the seat given back)."""
import logging
from types import SimpleNamespace

from services.common.errors import NotFound
from services.common.timeutil import parse_instant
from services.common.types import new_id

from ..adapters.models import Cart, CartItem
from ..adapters.repositories import CartRepository, cart_dict, item_dict
from ..adapters.subscriptions import SubscriptionRepository
from ..contract.errors import (CartItemNotFound, CartNotFound, CartPassNotEligible,
                               InvalidBillingInput)
from ..domain import cart as cart_rules
from ..domain.checkout import StepRefused, StepUnavailable
from .pricing import priced

log = logging.getLogger(__name__)


def create_cart(ctx, org_id, data):
    currency = ctx.peers.org(org_id)["currency"]  # an unknown org is not_found
    walk_in = (data.get("walk_in") or {}).get("name")
    if walk_in:  # R8.3: no household; the cart's own id stands for the client
        data["account_id"] = new_id("walkin")
    else:
        try:
            ctx.peers.ensure_account(org_id, data["account_id"])
        except NotFound:
            raise InvalidBillingInput("the request is not valid", {
                "account_id": ["no such account in this organisation"]})
    now = ctx.clock.now()
    cart = Cart(id=new_id("crt"), org_id=org_id, account_id=data["account_id"],
                status=cart_rules.OPEN, currency=currency, created_at=now, updated_at=now,
                walk_in_name=walk_in)
    with ctx.db.uow() as uow:
        CartRepository(uow.session).add(cart)
        result = cart_dict(cart, [])
        uow.commit()
    return result


def get_cart(ctx, org_id, cart_id):
    with ctx.db.uow(readonly=True) as uow:
        repo = CartRepository(uow.session)
        cart = repo.get(org_id, cart_id)
        if cart is None:
            raise CartNotFound("no such cart", {"cart_id": cart_id})
        return cart_dict(cart, repo.items(cart.id))


def _cart(repo, org_id, cart_id, caller, for_update=False):
    """The cart, if it exists and the caller may use it (``caller``: (role, account id),
    from the gateway; None for a service's own call)."""
    cart = repo.get(org_id, cart_id, for_update=for_update)
    if cart is None:
        raise CartNotFound("no such cart", {"cart_id": cart_id})
    cart_rules.ensure_caller_may_use(cart, *(caller or ()))
    return cart


def add_item(ctx, org_id, cart_id, data, caller=None):
    with ctx.db.uow(readonly=True) as uow:
        repo = CartRepository(uow.session)
        cart = _cart(repo, org_id, cart_id, caller)
        walk_in = (cart.account_id, cart.walk_in_name) if cart.walk_in_name else None
        if walk_in is not None:  # R8.3: a drop-in seat only, for the named walk-in client
            data = cart_rules.walk_in_item(data, walk_in[0])
        kind = cart_rules.check_item_request(data)
        pay_with = cart_rules.pay_with_of(data)
        cart_rules.ensure_open(cart)
        item_id = new_id("itm")
        pass_type_id = None
        if pay_with and pay_with.get("cart_item_id"):  # R3.10
            pass_item = repo.item(cart.id, pay_with["cart_item_id"])
            cart_rules.check_pass_item_payment(pass_item, data["member_id"])
            pass_type_id = pass_item.reference["pass_type_id"]
        covered = kind.name == "a_la_carte" and not pay_with and bool(
            SubscriptionRepository(uow.session).active_of_member(org_id, data["member_id"]))
        cart = SimpleNamespace(id=cart.id, account_id=cart.account_id)
    if not kind.places_hold:  # R6.3: sold at checkout, priced from the catalog now
        return _add_sold_item(ctx, org_id, cart_id, item_id, kind, data, cart.account_id)
    subscription_id = _covering_subscription(ctx, org_id, data) if covered else None
    hold_request = cart_rules.hold_request(kind, data, cart, item_id, subscription_id)
    if walk_in is not None:
        hold_request["walk_in_name"] = walk_in[1]
    if pass_type_id:
        hold = _hold_paid_with_cart_pass(ctx, org_id, pass_type_id, data, hold_request)
    else:  # refusals (sold_out …) reach the caller as themselves
        hold = ctx.peers.ask("registration", "hold", org_id, hold_request)
    # The hold exists now; if the cart cannot take the item, give the seat back. (If
    # this process dies right here, the hold simply expires, R3.1.)
    try:
        now = ctx.clock.now()
        with ctx.db.uow() as uow:
            repo = CartRepository(uow.session)
            cart = repo.get(org_id, cart_id, for_update=True)
            cart_rules.ensure_open(cart)
            item = CartItem(
                id=item_id, org_id=org_id, cart_id=cart.id,
                position=repo.next_position(cart.id), type=kind.name,
                status=cart_rules.ACTIVE, member_id=data.get("member_id"),
                price=int(hold["price"]), description=hold.get("description") or kind.name,
                accounting_code=hold.get("accounting_code"), registration_id=hold["id"],
                hold_expires_at=parse_instant(hold.get("hold_expires_at")),
                reference=cart_rules.reference_of(kind, data, hold),
                pay_with=pay_with or ({"type": cart_rules.PAY_SUBSCRIPTION,
                                       "subscription_id": subscription_id}
                                      if subscription_id else None),
                release_pending=False, created_at=now)
            repo.add_item(item)
            result = item_dict(item)
            uow.commit()
    except Exception:
        try:
            ctx.seats().release(org_id, hold["id"])
        except (StepRefused, StepUnavailable):
            log.warning("could not release hold %s; it will expire", hold["id"])
        raise
    return result


def _hold_paid_with_cart_pass(ctx, org_id, pass_type_id, data, hold_request):
    """R3.10: the seat only, price 0; checkout debits the pass once it is sold. A pass type
    that does not cover the activity is refused now, not at checkout."""
    eligible = ctx.peers.ask("catalog", "get_pass_type", org_id,
                             pass_type_id).get("eligible_activity_ids") or []
    activity_id = ctx.peers.ask("catalog", "get_occurrence", org_id,
                                data["occurrence_id"])["activity_id"]
    if activity_id not in eligible:
        raise CartPassNotEligible("this pass cannot be used for this activity",
                                  {"reason": "activity", "activity_id": activity_id,
                                   "pass_type_id": pass_type_id})
    return ctx.peers.ask("registration", "hold_for_cart_pass", org_id, hold_request)


def _covering_subscription(ctx, org_id, data):
    """The member's active subscription whose plan includes the occurrence's activity
    (``domain/subscriptions.covers``): the seat is then paid with it, at 0."""
    occurrence = ctx.peers.catalog_object("get_occurrence", "occurrence_id", org_id,
                                          data["occurrence_id"])
    with ctx.db.uow(readonly=True) as uow:
        sub = SubscriptionRepository(uow.session).covering(
            org_id, data["member_id"], occurrence["activity_id"],
            parse_instant(occurrence["starts_at"]))
        return sub.id if sub is not None else None


def _add_sold_item(ctx, org_id, cart_id, item_id, kind, data, account_id):
    price, description, accounting_code, extra = priced(ctx, org_id, kind, data)
    if data.get("member_id"):
        try:
            member = ctx.peers.ask("accounts", "get_member", org_id, data["member_id"])
        except NotFound:
            member = None
        if member is None or member.get("account_id") != account_id:
            raise InvalidBillingInput("the request is not valid", {
                "member_id": ["not a member of this cart's account"]})
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CartRepository(uow.session)
        cart = repo.get(org_id, cart_id, for_update=True)
        cart_rules.ensure_open(cart)
        item = CartItem(
            id=item_id, org_id=org_id, cart_id=cart.id,
            position=repo.next_position(cart.id), type=kind.name,
            status=cart_rules.ACTIVE, member_id=data.get("member_id"), price=int(price),
            description=description[:300], accounting_code=accounting_code,
            registration_id=None, hold_expires_at=None,
            reference=dict(cart_rules.reference_of(kind, data), **extra), pay_with=None,
            release_pending=False, created_at=now)
        repo.add_item(item)
        result = item_dict(item)
        uow.commit()
    return result


def remove_item(ctx, org_id, cart_id, item_id, caller=None):
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        repo = CartRepository(uow.session)
        cart = _cart(repo, org_id, cart_id, caller, for_update=True)
        cart_rules.ensure_open(cart)
        item = repo.item(cart.id, item_id)
        if item is None or item.status != cart_rules.ACTIVE:
            raise CartItemNotFound("no such item in this cart", {"item_id": item_id})
        item.status = cart_rules.REMOVED
        item.removed_at = now
        item.release_pending = item.registration_id is not None
        result = item_dict(item)
        registration_id = item.registration_id
        uow.commit()
    if registration_id:
        release(ctx, org_id, item_id, registration_id)
    return result


def release(ctx, org_id, item_id, registration_id):
    """Give a removed item's seat back; the recovery timer retries if registration does
    not answer (the hold would expire anyway)."""
    try:
        ctx.seats().release(org_id, registration_id)
    except StepUnavailable:
        log.warning("release of %s postponed: registration did not answer", registration_id)
        return False
    except StepRefused as refused:  # no longer a hold (expired, …): nothing to free
        log.info("release of %s: %s", registration_id, refused.error.get("code"))
    with ctx.db.uow() as uow:
        CartRepository(uow.session).release_done(item_id)
        uow.commit()
    return True


def pending_releases(ctx):
    with ctx.db.uow(readonly=True) as uow:
        return [(i.org_id, i.id, i.registration_id)
                for i in CartRepository(uow.session).pending_releases()]
