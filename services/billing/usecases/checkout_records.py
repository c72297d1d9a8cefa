"""The checkout saga's records in billing's database (the saga's :class:`CheckoutStore`
port, ``domain/checkout.py``).

Every method is one short transaction and never calls another service. State changes are
conditional on the caller still holding the checkout's lease, so a process that lost it
(it was too slow and recovery took over) cannot move the record any more.

:meth:`SqlCheckoutStore.complete` is the one transaction that makes the sale: the
checkout becomes ``completed``, the org's invoice counter moves, the invoice with its lines
and payment is inserted (keyed on the checkout: ``invoices.checkout_id`` is unique), the
cart is checked out, and the events are written to the outbox.
"""
import time
from dataclasses import replace
from datetime import timedelta

from services.common.types import new_id

from ..adapters.models import Checkout, Invoice, InvoiceLine, Payment
from ..adapters.repositories import (CartRepository, CheckoutRepository, CreditLedger,
                                     InvoiceRepository, business_now, checkout_record,
                                     invoice_dict, payment_dict)
from ..adapters.subscriptions import SubscriptionRepository
from ..contract import events
from ..domain import cart as cart_rules
from ..domain import credit as credit_rules
from ..domain import invoice as invoice_rules
from ..domain.checkout import (CHARGED, COMPENSATING, COMPLETED, DECLINED, FAILED, PENDING,
                               retry_delay_seconds)
from ..domain.leases import LeaseLost, worth_renewing
from ..domain.payment import PaymentPlan


def new_checkout(org_id, cart, items, plan, state, idempotency_key, fp, owner, now, lease,
                 taxed=None):
    snapshot = cart_rules.snapshot(items)
    for item in snapshot:  # R7.2: each item's net and taxes, as charged
        if taxed and item["id"] in taxed:
            item.update(net=taxed[item["id"]]["net"], taxes=taxed[item["id"]]["taxes"])
    return Checkout(
        id=new_id("chk"), org_id=org_id, cart_id=cart.id, account_id=cart.account_id,
        invoice_id=new_id("inv"), idempotency_key=idempotency_key, fingerprint=fp,
        state=state, method=plan.method, card_token=plan.card_token, amount=plan.amount,
        currency=cart.currency, items=snapshot, charge_id=None,
        registrations=None, error=None, lease_owner=owner, lease_until=now + lease,
        next_attempt_at=now + lease, attempts=0, created_at=now, updated_at=now)


class SqlCheckoutStore:
    def __init__(self, db, clock, lease_seconds, test_clocks=False):
        self.db = db
        self.test_clocks = test_clocks
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self._renewed = {}  # checkout id -> monotonic time our lease was last written

    def _now(self):
        return self.clock.now()

    def remember(self, checkout_id):
        self._renewed[checkout_id] = time.monotonic()

    def _move(self, uow, checkout, owner, from_state, now, **values):
        values.setdefault("lease_until", now + self.lease)
        if checkout.stored_state is not None and from_state == checkout.state:
            # the charge not written yet (mark_charged) is written with this move
            from_state = checkout.stored_state
            values.setdefault("state", checkout.state)
            values.setdefault("charge_id", checkout.charge_id)
        if not CheckoutRepository(uow.session).transition(checkout.id, owner, from_state, now,
                                                          **values):
            raise LeaseLost(checkout.id)

    def _reload(self, uow, checkout_id):
        return checkout_record(CheckoutRepository(uow.session).get(checkout_id))

    def renew(self, checkout, owner):
        if not worth_renewing(time.monotonic() - self._renewed.get(checkout.id, 0),
                              self.lease.total_seconds()):
            return checkout
        now = self._now()
        with self.db.uow() as uow:
            self._move(uow, checkout, owner, checkout.state, now)
            uow.commit()
        self.remember(checkout.id)
        return replace(checkout, stored_state=None)

    def mark_charged(self, checkout, owner, charge_id):
        """No transaction of its own (issue 14: one commit less per card checkout): the
        charge is written with the next move of this record (``_move``, ``postpone``). If
        this process dies first, the record is still ``pending`` and whoever resumes it
        charges again with the same key: the provider answers the same charge."""
        return replace(checkout, state=CHARGED, charge_id=charge_id, stored_state=PENDING)

    def mark_declined(self, checkout, owner, error):
        now = self._now()
        with self.db.uow() as uow:
            self._move(uow, checkout, owner, PENDING, now, state=DECLINED, error=error,
                       lease_owner=None, lease_until=None, finished_at=now)
            # R6.2: the holds stay; the cart is open again for another attempt.
            CartRepository(uow.session).end_checkout(checkout.cart_id, checkout.id,
                                                     cart_rules.OPEN, now)
            record = self._reload(uow, checkout.id)
            uow.commit()
        return record

    def start_compensation(self, checkout, owner, error):
        now = self._now()
        with self.db.uow() as uow:
            self._move(uow, checkout, owner, CHARGED, now, state=COMPENSATING, error=error)
            uow.commit()
        self.remember(checkout.id)
        return replace(checkout, state=COMPENSATING, error=error, stored_state=None)

    def mark_failed(self, checkout, owner):
        now = self._now()
        with self.db.uow() as uow:
            self._move(uow, checkout, owner, COMPENSATING, now, state=FAILED,
                       lease_owner=None, lease_until=None, finished_at=now)
            if checkout.method == "account_credit" and checkout.amount > 0:
                ledger = CreditLedger(uow.session)
                balance = ledger.credit(
                    checkout.org_id, checkout.account_id,
                    credit_rules.credit(checkout.amount, credit_rules.CHECKOUT_UNDONE,
                                        checkout.id), now)
                if balance is not None:
                    uow.emit(events.ACCOUNT_CREDITED, {
                        "org_id": checkout.org_id, "account_id": checkout.account_id,
                        "amount": checkout.amount, "balance": balance,
                        "reason": credit_rules.CHECKOUT_UNDONE, "ref": checkout.id},
                        occurred_at=now)
            CartRepository(uow.session).end_checkout(checkout.cart_id, checkout.id,
                                                     cart_rules.OPEN, now)
            record = self._reload(uow, checkout.id)
            uow.commit()
        return record

    def postpone(self, checkout, owner, problem):
        now = self._now()
        with self.db.uow() as uow:
            row = CheckoutRepository(uow.session).get(checkout.id)
            attempts = (row.attempts or 0) + 1
            if row.lease_owner == owner:
                if checkout.stored_state is not None and row.state == checkout.stored_state:
                    row.state, row.charge_id = checkout.state, checkout.charge_id
                row.lease_owner = None
                row.lease_until = None
                row.attempts = attempts
                row.next_attempt_at = now + timedelta(seconds=retry_delay_seconds(attempts))
                row.last_problem = str(problem)[:2000]
                row.updated_at = now
                uow.commit()

    def complete(self, checkout, owner, registrations, sales=None):
        now = self._now()
        plan = PaymentPlan(checkout.method, checkout.amount, checkout.card_token)
        lines = invoice_rules.lines_for(checkout.items, plan, sales)
        totals = invoice_rules.totals_of(lines)  # R7.2
        invoice = Invoice(
            id=checkout.invoice_id, org_id=checkout.org_id, account_id=checkout.account_id,
            cart_id=checkout.cart_id, checkout_id=checkout.id, status=invoice_rules.PAID,
            currency=checkout.currency, total=invoice_rules.total_of(lines), issued_at=now,
            subtotal=totals["subtotal"], taxes=totals["taxes"])
        line_rows = [InvoiceLine(id=new_id("inl"), org_id=checkout.org_id,
                                 invoice_id=invoice.id, **line) for line in lines]
        payment_rows = [Payment(id=new_id("pay"), org_id=checkout.org_id, invoice_id=invoice.id,
                                created_at=now, **payment)
                        for payment in invoice_rules.payments_for(plan, checkout.charge_id)]
        with self.db.uow() as uow:
            session = uow.session
            invoice.issued_at = business_now(session, checkout.org_id, now,
                                             self.test_clocks)
            sales = self._sell_subscriptions(uow, checkout, invoice, line_rows, sales, now)
            self._move(uow, checkout, owner, CHARGED, now, state=COMPLETED,
                       registrations=registrations, sales=sales, lease_owner=None,
                       lease_until=None, finished_at=now)
            CartRepository(session).end_checkout(checkout.cart_id, checkout.id,
                                                 cart_rules.CHECKED_OUT, now,
                                                 invoice_id=invoice.id)
            for payment in payment_rows:
                uow.emit(events.PAYMENT_RECEIVED, {
                    "org_id": checkout.org_id, "account_id": checkout.account_id,
                    "invoice_id": invoice.id, "payment": payment_dict(payment)},
                    occurred_at=now)
            uow.emit(events.CHECKOUT_COMPLETED, {
                "org_id": checkout.org_id, "checkout_id": checkout.id,
                "cart_id": checkout.cart_id, "account_id": checkout.account_id,
                "invoice_id": invoice.id, "total": invoice.total,
                "registration_ids": checkout.registration_ids}, occurred_at=now)
            # The number last: the org's counter row stays locked from here to the commit,
            # so the org's other checkouts wait only for these few statements.
            invoice.number = InvoiceRepository(session).next_number(checkout.org_id)
            InvoiceRepository(session).add(invoice, line_rows, payment_rows)
            # the checkout's answer too, without reading it back (issue 14)
            issued = invoice_dict(invoice, line_rows, payment_rows)
            uow.emit(events.INVOICE_ISSUED, dict(issued, org_id=checkout.org_id),
                     occurred_at=now)
            uow.commit()
        return replace(checkout, state=COMPLETED, registrations=registrations, sales=sales,
                       invoice=issued, stored_state=None)

    def _sell_subscriptions(self, uow, checkout, invoice, line_rows, sales, now):
        """R6.3: a subscription item becomes a subscription in the transaction that writes
        its invoice (billing's own sale: nothing external to call), its month 0 paid."""
        items = [i for i in checkout.items if i["type"] == "subscription"]
        if not items:
            return sales
        sales = dict(sales or {})
        sold = sales.setdefault("subscriptions", [])
        by_item = sales.setdefault("by_item", {})
        repo = SubscriptionRepository(uow.session)
        for item in items:
            sub = repo.sell(checkout.org_id, checkout.account_id, invoice.id, item,
                            checkout.card_token, checkout.currency, invoice.issued_at, now)
            by_item[item["id"]] = {"type": "subscription", "id": sub.id}
            for line in line_rows:
                if line.cart_item_id == item["id"]:
                    line.reference = dict(line.reference or {}, subscription_id=sub.id)
            sold.append(repo.as_dict(sub, invoice.issued_at))
            uow.emit(events.SUBSCRIPTION_STARTED, {
                "org_id": checkout.org_id, "subscription_id": sub.id,
                "account_id": checkout.account_id, "member_id": sub.member_id,
                "plan_id": sub.plan_id, "invoice_id": invoice.id,
                "started_on": sub.anchor_date,
                "current_period_end": sub.current_period_end.isoformat()}, occurred_at=now)
        return sales

    # -- starting and taking over ---------------------------------------------------------
    def claim(self, checkout_id, owner):
        """Take over an unfinished checkout nobody drives; the record, or None."""
        now = self._now()
        with self.db.uow() as uow:
            repo = CheckoutRepository(uow.session)
            if not repo.claim(checkout_id, owner, now, now + self.lease):
                return None
            record = self._reload(uow, checkout_id)
            uow.commit()
        self.remember(checkout_id)
        return record

    def due(self, limit=20):
        with self.db.uow(readonly=True) as uow:
            return CheckoutRepository(uow.session).due(self._now(), limit)
