"""Reading and writing billing's tables within a unit of work, and turning rows into the
contract's JSON-ready dicts.

Counters, balances and state changes are conditional updates in the caller's transaction
(``UPDATE … WHERE <condition>``, checked by ``rowcount``), so they hold with several
instances of billing running at once: on PostgreSQL the row lock makes the second writer
re-check the condition after the first commits; on SQLite write transactions are
serialised (``BEGIN IMMEDIATE``).
"""
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.common import db
from services.common.pagination import page, paginate
from services.common.types import new_id

from ..domain import cart as cart_rules
from ..domain.checkout import ACTIVE as ACTIVE_STATES
from ..domain.checkout import CheckoutRecord
from .leases import Leases
from .models import (Cart, CartItem, CatalogTaxMark, Checkout, CreditBalance, CreditEntry,
                     Invoice, InvoiceCounter, InvoiceLine, Payment, TestClock)


def iso(value):
    return value.isoformat() if value is not None else None


# -- dicts of the contract --------------------------------------------------------------------------
def item_dict(item: CartItem) -> dict:
    reference = dict(item.reference or {})
    return {"id": item.id, "type": item.type, "price": item.price,
            "description": item.description, "accounting_code": item.accounting_code,
            "member_id": item.member_id, "registration_id": item.registration_id,
            "hold_expires_at": iso(item.hold_expires_at),
            "activity_id": reference.get("activity_id"),
            "occurrence_id": reference.get("occurrence_id"), "reference": reference,
            "pay_with": item.pay_with}


def cart_dict(cart: Cart, items) -> dict:
    return {"id": cart.id, "account_id": cart.account_id, "status": cart.status,
            "items": [item_dict(i) for i in items], "total": cart_rules.total(items),
            "currency": cart.currency, "invoice_id": cart.invoice_id,
            "created_at": iso(cart.created_at),
            "walk_in": {"name": cart.walk_in_name} if cart.walk_in_name else None}


def line_dict(line: InvoiceLine) -> dict:
    return {"id": line.id, "position": line.position, "type": line.type,
            "description": line.description, "amount": line.amount,
            "accounting_code": line.accounting_code, "paid_with": line.paid_with,
            "payment_method": line.payment_method, "member_id": line.member_id,
            "registration_id": line.registration_id, "cart_item_id": line.cart_item_id,
            "reference": dict(line.reference or {}),
            # R7.2 (a line written before taxes existed: no taxes, net = amount)
            "net": line.amount if line.net is None else line.net,
            "taxes": [dict(t) for t in line.taxes or []],
            "total": (line.amount if line.net is None else line.net)
            + sum(t["amount"] for t in line.taxes or [])}


def payment_dict(payment: Payment) -> dict:
    return {"id": payment.id, "method": payment.method, "amount": payment.amount,
            "charge_id": payment.charge_id, "created_at": iso(payment.created_at)}


def invoice_dict(invoice: Invoice, lines, payments) -> dict:
    """The invoice with its lines (by position) and payments (by time, then id), in that
    order whether they were just written or read back."""
    lines = sorted(lines, key=lambda line: line.position)
    payments = sorted(payments, key=lambda payment: (payment.created_at, payment.id))
    return {"id": invoice.id, "number": invoice.number, "account_id": invoice.account_id,
            "status": invoice.status, "total": invoice.total, "currency": invoice.currency,
            # R7.2: an invoice written before taxes existed has subtotal = total, no taxes
            "subtotal": invoice.total if invoice.subtotal is None else invoice.subtotal,
            "taxes": [dict(t) for t in invoice.taxes or []],
            "lines": [line_dict(l) for l in lines],
            "payments": [payment_dict(p) for p in payments],
            "issued_at": iso(invoice.issued_at), "voided_at": iso(invoice.voided_at),
            "void_reason": invoice.void_reason, "cart_id": invoice.cart_id,
            "checkout_id": invoice.checkout_id}


def checkout_record(row: Checkout) -> CheckoutRecord:
    return CheckoutRecord(
        id=row.id, org_id=row.org_id, cart_id=row.cart_id, account_id=row.account_id,
        invoice_id=row.invoice_id, state=row.state, method=row.method, amount=row.amount,
        currency=row.currency, card_token=row.card_token, charge_id=row.charge_id,
        items=list(row.items or []), registrations=row.registrations, error=row.error,
        sales=row.sales)


# -- carts ------------------------------------------------------------------------------------------
# A shop booking's statements, built once with named parameters: building a SQLAlchemy
# statement cost about as much CPU as running it on SQLite (issue 14). The rest are built
# where they are used.
_CART = select(Cart).where(Cart.id == bindparam("cart_id"), Cart.org_id == bindparam("org_id"))
_CART_FOR = {False: _CART, True: _CART.with_for_update()}
_ITEMS = (select(CartItem).where(CartItem.cart_id == bindparam("cart_id"),
                                 CartItem.status == bindparam("item_status"))
          .order_by(CartItem.position))
_LAST_POSITION = select(func.max(CartItem.position)).where(
    CartItem.cart_id == bindparam("cart_id"))
_BEGIN_CHECKOUT = (update(Cart.__table__)
                   .where(Cart.id == bindparam("b_cart_id"), Cart.status == cart_rules.OPEN)
                   .values(status=cart_rules.CHECKING_OUT, checkout_id=bindparam("b_checkout_id"),
                           updated_at=bindparam("b_now")))
_CHECKOUT_BY_KEY = select(Checkout).where(Checkout.org_id == bindparam("org_id"),
                                          Checkout.cart_id == bindparam("cart_id"),
                                          Checkout.idempotency_key == bindparam("key"))
_COUNTERS = InvoiceCounter.__table__
_NEXT_NUMBER = (update(_COUNTERS).where(_COUNTERS.c.org_id == bindparam("b_org_id"))
                .values(last_number=_COUNTERS.c.last_number + 1)
                .returning(_COUNTERS.c.last_number))
_INVOICE = select(Invoice).where(Invoice.id == bindparam("invoice_id"),
                                 Invoice.org_id == bindparam("org_id"))
_INVOICE_FOR = {False: _INVOICE, True: _INVOICE.with_for_update()}
_LINES = (select(InvoiceLine).where(InvoiceLine.invoice_id.in_(bindparam("ids", expanding=True)))
          .order_by(InvoiceLine.invoice_id, InvoiceLine.position))
_PAYMENTS = (select(Payment).where(Payment.invoice_id.in_(bindparam("ids", expanding=True)))
             .order_by(Payment.invoice_id, Payment.created_at, Payment.id))


class CartRepository:
    def __init__(self, session):
        self.session = session

    def add(self, cart: Cart):
        self.session.add(cart)
        self.session.flush()

    def get(self, org_id, cart_id, for_update=False):
        return self.session.execute(_CART_FOR[bool(for_update)], {
            "cart_id": cart_id, "org_id": org_id}).scalar_one_or_none()

    def items(self, cart_id, status=cart_rules.ACTIVE):
        return list(self.session.execute(_ITEMS, {"cart_id": cart_id,
                                                  "item_status": status}).scalars())

    def item(self, cart_id, item_id):
        return self.session.execute(
            select(CartItem).where(CartItem.cart_id == cart_id, CartItem.id == item_id)
        ).scalar_one_or_none()

    def next_position(self, cart_id) -> int:
        highest = self.session.execute(_LAST_POSITION, {"cart_id": cart_id}).scalar()
        return 1 if highest is None else highest + 1

    def add_item(self, item: CartItem):
        self.session.add(item)
        self.session.flush()

    def pending_releases(self, limit=50):
        return list(self.session.execute(
            select(CartItem).where(CartItem.release_pending.is_(True))
            .order_by(CartItem.removed_at).limit(limit)).scalars())

    def release_done(self, item_id):
        """A removed item's seat is given back (or was no hold any more)."""
        self.session.get(CartItem, item_id).release_pending = False

    def begin_checkout(self, cart: Cart, checkout_id, now) -> bool:
        """Open → checking out, conditionally: only one checkout of a cart at a time."""
        done = self.session.execute(_BEGIN_CHECKOUT, {
            "b_cart_id": cart.id, "b_checkout_id": checkout_id, "b_now": now}).rowcount
        return done == 1

    def end_checkout(self, cart_id, checkout_id, status, now, invoice_id=None):
        values = {"status": status, "updated_at": now}
        if status == cart_rules.OPEN:
            values["checkout_id"] = None
        if invoice_id:
            values["invoice_id"] = invoice_id
        self.session.execute(
            update(Cart.__table__).where(Cart.id == cart_id, Cart.checkout_id == checkout_id)
            .values(**values))


# -- checkouts --------------------------------------------------------------------------------------
class CheckoutRepository:
    def __init__(self, session):
        self.session = session

    def add(self, checkout: Checkout):
        self.session.add(checkout)
        self.session.flush()

    def get(self, checkout_id):
        return self.session.get(Checkout, checkout_id)

    def by_key(self, org_id, cart_id, key):
        return self.session.execute(_CHECKOUT_BY_KEY, {
            "org_id": org_id, "cart_id": cart_id, "key": key}).scalar_one_or_none()

    def by_invoice(self, invoice_id):
        return self.session.execute(
            select(Checkout).where(Checkout.invoice_id == invoice_id)).scalar_one_or_none()

    def transition(self, checkout_id, owner, from_state, now, **values) -> bool:
        """Move a checkout on, only if ``owner`` still holds it in ``from_state`` (taking
        over a checkout changes its owner, so a process that lost it cannot move it)."""
        values.setdefault("updated_at", now)
        return Leases(self.session, Checkout).write(
            owner, Checkout.id == checkout_id, Checkout.state == from_state, **values)

    def claim(self, checkout_id, owner, now, lease_until) -> bool:
        """Take the lease of an unfinished checkout nobody holds (or whose holder died)."""
        return Leases(self.session, Checkout).take(
            owner, now, lease_until, Checkout.id == checkout_id,
            Checkout.state.in_(ACTIVE_STATES), updated_at=now) == 1

    def due(self, now, limit=20):
        """Unfinished checkouts nobody drives, whose next attempt is due."""
        return list(self.session.execute(
            select(Checkout.id).where(
                Checkout.state.in_(ACTIVE_STATES), Checkout.next_attempt_at <= now,
                Leases(self.session, Checkout).free(now))
            .order_by(Checkout.next_attempt_at).limit(limit)).scalars())


# -- invoices ---------------------------------------------------------------------------------------
class InvoiceRepository:
    def __init__(self, session):
        self.session = session

    def next_number(self, org_id) -> int:
        """The org's next invoice number, taken in the caller's transaction: the counter
        row stays locked until it commits (or rolls back, giving the number back)."""
        this_org = {"b_org_id": org_id}
        number = self.session.execute(_NEXT_NUMBER, this_org).scalar()
        if number is not None:
            return number
        try:
            with self.session.begin_nested():
                self.session.execute(insert(_COUNTERS).values(org_id=org_id, last_number=1))
            return 1
        except IntegrityError:  # another transaction created the org's counter meanwhile
            return self.session.execute(_NEXT_NUMBER, this_org).scalar_one()

    def add(self, invoice: Invoice, lines, payments):
        self.session.add_all([invoice, *lines, *payments])
        self.session.flush()  # the invoice first, then its lines and payments (foreign keys)

    def by_id(self, invoice_id):
        return self.session.get(Invoice, invoice_id)

    def get(self, org_id, invoice_id, for_update=False):
        return self.session.execute(_INVOICE_FOR[bool(for_update)], {
            "invoice_id": invoice_id, "org_id": org_id}).scalar_one_or_none()

    def lines(self, invoice_ids):
        result = {i: [] for i in invoice_ids}
        if invoice_ids:
            for line in self.session.execute(_LINES, {"ids": list(invoice_ids)}).scalars():
                result[line.invoice_id].append(line)
        return result

    def payments(self, invoice_ids):
        result = {i: [] for i in invoice_ids}
        if invoice_ids:
            for payment in self.session.execute(_PAYMENTS, {"ids": list(invoice_ids)}).scalars():
                result[payment.invoice_id].append(payment)
        return result

    def as_dict(self, invoice: Invoice) -> dict:
        return invoice_dict(invoice, self.lines([invoice.id])[invoice.id],
                            self.payments([invoice.id])[invoice.id])

    def list(self, org_id, account_id=None, limit=None, cursor=None):
        query = select(Invoice).where(Invoice.org_id == org_id)
        if account_id:
            query = query.where(Invoice.account_id == account_id)
        query = query.order_by(Invoice.number)
        query, limit, offset = paginate(query, limit, cursor)
        invoices, next_cursor = page(self.session.execute(query).scalars(), limit, offset)
        ids = [i.id for i in invoices]
        lines, payments = self.lines(ids), self.payments(ids)
        return [invoice_dict(i, lines[i.id], payments[i.id]) for i in invoices], next_cursor

    def line_of_registration(self, invoice_id, registration_id):
        return self.session.execute(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id,
                                      InvoiceLine.registration_id == registration_id)
        ).scalars().first()

    def void_pending(self, limit=20):
        return list(self.session.execute(
            select(Invoice).where(Invoice.void_requested_at.is_not(None),
                                  Invoice.status != "void")
            .order_by(Invoice.void_requested_at).limit(limit)).scalars())


# -- account credit ---------------------------------------------------------------------------------
class CreditLedger:
    """Entries and the balance row they add up to, always written together."""

    def __init__(self, session):
        self.session = session

    def balance(self, org_id, account_id) -> int:
        value = self.session.execute(
            select(CreditBalance.balance).where(CreditBalance.org_id == org_id,
                                                CreditBalance.account_id == account_id)
        ).scalar()
        return value or 0

    def entries(self, org_id, account_id):
        return list(self.session.execute(
            select(CreditEntry).where(CreditEntry.org_id == org_id,
                                      CreditEntry.account_id == account_id)
            .order_by(CreditEntry.created_at, CreditEntry.id)).scalars())

    def has_entry(self, org_id, reason, ref) -> bool:
        return self.session.execute(
            select(CreditEntry.id).where(CreditEntry.org_id == org_id,
                                         CreditEntry.reason == reason, CreditEntry.ref == ref)
        ).first() is not None

    def _entry(self, org_id, account_id, entry, now, details=None) -> bool:
        """Insert the entry unless its cause already wrote one (False then)."""
        try:
            with self.session.begin_nested():
                self.session.execute(insert(CreditEntry.__table__).values(
                    id=new_id("cre"), org_id=org_id, account_id=account_id,
                    amount=entry.amount, reason=entry.reason, ref=entry.ref,
                    details=details, created_at=now))
        except IntegrityError:
            return False
        return True

    def credit(self, org_id, account_id, entry, now, details=None):
        """Add a positive entry; returns the new balance, or None if the cause was
        already credited."""
        if self.has_entry(org_id, entry.reason, entry.ref):
            return None
        balances = CreditBalance.__table__
        bump = (update(balances).where(balances.c.org_id == org_id,
                                       balances.c.account_id == account_id)
                .values(balance=balances.c.balance + entry.amount, updated_at=now)
                .returning(balances.c.balance))
        balance = self.session.execute(bump).scalar()
        if balance is None:
            try:
                with self.session.begin_nested():
                    self.session.execute(insert(balances).values(
                        org_id=org_id, account_id=account_id, balance=entry.amount,
                        updated_at=now))
                balance = entry.amount
            except IntegrityError:
                balance = self.session.execute(bump).scalar_one()
        if not self._entry(org_id, account_id, entry, now, details):
            raise DuplicateCause()
        return balance

    def debit(self, org_id, account_id, entry, now, details=None):
        """Take a negative entry if the balance covers it: returns the new balance, or None
        when it does not (nothing written)."""
        balances = CreditBalance.__table__
        balance = self.session.execute(
            update(balances).where(balances.c.org_id == org_id,
                                   balances.c.account_id == account_id,
                                   balances.c.balance >= -entry.amount)
            .values(balance=balances.c.balance + entry.amount, updated_at=now)
            .returning(balances.c.balance)).scalar()
        if balance is None:
            return None
        if not self._entry(org_id, account_id, entry, now, details):
            raise DuplicateCause()
        return balance


class DuplicateCause(Exception):
    """The cause wrote its entry in a concurrent transaction: roll this one back."""


# -- the catalog's tax edits ------------------------------------------------------------------
_MARKS = CatalogTaxMark.__table__
_MARK = select(_MARKS.c.revision).where(_MARKS.c.org_id == bindparam("org_id"))


class TaxMarks:
    """Per org, how many of the catalog's edits that may change its tax rules billing has
    handled (issue 14): kept tax rules are good under the revision they were asked at."""

    def __init__(self, session):
        self.session = session

    def revision(self, org_id) -> int:
        return self.session.execute(_MARK, {"org_id": org_id}).scalar_one_or_none() or 0

    def bump(self, org_id, now):
        insert = db.insert_for(self.session.get_bind().dialect.name)
        statement = insert(_MARKS).values(org_id=org_id, revision=1, updated_at=now)
        self.session.execute(statement.on_conflict_do_update(
            index_elements=[_MARKS.c.org_id],
            set_={"revision": _MARKS.c.revision + 1, "updated_at": now}))


# -- test clocks ----------------------------------------------------------------------------------
class TestClocks:
    """Per-org business "now" (development and tests, ``CARNET_TEST_CLOCKS=1``)."""
    __test__ = False

    def __init__(self, session):
        self.session = session

    def get(self, org_id):
        row = self.session.get(TestClock, org_id)
        return row.now if row is not None else None

    def set(self, org_id, at, now):
        row = self.session.get(TestClock, org_id)
        if row is None:
            self.session.add(TestClock(org_id=org_id, now=at, updated_at=now))
        else:
            row.now, row.updated_at = at, now
        self.session.flush()

    def clear(self, org_id):
        row = self.session.get(TestClock, org_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()


def business_now(session, org_id, now, enabled):
    """The org's test clock when test clocks are enabled and it has one, else ``now``."""
    if enabled:
        at = TestClocks(session).get(org_id)
        if at is not None:
            return at
    return now
