"""Billing service entrypoints: carts, checkout (a saga coordinated here), invoices and
their void, account credit (R6.1, R6.2, R6.5, R3.5, R3.7). Contract: docs/contracts.md.

Entrypoints load their input, open units of work, call the domain and dump the result. The
checkout saga itself is ``domain/checkout.py``; its records ``adapters/checkout_store.py``.
No call to another service ever happens inside a database transaction.
"""
import base64
import hashlib
import logging
from pathlib import Path
from types import SimpleNamespace

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from services.common.clock import ensure_utc
from services.common.service import Clock
from services.common.errors import InvalidInput, NotFound, ServiceUnavailable
from services.common.errors import IdempotencyKeyReused
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import ServiceBase
from services.common.timeutil import parse_instant
from services.common.types import new_id
from services.common.uow import Database

# Registration's and the other services' errors must arrive here as themselves (sold_out …)
# so that they reach the gateway unchanged.
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.passes.contract import errors as _passes_errors  # noqa: F401
from services.registration.contract import errors as _registration_errors  # noqa: F401

from . import settings
from .contract import schemas
from .adapters.checkout_store import SqlCheckoutStore, fingerprint, new_checkout
from .adapters.models import Cart, CartItem, Refund, metadata
from .adapters.receipt import render_receipt
from .adapters.refunds import RefundRepository, ReportQueries, refund_dict
from .adapters.registration_client import RegistrationSeats, call_with_timeout
from .adapters.sales_client import CheckoutSales
from .adapters.repositories import (CartRepository, CheckoutRepository, CreditLedger,
                                    DuplicateCause, InvoiceRepository, TestClocks,
                                    business_now, cart_dict, checkout_record, item_dict)
from .adapters.sandbox_provider import provider_for
from .adapters.subscriptions import SubscriptionRepository, billing_run
from .fees import FeeEntrypoints
from .domain import cart as cart_rules
from .domain import credit as credit_rules
from .domain import invoice as invoice_rules
from .domain import refunds as refund_rules
from .domain import reports as report_rules
from .domain import subscriptions as sub_rules
from .domain import taxes as tax_rules
from .domain.checkout import (ACTIVE, COMPLETED, FAILED, CheckoutSaga, LeaseLost, Postponed,
                              StepRefused, StepUnavailable, initial_state, outcome_error)
from .domain.payment import ProviderUnavailable, ensure_method_allowed, plan_payment
from .contract.errors import (AppointmentNotPayable, CartItemNotFound, CartNotFound, CartNotOpen,
                         CartPassNotEligible, CheckoutPending, InsufficientCredit,
                         InvalidBillingInput, InvoiceNotFound, RefundPending,
                         RefundRefused, SubscriptionNotFound, TestClocksDisabled)
from .contract.errors import BillingRunInFuture

log = logging.getLogger(__name__)

_orgs = {}  # org id -> {currency, timezone} (neither changes once the org exists)


class RetryLater(Exception):
    """An event arrived before what it depends on was committed: requeue it."""


class BillingService(FeeEntrypoints, ServiceBase):
    name = "billing"
    db = Database("billing", metadata, Path(__file__).parent / "migrations")
    clock = Clock()
    registration = RpcProxy("registration")
    accounts = RpcProxy("accounts")
    catalog = RpcProxy("catalog")
    passes = RpcProxy("passes")

    # -- collaborators -------------------------------------------------------------------------
    def _seats(self):
        return RegistrationSeats(self.registration, settings.step_timeout())

    def _sales(self):
        return CheckoutSales(self.passes, self.registration, settings.step_timeout())

    def _provider(self):
        return provider_for(self.db.engine, settings.payment_provider(), self.clock.now)

    def _store(self):
        return SqlCheckoutStore(self.db, self.clock, settings.lease_seconds(),
                                settings.test_clocks_enabled())

    def _call(self, proxy, service, method, *args):
        return call_with_timeout(proxy, service, method, settings.step_timeout(), *args)

    def _org(self, org_id):
        if org_id not in _orgs:
            org = self._call(self.catalog, "catalog", "get_org", org_id)
            _orgs[org_id] = {"currency": org["currency"], "timezone": org["timezone"]}
        return _orgs[org_id]

    def _currency(self, org_id):
        return self._org(org_id)["currency"]

    def _business_now(self, org_id, session=None):
        """The org's test clock where there is one (development and tests), else now; read
        in ``session`` when the caller has one open."""
        now = self.clock.now()
        if not settings.test_clocks_enabled():
            return now
        if session is not None:
            return business_now(session, org_id, now, True)
        with self.db.uow(readonly=True) as uow:
            return business_now(uow.session, org_id, now, True)

    # -- carts ---------------------------------------------------------------------------------
    @rpc
    def create_cart(self, org_id, data):
        org_id = _id("org_id", org_id)
        data = load(schemas.CartCreate(), data)
        currency = self._currency(org_id)  # an unknown org is not_found
        walk_in = (data.get("walk_in") or {}).get("name")
        if walk_in:  # R8.3: no household; the cart's own id stands for the client
            data["account_id"] = new_id("walkin")
        else:
            try:
                self._call(self.accounts, "accounts", "get_account", org_id,
                           data["account_id"])
            except NotFound:
                raise InvalidBillingInput("the request is not valid", {
                    "account_id": ["no such account in this organisation"]})
        now = self.clock.now()
        cart = Cart(id=new_id("crt"), org_id=org_id, account_id=data["account_id"],
                    status=cart_rules.OPEN, currency=currency, created_at=now, updated_at=now,
                    walk_in_name=walk_in)
        with self.db.uow() as uow:
            CartRepository(uow.session).add(cart)
            result = cart_dict(cart, [])
            uow.commit()
        return dump(schemas.CartOut(), result)

    @rpc
    def get_cart(self, org_id, cart_id):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        with self.db.uow(readonly=True) as uow:
            repo = CartRepository(uow.session)
            cart = repo.get(org_id, cart_id)
            if cart is None:
                raise CartNotFound("no such cart", {"cart_id": cart_id})
            result = cart_dict(cart, repo.items(cart.id))
        return dump(schemas.CartOut(), result)

    @rpc
    def add_item(self, org_id, cart_id, data):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        data = load(schemas.CartItemCreate(), data)
        walk_in = self._walk_in_of(org_id, cart_id)
        if walk_in is not None:  # R8.3: a drop-in seat only, for the named walk-in client
            data = cart_rules.walk_in_item(data, walk_in[0])
        kind = cart_rules.check_item_request(data)
        pay_with = cart_rules.pay_with_of(data)
        with self.db.uow(readonly=True) as uow:
            repo = CartRepository(uow.session)
            cart = repo.get(org_id, cart_id)
            if cart is None:
                raise CartNotFound("no such cart", {"cart_id": cart_id})
            cart_rules.ensure_open(cart)
            item_id = new_id("itm")
            pass_type_id = None
            if pay_with and pay_with.get("cart_item_id"):  # R3.10
                pass_item = repo.item(cart.id, pay_with["cart_item_id"])
                cart_rules.check_pass_item_payment(pass_item, data["member_id"])
                pass_type_id = pass_item.reference["pass_type_id"]
            covered = kind.name == "a_la_carte" and not pay_with and bool(
                SubscriptionRepository(uow.session).active_of_member(org_id,
                                                                     data["member_id"]))
            account_id = cart.account_id
            cart = SimpleNamespace(id=cart.id, account_id=cart.account_id)
        subscription_id = self._covering_subscription(org_id, data) if covered else None
        hold_request = cart_rules.hold_request(kind, data, cart, item_id, subscription_id) \
            if kind.places_hold else None
        if walk_in is not None:
            hold_request["walk_in_name"] = walk_in[1]
        if not kind.places_hold:  # R6.3: sold at checkout, priced from the catalog now
            return self._add_sold_item(org_id, cart_id, item_id, kind, data, account_id)
        seats = self._seats()
        if pass_type_id:
            # R3.10: the seat only, price 0; checkout debits the pass once it is sold. A
            # pass type that does not cover the activity is refused now, not at checkout.
            eligible = self._call(self.catalog, "catalog", "get_pass_type", org_id,
                                  pass_type_id).get("eligible_activity_ids") or []
            activity_id = self._call(self.catalog, "catalog", "get_occurrence", org_id,
                                     data["occurrence_id"])["activity_id"]
            if activity_id not in eligible:
                raise CartPassNotEligible("this pass cannot be used for this activity",
                                          {"reason": "activity", "activity_id": activity_id,
                                           "pass_type_id": pass_type_id})
            hold = self._call(self.registration, "registration", "hold_for_cart_pass", org_id,
                              hold_request)
        else:
            hold = seats.hold(org_id, hold_request)
        # The hold exists now; if the cart cannot take the item, give the seat back. (If
        # this process dies right here, the hold simply expires, R3.1.)
        try:
            now = self.clock.now()
            with self.db.uow() as uow:
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
                seats.release(org_id, hold["id"])
            except (StepRefused, StepUnavailable):
                log.warning("could not release hold %s; it will expire", hold["id"])
            raise
        return dump(schemas.CartItemOut(), result)

    def _walk_in_of(self, org_id, cart_id):
        """(account id, name) of a walk-in client's cart (R8.3), else None."""
        with self.db.uow(readonly=True) as uow:
            cart = CartRepository(uow.session).get(org_id, cart_id)
            if cart is None or not cart.walk_in_name:
                return None
            return cart.account_id, cart.walk_in_name

    def _covering_subscription(self, org_id, data):
        """The member's active subscription whose plan includes the occurrence's activity
        (``domain/subscriptions.covers``): the seat is then paid with it, at 0."""
        occurrence = self._catalog_answer("get_occurrence", "occurrence_id", org_id,
                                          data["occurrence_id"])
        with self.db.uow(readonly=True) as uow:
            sub = SubscriptionRepository(uow.session).covering(
                org_id, data["member_id"], occurrence["activity_id"],
                parse_instant(occurrence["starts_at"]))
            return sub.id if sub is not None else None

    def _catalog_answer(self, method, field, org_id, object_id):
        """An object of the catalog named in the request: unknown is invalid input."""
        try:
            return self._call(self.catalog, "catalog", method, org_id, object_id)
        except NotFound:
            raise InvalidBillingInput("the request is not valid",
                                      {field: ["no such object in this organisation"]})

    def _priced(self, org_id, kind, data):
        """(price, description, accounting code, reference extras) of an item sold at
        checkout, from the catalog (R6.3)."""
        if kind.name == "pass":
            answer = self._catalog_answer("get_pass_type", "pass_type_id", org_id,
                                          data["pass_type_id"])
            return (answer["price"], answer["name"], answer.get("accounting_code"),
                    {"family": bool(answer.get("family"))})
        if kind.name == "bundle":
            answer = self._catalog_answer("get_bundle_type", "bundle_type_id", org_id,
                                          data["bundle_type_id"])
            wanted = data["division"].strip().casefold()
            for division in answer.get("divisions") or []:
                if division["name"].strip().casefold() == wanted:
                    return (division["price"], f"{answer['name']} ({division['name']})",
                            answer.get("accounting_code"), {"division": division["name"]})
            raise InvalidBillingInput("the request is not valid", {"division": [
                "one of: " + ", ".join(d["name"] for d in answer.get("divisions") or [])]})
        if kind.name == "subscription":
            answer = self._catalog_answer("get_subscription_plan", "plan_id", org_id,
                                          data["plan_id"])
            return (answer["monthly_price"], answer["name"], answer.get("accounting_code"),
                    {"activity_ids": list(answer.get("activity_ids") or []),
                     "timezone": self._org(org_id)["timezone"]})
        answer = self._catalog_answer("get_membership_type", "membership_type_id", org_id,
                                      data["membership_type_id"])
        return answer["price"], answer["name"], answer.get("accounting_code"), {}

    def _add_sold_item(self, org_id, cart_id, item_id, kind, data, account_id):
        price, description, accounting_code, extra = self._priced(org_id, kind, data)
        if data.get("member_id"):
            try:
                member = self._call(self.accounts, "accounts", "get_member", org_id,
                                    data["member_id"])
            except NotFound:
                member = None
            if member is None or member.get("account_id") != account_id:
                raise InvalidBillingInput("the request is not valid", {
                    "member_id": ["not a member of this cart's account"]})
        now = self.clock.now()
        with self.db.uow() as uow:
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
        return dump(schemas.CartItemOut(), result)

    @rpc
    def remove_item(self, org_id, cart_id, item_id):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        item_id = _id("item_id", item_id)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CartRepository(uow.session)
            cart = repo.get(org_id, cart_id, for_update=True)
            if cart is None:
                raise CartNotFound("no such cart", {"cart_id": cart_id})
            cart_rules.ensure_open(cart)
            item = repo.item(cart.id, item_id)
            if item is None or item.status != cart_rules.ACTIVE:
                raise CartItemNotFound("no such item in this cart", {"item_id": item_id})
            item.status = cart_rules.REMOVED
            item.removed_at = now
            item.release_pending = item.registration_id is not None
            result = item_dict(item)
            uow.commit()
        if item.registration_id:
            self._release(org_id, item.id, item.registration_id)
        return dump(schemas.CartItemOut(), result)

    def _release(self, org_id, item_id, registration_id):
        """Give a removed item's seat back; the recovery timer retries if registration does
        not answer (the hold would expire anyway)."""
        try:
            self._seats().release(org_id, registration_id)
        except StepUnavailable:
            log.warning("release of %s postponed: registration did not answer", registration_id)
            return False
        except StepRefused as refused:  # no longer a hold (expired, …): nothing to free
            log.info("release of %s: %s", registration_id, refused.error.get("code"))
        with self.db.uow() as uow:
            item = uow.session.get(CartItem, item_id)
            item.release_pending = False
            uow.commit()
        return True

    # -- checkout ------------------------------------------------------------------------------
    @rpc
    def checkout(self, org_id, cart_id, data, idempotency_key=None, caller_role=None):
        org_id, cart_id = _id("org_id", org_id), _id("cart_id", cart_id)
        data = load(schemas.CheckoutRequest(), data)
        return self._checkout(org_id, cart_id, data, idempotency_key, self._outcome,
                              caller_role)

    def _checkout(self, org_id, cart_id, data, idempotency_key, outcome, caller_role=None):
        if idempotency_key is not None and (not isinstance(idempotency_key, str)
                                            or not 0 < len(idempotency_key) <= 255):
            raise InvalidInput("the request is not valid",
                               {"idempotency_key": ["at most 255 characters"]})
        payment = data["payment"]
        fp = fingerprint(payment)
        rules = self._checkout_tax_rules(org_id, cart_id)  # R7.2, before any transaction
        store = self._store()
        owner = new_id("own")
        now = self.clock.now()
        with self.db.uow() as uow:
            carts, checkouts = CartRepository(uow.session), CheckoutRepository(uow.session)
            cart = carts.get(org_id, cart_id, for_update=True)
            if cart is None:
                raise CartNotFound("no such cart", {"cart_id": cart_id})
            existing = checkouts.by_key(org_id, cart_id, idempotency_key) \
                if idempotency_key else None
            if existing is not None:
                if existing.fingerprint != fp:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was used for a different checkout of this cart",
                        {"key": idempotency_key})
                existing_id = existing.id
            else:
                items = carts.items(cart.id)
                cart_rules.ensure_can_check_out(cart, items, payment["method"])
                taxed = self._taxed(items, rules)
                gross = sum(t["gross"] for t in taxed.values())
                # R6.7, before anything is held, debited or charged
                ensure_method_allowed(caller_role, payment["method"], gross)
                plan = plan_payment(gross, payment["method"], payment.get("card_token"))
                row = new_checkout(org_id, cart, items, plan, initial_state(plan),
                                   idempotency_key, fp, owner, now, store.lease, taxed)
                if not carts.begin_checkout(cart, row.id, now):  # pragma: no cover (locked)
                    raise CartNotOpen("the cart is being checked out", {"status": cart.status})
                checkouts.add(row)
                if plan.debits_credit:
                    ledger = CreditLedger(uow.session)
                    balance = ledger.debit(org_id, cart.account_id,
                                           credit_rules.debit(plan.amount, credit_rules.CHECKOUT,
                                                              row.id), now)
                    if balance is None:
                        raise InsufficientCredit(
                            "the account's credit does not cover the total",
                            {"balance": ledger.balance(org_id, cart.account_id),
                             "amount": plan.amount})
                    uow.emit("account_debited", {
                        "org_id": org_id, "account_id": cart.account_id,
                        "amount": plan.amount, "balance": balance,
                        "reason": credit_rules.CHECKOUT, "ref": row.id}, occurred_at=now)
                uow.commit()
                existing_id = None
        if existing_id is not None:
            return self._resume(store, existing_id, outcome)
        store.remember(row.id)
        return self._drive(store, checkout_record(row), owner, outcome)

    def _checkout_tax_rules(self, org_id, cart_id):
        """R7.2: the catalog's tax rules for the cart's priced items (one call; none when
        nothing has a price), asked before the checkout's transaction opens."""
        with self.db.uow(readonly=True) as uow:
            cart = CartRepository(uow.session).get(org_id, cart_id)
            items = cart_rules.snapshot(CartRepository(uow.session).items(cart.id)) \
                if cart is not None and cart.status == cart_rules.OPEN else []
        refs = tax_rules.refs_to_ask(items)
        if not refs:
            return None
        rules = self._call(self.catalog, "catalog", "tax_rules", org_id, refs)
        return dict(rules, asked={f"{r['type']}:{r['id']}" for r in refs})

    @staticmethod
    def _taxed(items, rules):
        try:
            return tax_rules.tax_items(cart_rules.snapshot(items), rules)
        except tax_rules.TaxRulesMissing:
            raise ServiceUnavailable("the cart changed while it was being checked out; "
                                     "retry", {"retry": True})

    def _tax_source(self, org_id, refs):
        """R7.2: catalog's tax rules (a renewal's plan taxes at renewal time)."""
        return self._call(self.catalog, "catalog", "tax_rules", org_id, refs)

    def _saga(self, store):
        return CheckoutSaga(store, self._provider(), self._seats(), self._sales())

    def _drive(self, store, record, owner, outcome=None):
        try:
            record = self._saga(store).drive(record, owner)
        except (Postponed, LeaseLost):
            raise CheckoutPending(
                "the checkout is still being completed; retry with the same "
                "Idempotency-Key to get its outcome", {"checkout_id": record.id})
        return (outcome or self._outcome)(record)

    def _resume(self, store, checkout_id, outcome=None):
        """A retried checkout (same Idempotency-Key): its outcome, driving it on first if it
        was interrupted and nobody else is driving it."""
        with self.db.uow(readonly=True) as uow:
            record = checkout_record(CheckoutRepository(uow.session).get(checkout_id))
        if record.state in ACTIVE:
            owner = new_id("own")
            claimed = store.claim(checkout_id, owner)
            if claimed is None:
                raise CheckoutPending(
                    "the checkout is still being completed; retry with the same "
                    "Idempotency-Key to get its outcome", {"checkout_id": checkout_id})
            return self._drive(store, claimed, owner, outcome)
        return (outcome or self._outcome)(record)

    def _outcome(self, record):
        if record.state != COMPLETED:
            raise outcome_error(record)
        with self.db.uow(readonly=True) as uow:
            invoices = InvoiceRepository(uow.session)
            invoice = invoices.get(record.org_id, record.invoice_id)
            invoice_data = invoices.as_dict(invoice)
        sales = record.sales or {}
        return dump(schemas.CheckoutResult(), {
            "checkout_id": record.id, "invoice": invoice_data,
            "registrations": record.registrations or [],
            "passes": sales.get("passes") or [], "bundles": sales.get("bundles") or [],
            "memberships": sales.get("memberships") or [],
            "subscriptions": sales.get("subscriptions") or []})

    # -- appointment checkout (R4.7) -----------------------------------------------------------
    @rpc
    def checkout_appointment(self, org_id, appointment_id, data, idempotency_key=None,
                             caller_role=None):
        """An appointment paid at the desk: an invoice with one line (the service price, or
        0.00 paid with the bundle that covers it: applied in the agenda, or ``bundle_id``
        now), paid like a cart (R6.2), then ``registration.complete_appointment`` with the
        invoice (the bundle's booked use becomes used). The same saga as a cart's checkout,
        on a cart of its own for the appointment, so a crash midway is finished by
        recovery (complete_appointment is idempotent for the invoice). A completed
        appointment answers its checkout again."""
        org_id = _id("org_id", org_id)
        appointment_id = _id("appointment_id", appointment_id)
        data = load(schemas.AppointmentCheckoutRequest(), data)
        cart_id = "apc_" + hashlib.sha256(f"{org_id}|{appointment_id}".encode()).hexdigest()[:32]
        outcome = self._appointment_outcome
        with self.db.uow(readonly=True) as uow:
            cart = CartRepository(uow.session).get(org_id, cart_id)
            if cart is not None and cart.status != cart_rules.OPEN:
                if idempotency_key is None or CheckoutRepository(uow.session).by_key(
                        org_id, cart_id, idempotency_key) is None:
                    return self._resume(self._store(), cart.checkout_id, outcome)
        appointment = self._call(self.registration, "registration", "get_appointment",
                                 org_id, appointment_id)
        if appointment["status"] != "booked" and (cart is None or
                                                  cart.status == cart_rules.OPEN):
            raise AppointmentNotPayable(f"this appointment is {appointment['status']}",
                                        {"status": appointment["status"],
                                         "invoice_id": appointment.get("invoice_id")})
        bundle_id = appointment.get("bundle_id") or data["bundle_id"]
        # R6.7 before the appointment's cart is written (checked again at its checkout)
        ensure_method_allowed(caller_role, data["payment"]["method"],
                              0 if bundle_id else int(appointment["price"]))
        currency = self._currency(org_id)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = CartRepository(uow.session)
            cart = repo.get(org_id, cart_id, for_update=True)
            if cart is None:
                cart = Cart(id=cart_id, org_id=org_id, account_id=appointment["account_id"],
                            status=cart_rules.OPEN, currency=currency, created_at=now,
                            updated_at=now)
                repo.add(cart)
            if cart.status == cart_rules.OPEN:
                for old in repo.items(cart.id):  # an earlier attempt (declined …)
                    old.status, old.removed_at = cart_rules.REMOVED, now
                repo.add_item(CartItem(
                    id=new_id("itm"), org_id=org_id, cart_id=cart.id,
                    position=repo.next_position(cart.id), type="appointment",
                    status=cart_rules.ACTIVE, member_id=appointment["member_id"],
                    price=0 if bundle_id else int(appointment["price"]),
                    description=(appointment.get("service_name") or "appointment")[:300],
                    accounting_code=appointment.get("accounting_code"), registration_id=None,
                    hold_expires_at=None,
                    reference={"appointment_id": appointment_id,
                               "service_id": appointment["service_id"],
                               "bundle_id": bundle_id, "starts_at": appointment["starts_at"]},
                    pay_with=None, release_pending=False, created_at=now))
            uow.commit()
        return self._checkout(org_id, cart_id, {"payment": data["payment"]}, idempotency_key,
                              outcome, caller_role)

    def _appointment_outcome(self, record):
        if record.state != COMPLETED:
            raise outcome_error(record)
        with self.db.uow(readonly=True) as uow:
            invoices = InvoiceRepository(uow.session)
            invoice_data = invoices.as_dict(invoices.get(record.org_id, record.invoice_id))
        appointment = (record.sales or {}).get("appointment")
        if appointment is None:
            (item,) = record.appointment_items
            appointment = self._call(self.registration, "registration", "get_appointment",
                                     record.org_id, item["reference"]["appointment_id"])
        return dump(schemas.AppointmentCheckoutResult(), {
            "checkout_id": record.id, "appointment": appointment, "invoice": invoice_data})

    # -- invoices ------------------------------------------------------------------------------
    @rpc
    def get_invoice(self, org_id, invoice_id):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        with self.db.uow(readonly=True) as uow:
            invoices = InvoiceRepository(uow.session)
            invoice = invoices.get(org_id, invoice_id)
            if invoice is None:
                raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
            result = invoices.as_dict(invoice)
        return dump(schemas.InvoiceOut(), result)

    @rpc
    def get_receipt_pdf(self, org_id, invoice_id):
        """R7.3: the invoice's receipt, a PDF in the org's language:
        ``{filename: "receipt-<number>.pdf", content_base64, locale: "fr" | "en"}``
        (adapters/receipt.py). Reads the org (catalog) and the account's names (accounts)
        first, outside any transaction."""
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        with self.db.uow(readonly=True) as uow:
            invoices = InvoiceRepository(uow.session)
            invoice = invoices.get(org_id, invoice_id)
            if invoice is None:
                raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
            invoice_data = dump(schemas.InvoiceOut(), invoices.as_dict(invoice))
            refunds = [refund_dict(r) for r in RefundRepository(uow.session).of_invoice(
                invoice.id)]
        org = self._call(self.catalog, "catalog", "get_org", org_id)
        try:
            account = self._call(self.accounts, "accounts", "get_account", org_id,
                                 invoice_data["account_id"])
        except NotFound:
            account = {}
        members = {m["id"]: " ".join(p for p in (m.get("first_name"), m.get("last_name")) if p)
                   for m in account.get("members") or []}
        content = render_receipt(invoice_data, org, members, account.get("name"), refunds)
        return {"filename": f"receipt-{invoice_data['number']}.pdf",
                "content_base64": base64.b64encode(content).decode("ascii"),
                "locale": org.get("locale") if org.get("locale") in ("fr", "en") else "fr"}

    @rpc
    def list_invoices(self, org_id, account_id=None, limit=None, cursor=None):
        org_id = _id("org_id", org_id)
        if account_id is not None:
            account_id = _id("account_id", account_id)
        query = load(schemas.InvoiceListQuery(), {"limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            items, next_cursor = InvoiceRepository(uow.session).list(
                org_id, account_id, query["limit"], query["cursor"])
        return dump(schemas.InvoicePage(), {"items": items, "next_cursor": next_cursor})

    @rpc
    def void_invoice(self, org_id, invoice_id, data):
        """R3.7, R6.5: cancel every registration the invoice paid for, then mark it void.
        Moves no money (see domain/invoice.py). Idempotent."""
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        data = load(schemas.VoidRequest(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            invoices = InvoiceRepository(uow.session)
            invoice = invoices.get(org_id, invoice_id, for_update=True)
            if invoice is None:
                raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
            if invoice_rules.void_is_done(invoice):
                return dump(schemas.InvoiceOut(), invoices.as_dict(invoice))
            if invoice.void_requested_at is None:
                # Written before registration is asked, so that the cancellations it
                # announces are known to be the void's (no credit for them).
                invoice.void_requested_at = now
                invoice.void_reason = data["reason"]
                uow.commit()
        return dump(schemas.InvoiceOut(), self._finish_void(org_id, invoice_id))

    def _finish_void(self, org_id, invoice_id):
        try:
            cancelled = self._seats().cancel_for_invoice(org_id, invoice_id)
        except StepUnavailable:
            raise ServiceUnavailable("registration did not answer; the void will be finished "
                                     "shortly (retry to see it)", {"invoice_id": invoice_id})
        except StepRefused as refused:
            with self.db.uow() as uow:
                invoice = InvoiceRepository(uow.session).get(org_id, invoice_id, for_update=True)
                invoice.void_requested_at = None
                uow.commit()
            raise InvalidBillingInput(refused.error.get("message"),
                                      refused.error.get("details"))
        try:  # R6.5: unused passes, bundles and memberships sold on it are revoked
            revoked = self._revoke_sales(org_id, invoice_id, cancelled)
        except StepUnavailable:
            raise ServiceUnavailable("passes did not answer; the void will be finished "
                                     "shortly (retry to see it)", {"invoice_id": invoice_id})
        except StepRefused as refused:  # pragma: no cover - it refuses nothing it is given
            log.error("revoke_for_invoice %s refused: %s", invoice_id, refused.error)
            revoked = {}
        now = self.clock.now()
        with self.db.uow() as uow:
            voided_at = self._business_now(org_id, uow.session)  # its date in reports (R6.6)
            invoices = InvoiceRepository(uow.session)
            invoice = invoices.get(org_id, invoice_id, for_update=True)
            if invoice.status != invoice_rules.VOID:
                invoice.status = invoice_rules.VOID
                invoice.voided_at = voided_at
                result = invoices.as_dict(invoice)
                # R6.5: a subscription sold on the invoice is undone with it (no renewals)
                for sub in SubscriptionRepository(uow.session).sold_on(org_id, invoice_id):
                    sub_rules.cancel_voided(sub, voided_at, now)
                    uow.emit("subscription_cancelled", {
                        "org_id": org_id, "subscription_id": sub.id,
                        "account_id": sub.account_id, "member_id": sub.member_id,
                        "reason": sub_rules.VOIDED, "invoice_id": invoice_id,
                        "ended_at": voided_at.isoformat()}, occurred_at=now)
                uow.emit("invoice_voided", dict(
                    result, org_id=org_id,
                    cancelled_registration_ids=[r["id"] for r in cancelled],
                    revoked=revoked.get("items") or [],
                    not_revoked=revoked.get("not_revoked") or []), occurred_at=now)
            else:
                result = invoices.as_dict(invoice)
            uow.commit()
        return result

    def _revoke_sales(self, org_id, invoice_id, cancelled):
        """``passes.revoke_for_invoice``. A pass sold on the invoice and used only by
        bookings the void has just cancelled (R3.10: bought and used in one cart) is unused
        once their uses are back: they are given back here first (registration's consumer
        of the cancellation would do it too, but later), then the pass is revoked."""
        sales = self._sales()
        revoked = sales.revoke_for_invoice(org_id, invoice_id)
        voided_uses = {}
        for registration in cancelled:
            paid_with = registration.get("paid_with") or {}
            if paid_with.get("type") == "pass" and paid_with.get("id"):
                voided_uses.setdefault(paid_with["id"], []).append(registration["id"])
        retry = False
        for kept in revoked.get("not_revoked") or []:
            if kept.get("type") == "pass" and kept.get("id") in voided_uses:
                for registration_id in voided_uses[kept["id"]]:
                    try:
                        sales.give_pass_use_back(org_id, kept["id"], registration_id,
                                                 "invoice voided")
                    except StepRefused:  # not debited by it: nothing to give back
                        continue
                retry = True
        return sales.revoke_for_invoice(org_id, invoice_id) if retry else revoked

    # -- subscriptions (R2.13, R6.3, R6.4) ---------------------------------------------------------
    @rpc
    def get_subscription(self, org_id, subscription_id):
        org_id = _id("org_id", org_id)
        subscription_id = _id("subscription_id", subscription_id)
        with self.db.uow(readonly=True) as uow:
            as_of = self._business_now(org_id, uow.session)
            repo = SubscriptionRepository(uow.session)
            sub = repo.get(org_id, subscription_id)
            if sub is None:
                raise SubscriptionNotFound("no such subscription",
                                           {"subscription_id": subscription_id})
            result = repo.as_dict(sub, as_of)
        return dump(schemas.SubscriptionOut(), result)

    @rpc
    def list_subscription_charges(self, org_id, subscription_id, limit=None, cursor=None):
        """A page of a subscription's charges, oldest first (R6.8: they are many after
        years)."""
        org_id = _id("org_id", org_id)
        subscription_id = _id("subscription_id", subscription_id)
        query = load(schemas.InvoiceListQuery(), {"limit": limit, "cursor": cursor})
        with self.db.uow(readonly=True) as uow:
            repo = SubscriptionRepository(uow.session)
            if repo.get(org_id, subscription_id) is None:
                raise SubscriptionNotFound("no such subscription",
                                           {"subscription_id": subscription_id})
            items, next_cursor = repo.charge_page(subscription_id, query["limit"],
                                                  query["cursor"])
        return dump(schemas.SubscriptionChargePage(), {"items": items,
                                                       "next_cursor": next_cursor})

    @rpc
    def list_subscriptions(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        with self.db.uow(readonly=True) as uow:
            items = SubscriptionRepository(uow.session).of_account(
                org_id, account_id, self._business_now(org_id, uow.session))
        return dump(schemas.SubscriptionList(), {"items": items})

    @rpc
    def cancel_subscription(self, org_id, subscription_id):
        """R6.3: the client withdraws from one month to the next: the subscription stays
        active until the end of the paid month, then ends without another charge.
        Idempotent; a subscription already cancelled is answered as it is."""
        org_id = _id("org_id", org_id)
        subscription_id = _id("subscription_id", subscription_id)
        now = self.clock.now()
        with self.db.uow() as uow:
            as_of = self._business_now(org_id, uow.session)
            repo = SubscriptionRepository(uow.session)
            sub = repo.get(org_id, subscription_id, for_update=True)
            if sub is None:
                raise SubscriptionNotFound("no such subscription",
                                           {"subscription_id": subscription_id})
            if sub_rules.withdraw(sub, as_of, now):
                uow.emit("subscription_withdrawn", {
                    "org_id": org_id, "subscription_id": sub.id,
                    "account_id": sub.account_id, "member_id": sub.member_id,
                    "ends_at": sub_rules.ends_at(sub).isoformat()}, occurred_at=now)
            result = repo.as_dict(sub, as_of)
            uow.commit()
        return dump(schemas.SubscriptionOut(), result)

    @rpc
    def run_billing(self, org_id, data=None, deadline=None):
        """``POST /billing-runs``: the billing worker's work for one org, as of ``as_of``
        (default: the org's now, its test clock if it has one), never after it (R6.8).
        ``deadline`` (epoch seconds): when the caller gives up; the run stops taking work
        then (``complete: false``)."""
        org_id = _id("org_id", org_id)
        data = load(schemas.BillingRunIn(), data or {})
        if deadline is not None and not isinstance(deadline, (int, float)):
            raise InvalidInput("the request is not valid", {"deadline": ["epoch seconds"]})
        self._org(org_id)  # an unknown org is not_found
        now = self._business_now(org_id)
        as_of = ensure_utc(data.get("as_of")) or now
        if as_of > now:
            raise BillingRunInFuture(
                "a billing run cannot bill after now" + (
                    " (the org's test clock)" if settings.test_clocks_enabled() else ""),
                {"as_of": as_of.isoformat(), "now": now.isoformat()})
        result = billing_run(self.db, self._provider(), self.clock.now,
                             tax_source=self._tax_source).run(as_of, org_id=org_id,
                                                              deadline=deadline)
        return dump(schemas.BillingRunOut(), dict(result.as_dict(), complete=result.complete,
                                                  as_of=as_of.isoformat()))

    # -- test clocks (development and tests only) --------------------------------------------------
    @rpc
    def set_test_clock(self, org_id, data):
        org_id = _id("org_id", org_id)
        if not settings.test_clocks_enabled():
            raise TestClocksDisabled("test clocks are disabled (CARNET_TEST_CLOCKS=1 enables "
                                     "them, in development and tests only)")
        data = load(schemas.TestClockIn(), data)
        self._org(org_id)
        with self.db.uow() as uow:
            TestClocks(uow.session).set(org_id, ensure_utc(data["now"]), self.clock.now())
            uow.commit()
        return dump(schemas.TestClockOut(), {"org_id": org_id,
                                             "now": ensure_utc(data["now"]).isoformat(),
                                             "frozen": True})

    @rpc
    def clear_test_clock(self, org_id):
        org_id = _id("org_id", org_id)
        if not settings.test_clocks_enabled():
            raise TestClocksDisabled("test clocks are disabled (CARNET_TEST_CLOCKS=1 enables "
                                     "them, in development and tests only)")
        with self.db.uow() as uow:
            TestClocks(uow.session).clear(org_id)
            uow.commit()
        return dump(schemas.TestClockOut(), {"org_id": org_id,
                                             "now": self.clock.now().isoformat(),
                                             "frozen": False})

    @rpc
    def get_test_clock(self, org_id):
        """``{org_id, now, frozen}``: the org's test clock (``frozen: true``), or real time
        (also when test clocks are disabled). Notifications asks before e-mailing."""
        org_id = _id("org_id", org_id)
        at = None
        if settings.test_clocks_enabled():
            with self.db.uow(readonly=True) as uow:
                at = TestClocks(uow.session).get(org_id)
        return {"org_id": org_id, "now": (at or self.clock.now()).isoformat(),
                "frozen": at is not None}

    # -- refunds (R6.5) --------------------------------------------------------------------------
    @rpc
    def refund_invoice(self, org_id, invoice_id, data, idempotency_key=None):
        """R6.5: give back ``amount`` of what was paid on the invoice, to the original
        payment or to the account's credit; never more than was paid minus what was
        already refunded (``refund_exceeds_paid``). A key names one refund of the invoice:
        asked again with it, the same refund is answered (and finished if it was left
        pending). See domain/refunds.py."""
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        data = load(schemas.RefundIn(), data)
        if idempotency_key is not None and (not isinstance(idempotency_key, str)
                                            or not 0 < len(idempotency_key) <= 255):
            raise InvalidInput("the request is not valid",
                               {"idempotency_key": ["at most 255 characters"]})
        fp = hashlib.sha256(repr((data["amount"], data["to"], data["reason"])).encode()
                            ).hexdigest()
        with self.db.uow() as uow:
            now = self._business_now(org_id, uow.session)
            invoices, refunds = InvoiceRepository(uow.session), RefundRepository(uow.session)
            # the invoice's row stays locked until the commit: concurrent refunds of one
            # invoice are checked one after the other
            invoice = invoices.get(org_id, invoice_id, for_update=True)
            if invoice is None:
                raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
            existing = refunds.by_key(invoice.id, idempotency_key) \
                if idempotency_key else None
            if existing is not None:
                if existing.fingerprint != fp:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was used for a different refund of this invoice",
                        {"key": idempotency_key})
                refund_id, pending = existing.id, True
            else:
                payments = [refund_rules.PaymentView(p.id, p.method, p.amount, p.charge_id)
                            for p in invoices.payments([invoice.id])[invoice.id]]
                refunded_before = refunds.refunded_by_payment(invoice.id)
                plan = refund_rules.plan_refund(data["amount"], data["to"], payments,
                                                refunded_before)
                row = Refund(
                    id=new_id("rfd"), org_id=org_id, invoice_id=invoice.id,
                    account_id=invoice.account_id, payment_id=plan.payment_id,
                    amount=plan.amount, currency=invoice.currency, destination=data["to"],
                    method=plan.method, reason=data["reason"], charge_id=plan.charge_id,
                    idempotency_key=idempotency_key, fingerprint=fp,
                    refunded_by=data["refunded_by"], created_at=now,
                    status=refund_rules.PENDING if plan.through_provider
                    else refund_rules.COMPLETED,
                    completed_at=None if plan.through_provider else now)
                if plan.through_provider:
                    row.provider_key = refund_rules.provider_key(row.id)
                # R7.2: the taxes it gives back, in proportion (none once voided: the
                # void reversed them)
                row.taxes = [] if invoice.void_requested_at is not None else \
                    tax_rules.refund_taxes(invoice.taxes or [], sum(p.amount for p in payments),
                                           sum(refunded_before.values()), plan.amount)
                refunds.add(row)
                if plan.credits_account:
                    self._credit_refund(uow, row, now)
                if not plan.through_provider:
                    uow.emit("invoice_refunded", dict(refund_dict(row), org_id=org_id),
                             occurred_at=now)
                refund_id, pending = row.id, plan.through_provider
                result = refund_dict(row)
            uow.commit()
        if pending:  # the provider is called outside any transaction
            return self._finish_refund(org_id, refund_id)
        return dump(schemas.RefundOut(), result)

    def _credit_refund(self, uow, row, now):
        balance = CreditLedger(uow.session).credit(
            row.org_id, row.account_id,
            credit_rules.credit(row.amount, refund_rules.CREDIT_REASON, row.id), now,
            details={"invoice_id": row.invoice_id})
        uow.emit("account_credited", {
            "org_id": row.org_id, "account_id": row.account_id, "amount": row.amount,
            "balance": balance, "reason": refund_rules.CREDIT_REASON, "ref": row.id,
            "invoice_id": row.invoice_id}, occurred_at=now)

    def _finish_refund(self, org_id, refund_id):
        """A refund as it stands, after asking the provider for a pending card refund
        (with the refund's own idempotency key: asking twice refunds once)."""
        with self.db.uow(readonly=True) as uow:
            row = RefundRepository(uow.session).get(org_id, refund_id)
            result = refund_dict(row)
            charge_id, provider_key = row.charge_id, row.provider_key
        if result["status"] == refund_rules.FAILED:
            raise RefundRefused("the payment provider refused this refund; nothing was "
                                "refunded", {"refund_id": refund_id})
        if result["status"] == refund_rules.COMPLETED:
            return dump(schemas.RefundOut(), result)
        try:
            provider_refund_id = self._provider().refund(
                charge_id=charge_id, amount=result["amount"], idempotency_key=provider_key)
        except ValueError as refused:  # the provider says no: the amount is free again
            with self.db.uow() as uow:
                RefundRepository(uow.session).fail(refund_id, {"message": str(refused)[:500]},
                                                   self.clock.now())
                uow.commit()
            return self._finish_refund(org_id, refund_id)
        except Exception as error:  # ProviderUnavailable, or no answer at all
            if not isinstance(error, ProviderUnavailable):
                log.warning("refund %s: provider error %r; left pending", refund_id, error)
            raise RefundPending("the refund is recorded but the payment provider did not "
                                "answer; it will be finished shortly (retry with the same "
                                "Idempotency-Key to see it)", {"refund_id": refund_id})
        with self.db.uow() as uow:
            now = self._business_now(org_id, uow.session)
            refunds = RefundRepository(uow.session)
            if refunds.complete(refund_id, provider_refund_id, now):
                row = refunds.get(org_id, refund_id)
                uow.emit("invoice_refunded", dict(refund_dict(row), org_id=org_id),
                         occurred_at=now)
            result = refund_dict(refunds.get(org_id, refund_id))
            uow.commit()
        return dump(schemas.RefundOut(), result)

    @rpc
    def list_refunds(self, org_id, invoice_id):
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        with self.db.uow(readonly=True) as uow:
            invoice = InvoiceRepository(uow.session).get(org_id, invoice_id)
            if invoice is None:
                raise InvoiceNotFound("no such invoice", {"invoice_id": invoice_id})
            items = [refund_dict(r) for r in RefundRepository(uow.session).of_invoice(
                invoice.id)]
        return dump(schemas.RefundList(), {"items": items})

    @timer(interval=settings.recovery_interval())
    def recover_refunds(self):
        """Finish card refunds left pending (the provider did not answer, or the process
        stopped between recording the refund and asking the provider)."""
        with self.db.uow(readonly=True) as uow:
            pending = RefundRepository(uow.session).pending()
        for org_id, refund_id in pending:
            try:
                self._finish_refund(org_id, refund_id)
            except (RefundPending, RefundRefused):
                continue
            except Exception:
                log.warning("refund %s not finished yet", refund_id, exc_info=True)

    # -- reports (R6.6) --------------------------------------------------------------------------
    def _report_range(self, org_id, query):
        query = load(schemas.ReportRange(), query)
        org = self._org(org_id)
        start, end = report_rules.period(query["from"], query["to"], org["timezone"])
        head = {"from": query["from"], "to": query["to"], "timezone": org["timezone"],
                "currency": org["currency"]}
        return start, end, org["timezone"], head

    def _sales_detail(self, org_id, query):
        start, end, tz, head = self._report_range(org_id, query)
        with self.db.uow(readonly=True) as uow:
            invoices = ReportQueries(uow.session).invoices(org_id, start, end)
        return report_rules.sales_detail(invoices, start, end, tz), head

    @rpc
    def sales_detail_report(self, org_id, query):
        """Every line of the invoices issued in ``[from, to)`` (org-local), and the void
        lines (negative) of those voided in it; see domain/reports.py."""
        org_id = _id("org_id", org_id)
        rows, head = self._sales_detail(org_id, query)
        return dump(schemas.SalesDetailReport(), dict(
            head, items=rows, total=sum(r["amount"] for r in rows)))

    @rpc
    def sales_summary_report(self, org_id, query):
        """The sales detail totalled per type and item; ``total`` is the detail's sum."""
        org_id = _id("org_id", org_id)
        rows, head = self._sales_detail(org_id, query)
        return dump(schemas.SalesSummaryReport(), dict(head,
                                                       **report_rules.sales_summary(rows)))

    @rpc
    def payments_by_accounting_code_report(self, org_id, query):
        """Payments (dated by their invoice) and completed refunds in ``[from, to)``,
        allocated to the accounting codes of the lines paid in money."""
        org_id = _id("org_id", org_id)
        start, end, _tz, head = self._report_range(org_id, query)
        with self.db.uow(readonly=True) as uow:
            reads = ReportQueries(uow.session)
            refunds = reads.refunds(org_id, start, end)
            invoices = reads.invoices(org_id, start, end,
                                      extra_ids={r["invoice_id"] for r in refunds})
        return dump(schemas.PaymentsByCodeReport(), dict(
            head, **report_rules.payments_by_accounting_code(invoices, refunds, start, end)))

    @rpc
    def tax_report(self, org_id, query):
        """R7.2: per tax code, taxes collected (invoices issued in ``[from, to)``),
        refunded (refunds, voids and cancellation credits in it) and net; see
        domain/reports.tax_report."""
        org_id = _id("org_id", org_id)
        start, end, _tz, head = self._report_range(org_id, query)
        org_taxes = self._call(self.catalog, "catalog", "get_org", org_id).get("taxes") or []
        with self.db.uow(readonly=True) as uow:
            reads = ReportQueries(uow.session)
            refunds, credits = reads.tax_givebacks(org_id, start, end)
            invoices = reads.invoices(org_id, start, end)
        return dump(schemas.TaxReport(), dict(
            head, **report_rules.tax_report(invoices, refunds, credits, start, end,
                                            org_taxes)))

    # -- account credit ------------------------------------------------------------------------
    @rpc
    def get_account_credit(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        with self.db.uow(readonly=True) as uow:
            ledger = CreditLedger(uow.session)
            result = {"account_id": account_id, "balance": ledger.balance(org_id, account_id),
                      "entries": [{"amount": e.amount, "reason": e.reason, "ref": e.ref,
                                   "created_at": e.created_at.isoformat()}
                                  for e in ledger.entries(org_id, account_id)]}
        return dump(schemas.CreditOut(), result)

    @event_handler("registration", "registration_cancelled", requeue_on_error=True)
    def on_registration_cancelled(self, payload):
        """R3.5: money of a cancelled registration goes to the account's credit, once."""
        data = (payload or {}).get("data") or {}
        amount = data.get("refund_to_credit")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return
        account_id = data.get("account_id")
        registration_id, invoice_id = data.get("id"), data.get("invoice_id")
        if not (account_id and registration_id):
            log.warning("registration_cancelled %s without account or id: ignored",
                        payload.get("event_id"))
            return
        now = self.clock.now()
        with self.db.uow() as uow:
            if not uow.claim_event(payload):
                return
            invoices = InvoiceRepository(uow.session)
            invoice = invoices.by_id(invoice_id) if invoice_id else None
            if invoice_id and invoice is None:
                checkout = CheckoutRepository(uow.session).by_invoice(invoice_id)
                if checkout is not None and checkout.state in ACTIVE:
                    raise RetryLater(f"checkout {checkout.id} of invoice {invoice_id} is "
                                     "still being completed")
            org_id = data.get("org_id") or (invoice.org_id if invoice else None)
            if org_id is None or (invoice is not None and invoice.org_id != org_id):
                log.warning("registration_cancelled %s: unknown org; ignored", registration_id)
                uow.commit()
                return
            line = invoices.line_of_registration(invoice.id, registration_id) if invoice else None
            credit = invoice_rules.credit_for_cancellation(invoice, line, amount)
            credit, credit_taxes = invoice_rules.credit_with_taxes(credit, line)  # R7.2
            if credit <= 0:
                log.info("registration_cancelled %s: no credit (invoice %s)",
                         registration_id, invoice_id)
                uow.commit()  # remember the event
                return
            ledger = CreditLedger(uow.session)
            try:
                balance = ledger.credit(org_id, account_id,
                                        credit_rules.credit(credit, credit_rules.CANCELLATION,
                                                            registration_id), now,
                                        details={"event_id": payload.get("event_id"),
                                                 "invoice_id": invoice_id,
                                                 **({"taxes": credit_taxes}
                                                    if credit_taxes else {})})
            except DuplicateCause:
                return
            if balance is not None:
                uow.emit("account_credited", {
                    "org_id": org_id, "account_id": account_id, "amount": credit,
                    "balance": balance, "reason": credit_rules.CANCELLATION,
                    "ref": registration_id, "invoice_id": invoice_id}, occurred_at=now)
            uow.commit()

    @event_handler("registration", "registration_confirmed")
    def on_registration_confirmed(self, payload):
        """A confirmation that arrives for a checkout already undone (a confirm that was
        still queued when its refusal came back) is cancelled again: no seat stays
        confirmed without an invoice."""
        data = (payload or {}).get("data") or {}
        invoice_id = data.get("invoice_id")
        if not invoice_id:
            return
        with self.db.uow(readonly=True) as uow:
            checkout = CheckoutRepository(uow.session).by_invoice(invoice_id)
            state = checkout.state if checkout is not None else None
            org_id = checkout.org_id if checkout is not None else None
        if state == FAILED:
            try:
                self._seats().cancel_for_invoice(org_id, invoice_id)
            except (StepRefused, StepUnavailable):
                log.warning("could not cancel late confirmation of %s", invoice_id)

    # -- recovery ------------------------------------------------------------------------------
    @timer(interval=settings.recovery_interval())
    def recover(self):
        """Resume (or undo) interrupted checkouts, retry releases and finish voids."""
        store = self._store()
        for checkout_id in store.due():
            owner = new_id("own")
            record = store.claim(checkout_id, owner)
            if record is None:
                continue
            try:
                self._saga(store).drive(record, owner)
            except Postponed:
                break  # a service is not answering: the others would wait for it too
            except LeaseLost:
                continue
            except Exception:
                log.exception("recovery of checkout %s failed; it will be retried",
                              checkout_id)
                store.postpone(record, owner, "recovery error")
        with self.db.uow(readonly=True) as uow:
            releases = [(i.org_id, i.id, i.registration_id)
                        for i in CartRepository(uow.session).pending_releases()]
            voids = [(i.org_id, i.id) for i in InvoiceRepository(uow.session).void_pending()]
        for org_id, item_id, registration_id in releases:
            self._release(org_id, item_id, registration_id)
        for org_id, invoice_id in voids:
            try:
                self._finish_void(org_id, invoice_id)
            except Exception:
                log.warning("void of %s not finished yet", invoice_id, exc_info=True)
