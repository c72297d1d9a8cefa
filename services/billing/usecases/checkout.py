"""Checkout (R6.1, R6.2, R6.7, R7.2, R4.7): a cart (or an appointment at the desk) becomes
one paid invoice with its seats confirmed, or nothing happens. The saga is
``domain/checkout.py``; its records ``usecases/checkout_records.py``; this module starts
it, drives it, resumes it (a retry with the same Idempotency-Key, the recovery timer) and
answers its outcome. No call to another service ever happens inside a transaction."""
import hashlib
import logging

from services.common.errors import ServiceUnavailable
from services.common.types import new_id

from ..adapters.models import Cart, CartItem
from ..adapters.repositories import (CartRepository, CheckoutRepository, CreditLedger,
                                     InvoiceRepository, TaxMarks, checkout_record)
from ..contract import events
from ..contract.errors import (AppointmentNotPayable, CartNotFound, CartNotOpen,
                               CheckoutPending, InsufficientCredit)
from ..domain import cart as cart_rules
from ..domain import credit as credit_rules
from ..domain import idempotency
from ..domain import taxes as tax_rules
from ..domain.checkout import (ACTIVE, COMPLETED, FAILED, CheckoutSaga, LeaseLost, Postponed,
                               StepRefused, StepUnavailable, initial_state, outcome_error)
from ..domain.payment import ensure_method_allowed, plan_payment
from .checkout_records import new_checkout

log = logging.getLogger(__name__)


def checkout(ctx, org_id, cart_id, data, idempotency_key=None, caller_role=None,
             outcome=None, caller_account_id=None):
    """Check the cart out (or answer the checkout this key already made of it). The
    caller (role, account id) is the gateway's: a customer checks out their own carts only
    (R1.2), and pays by card or credit (R6.7)."""
    outcome = outcome or cart_outcome
    idempotency.check_key(idempotency_key)
    payment = data["payment"]
    fp = idempotency.checkout_fingerprint(payment)
    # R1.2 and R7.2, before any transaction
    rules = _tax_rules(ctx, org_id, cart_id, caller_role, caller_account_id)
    store = ctx.store()
    owner = new_id("own")
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        carts, checkouts = CartRepository(uow.session), CheckoutRepository(uow.session)
        cart = carts.get(org_id, cart_id, for_update=True)
        if cart is None:
            raise CartNotFound("no such cart", {"cart_id": cart_id})
        existing = checkouts.by_key(org_id, cart_id, idempotency_key) \
            if idempotency_key else None
        if existing is not None:
            idempotency.ensure_same_request(existing.fingerprint, fp, idempotency_key,
                                            "checkout of this cart")
            existing_id = existing.id
        else:
            items = carts.items(cart.id)
            cart_rules.ensure_can_check_out(cart, items, payment["method"])
            taxed = _taxed(items, rules)
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
                _debit_credit(uow, org_id, cart.account_id, plan.amount, row.id, now)
            uow.commit()
            existing_id = None
    if existing_id is not None:
        return resume(ctx, store, existing_id, outcome)
    store.remember(row.id)
    return _drive(ctx, store, checkout_record(row), owner, outcome)


def _debit_credit(uow, org_id, account_id, amount, checkout_id, now):
    ledger = CreditLedger(uow.session)
    balance = ledger.debit(org_id, account_id,
                           credit_rules.debit(amount, credit_rules.CHECKOUT, checkout_id), now)
    if balance is None:
        raise InsufficientCredit("the account's credit does not cover the total",
                                 {"balance": ledger.balance(org_id, account_id),
                                  "amount": amount})
    uow.emit(events.ACCOUNT_DEBITED, {
        "org_id": org_id, "account_id": account_id, "amount": amount, "balance": balance,
        "reason": credit_rules.CHECKOUT, "ref": checkout_id}, occurred_at=now)


def _tax_rules(ctx, org_id, cart_id, caller_role=None, caller_account_id=None):
    """R7.2: the catalog's tax rules for the cart's priced items (none when nothing has a
    price), known before the checkout's transaction opens; the caller's right to the cart
    (R1.2) is checked on the way (a cart's account never changes). Asked from the catalog
    once per org, set of priced objects and tax revision (``TaxMarks``: the catalog's edits
    whose events billing has handled), then kept by this process (issue 14)."""
    with ctx.db.uow(readonly=True) as uow:
        cart = CartRepository(uow.session).get(org_id, cart_id)
        if cart is not None:
            cart_rules.ensure_caller_may_use(cart, caller_role, caller_account_id)
        items = cart_rules.snapshot(CartRepository(uow.session).items(cart.id)) \
            if cart is not None and cart.status == cart_rules.OPEN else []
        refs = tax_rules.refs_to_ask(items)
        revision = TaxMarks(uow.session).revision(org_id) if refs else None
    if not refs:
        return None
    rules = ctx.peers.checkout_tax_rules(org_id, refs, revision)
    return dict(rules, asked={f"{r['type']}:{r['id']}" for r in refs})


def catalog_tax_edit(ctx, payload, org_field="org_id"):
    """An edit of the catalog that may change an org's tax rules (its taxes, or an object's
    ``tax_codes``) was made: the tax rules kept for that org are asked again at the next
    checkout. Once per event. ``org_field``: where the event's data names the org (``id``
    in ``org_updated``, whose data is the org)."""
    org_id = ((payload or {}).get("data") or {}).get(org_field)
    if not org_id:
        return
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        TaxMarks(uow.session).bump(org_id, ctx.clock.now())
        uow.commit()


def _taxed(items, rules):
    try:
        return tax_rules.tax_items(cart_rules.snapshot(items), rules)
    except tax_rules.TaxRulesMissing:
        raise ServiceUnavailable("the cart changed while it was being checked out; "
                                 "retry", {"retry": True})


def _saga(ctx, store):
    return CheckoutSaga(store, ctx.provider(), ctx.seats(), ctx.sales())


def _pending(checkout_id):
    return CheckoutPending("the checkout is still being completed; retry with the same "
                           "Idempotency-Key to get its outcome", {"checkout_id": checkout_id})


def _drive(ctx, store, record, owner, outcome):
    try:
        record = _saga(ctx, store).drive(record, owner)
    except (Postponed, LeaseLost):
        raise _pending(record.id)
    return outcome(ctx, record)


def resume(ctx, store, checkout_id, outcome):
    """A retried checkout (same Idempotency-Key): its outcome, driving it on first if it
    was interrupted and nobody else is driving it."""
    with ctx.db.uow(readonly=True) as uow:
        record = checkout_record(CheckoutRepository(uow.session).get(checkout_id))
    if record.state in ACTIVE:
        owner = new_id("own")
        claimed = store.claim(checkout_id, owner)
        if claimed is None:
            raise _pending(checkout_id)
        return _drive(ctx, store, claimed, owner, outcome)
    return outcome(ctx, record)


def _invoice_of(ctx, record):
    if record.state != COMPLETED:
        raise outcome_error(record)
    if record.invoice is not None:  # issued by this process just now
        return record.invoice
    with ctx.db.uow(readonly=True) as uow:
        invoices = InvoiceRepository(uow.session)
        return invoices.as_dict(invoices.get(record.org_id, record.invoice_id))


def cart_outcome(ctx, record):
    invoice = _invoice_of(ctx, record)
    sales = record.sales or {}
    return {"checkout_id": record.id, "invoice": invoice,
            "registrations": record.registrations or [],
            "passes": sales.get("passes") or [], "bundles": sales.get("bundles") or [],
            "memberships": sales.get("memberships") or [],
            "subscriptions": sales.get("subscriptions") or []}


# -- appointment checkout (R4.7) -----------------------------------------------------------
def appointment_cart_id(org_id, appointment_id):
    return "apc_" + hashlib.sha256(f"{org_id}|{appointment_id}".encode()).hexdigest()[:32]


def checkout_appointment(ctx, org_id, appointment_id, data, idempotency_key=None,
                         caller_role=None):
    """An appointment paid at the desk: an invoice with one line (the service price, or
    0.00 paid with the bundle that covers it: applied in the agenda, or ``bundle_id``
    now), paid like a cart (R6.2), then ``registration.complete_appointment`` with the
    invoice (the bundle's booked use becomes used). The same saga as a cart's checkout,
    on a cart of its own for the appointment, so a crash midway is finished by recovery
    (complete_appointment is idempotent for the invoice). A completed appointment
    answers its checkout again."""
    cart_id = appointment_cart_id(org_id, appointment_id)
    with ctx.db.uow(readonly=True) as uow:
        cart = CartRepository(uow.session).get(org_id, cart_id)
        if cart is not None and cart.status != cart_rules.OPEN:
            if idempotency_key is None or CheckoutRepository(uow.session).by_key(
                    org_id, cart_id, idempotency_key) is None:
                return resume(ctx, ctx.store(), cart.checkout_id, appointment_outcome)
    appointment = ctx.peers.ask("registration", "get_appointment", org_id, appointment_id)
    if appointment["status"] != "booked" and (cart is None or
                                              cart.status == cart_rules.OPEN):
        raise AppointmentNotPayable(f"this appointment is {appointment['status']}",
                                    {"status": appointment["status"],
                                     "invoice_id": appointment.get("invoice_id")})
    bundle_id = appointment.get("bundle_id") or data["bundle_id"]
    # R6.7 before the appointment's cart is written (checked again at its checkout)
    ensure_method_allowed(caller_role, data["payment"]["method"],
                          0 if bundle_id else int(appointment["price"]))
    currency = ctx.peers.org(org_id)["currency"]
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
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
    return checkout(ctx, org_id, cart_id, {"payment": data["payment"]}, idempotency_key,
                    caller_role, outcome=appointment_outcome)


def appointment_outcome(ctx, record):
    invoice = _invoice_of(ctx, record)
    appointment = (record.sales or {}).get("appointment")
    if appointment is None:
        (item,) = record.appointment_items
        appointment = ctx.peers.ask("registration", "get_appointment", record.org_id,
                                    item["reference"]["appointment_id"])
    return {"checkout_id": record.id, "appointment": appointment, "invoice": invoice}


# -- after the fact ------------------------------------------------------------------------
def cancel_late_confirmation(ctx, payload):
    """A confirmation that arrives for a checkout already undone (a confirm that was
    still queued when its refusal came back) is cancelled again: no seat stays confirmed
    without an invoice."""
    invoice_id = ((payload or {}).get("data") or {}).get("invoice_id")
    if not invoice_id:
        return
    with ctx.db.uow(readonly=True) as uow:
        record = CheckoutRepository(uow.session).by_invoice(invoice_id)
        state = record.state if record is not None else None
        org_id = record.org_id if record is not None else None
    if state == FAILED:
        try:
            ctx.seats().cancel_for_invoice(org_id, invoice_id)
        except (StepRefused, StepUnavailable):
            log.warning("could not cancel late confirmation of %s", invoice_id)


def recover_checkouts(ctx):
    """Resume (or undo) interrupted checkouts nobody drives."""
    store = ctx.store()
    for checkout_id in store.due():
        owner = new_id("own")
        record = store.claim(checkout_id, owner)
        if record is None:
            continue
        try:
            _saga(ctx, store).drive(record, owner)
        except Postponed:
            break  # a service is not answering: the others would wait for it too
        except LeaseLost:
            continue
        except Exception:
            log.exception("recovery of checkout %s failed; it will be retried", checkout_id)
            store.postpone(record, owner, "recovery error")
