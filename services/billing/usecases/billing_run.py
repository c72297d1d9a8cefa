"""The billing run (R6.4, R6.8): charge every subscription due, the billing worker's work
and ``POST /billing-runs``' (the same code).

A run takes due subscriptions in batches under a lease (``domain/leases.py``; on
PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so two workers take different batches; on
SQLite writers are serialised anyway), charges each through the payment provider outside
any transaction, and records the outcome in one transaction that is conditional on still
holding the lease and on the period not being paid yet. The invoice of a renewal carries
``(subscription_id, period)``, unique in the database: a period is invoiced once even if
two workers got this far. A worker killed midway leaves leases that lapse; whoever takes
the subscription next asks the provider again with the same idempotency key
(``domain/subscriptions.charge_key``) and records what it answers.
"""
import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from services.common.types import new_id

from ..adapters import settings
from ..adapters.models import Invoice, InvoiceLine, Payment
from ..adapters.repositories import InvoiceRepository, invoice_dict, iso, payment_dict
from ..adapters.subscriptions import SubscriptionRepository
from ..contract import events
from ..domain import invoice as invoice_rules
from ..domain import subscriptions as rules
from ..domain import taxes as tax_rules
from ..domain.leases import LeaseLost
from ..domain.payment import CardDeclined, ProviderUnavailable

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    charged: int = 0
    failed: int = 0
    skipped: int = 0
    complete: bool = True  # False: stopped at its deadline or at a subscription's cap

    def as_dict(self):
        return {"charged": self.charged, "failed": self.failed, "skipped": self.skipped}


@dataclass(frozen=True)
class Leased:
    """What a run needs of a subscription it holds the lease of."""
    id: str
    org_id: str
    account_id: str
    member_id: str
    plan_id: str
    description: str
    monthly_price: int
    currency: str
    accounting_code: str
    card_token: str
    status: str
    timezone: str
    anchor_date: str
    periods_paid: int
    next_charge_at: object
    cancel_at_period_end: bool
    current_period_end: object


class BillingRun:
    """Charge every subscription due as of ``as_of`` (R6.4): the billing worker's work.

    ``now`` is the real clock (leases); ``as_of`` the business instant the run bills up to
    (the real now for the worker, a test clock for ``POST /billing-runs``).

    A run is bounded (R6.8, issue 11): it handles at most ``max_periods`` periods of one
    subscription (a subscription further behind catches up over the next runs), and it
    stops taking work once ``deadline`` (``time.time()`` seconds) has passed, e.g. when
    the caller that asked for it has given up; either way its result says
    ``complete: False``."""

    def __init__(self, db, provider, now, lease_seconds=60, retry_days=(1, 3, 7),
                 batch=50, skip_test_clock_orgs=False, tax_source=None, max_periods=None):
        # R7.2: ``tax_source(org_id, refs)`` answers catalog's ``tax_rules`` (the plan's
        # taxes at renewal time); None: renewals carry no taxes
        self.tax_source = tax_source
        self._tax_answers = {}  # (org_id, plan_id) -> catalog's answer, once per run
        self.db = db
        self.provider = provider
        self.now = now
        self.lease = timedelta(seconds=lease_seconds)
        self.retry_days = tuple(retry_days)
        self.batch = batch
        self.skip_test_clock_orgs = skip_test_clock_orgs
        self.max_periods = max_periods

    def run(self, as_of, org_id=None, owner=None, max_batches=None, deadline=None):
        owner = owner or new_id("run")
        result = RunResult()
        batches = 0
        handled = {}  # subscription id -> periods handled by this run
        capped = set()

        def out_of_time():
            return deadline is not None and time.time() >= deadline

        while max_batches is None or batches < max_batches:
            if out_of_time():
                result.complete = False
                break
            leased = self._lease_batch(as_of, org_id, owner, capped)
            if not leased:
                break
            batches += 1
            for index, sub in enumerate(leased):
                if out_of_time():
                    result.complete = False
                    for rest in leased[index:]:
                        self._release(rest, owner)
                    break
                self._process(sub, as_of, owner, result)
                handled[sub.id] = handled.get(sub.id, 0) + 1
                if self.max_periods is not None and handled[sub.id] >= self.max_periods:
                    capped.add(sub.id)
            if not result.complete:
                break
        if capped and result.complete:
            # capped subscriptions may still be due: say so (the next run goes on)
            with self.db.uow(readonly=True) as uow:
                if SubscriptionRepository(uow.session).any_due(as_of, org_id, self.now(),
                                                               capped):
                    result.complete = False
        return result

    # -- leases -----------------------------------------------------------------------------
    def _lease_batch(self, as_of, org_id, owner, excluded=()):
        now = self.now()
        with self.db.uow() as uow:
            rows = SubscriptionRepository(uow.session).lease_due(
                as_of, org_id, owner, now, now + self.lease, self.batch, excluded,
                self.skip_test_clock_orgs)
            leased = [Leased(**{name: getattr(row, name)
                                for name in Leased.__dataclass_fields__}) for row in rows]
            uow.commit()
        return sorted(leased, key=lambda s: (s.next_charge_at, s.id))

    def _release(self, sub, owner):
        with self.db.uow() as uow:
            SubscriptionRepository(uow.session).release(sub.id, owner)
            uow.commit()

    # -- one subscription ---------------------------------------------------------------------
    def _process(self, sub, as_of, owner, result):
        due = rules.what_is_due(sub.status, sub.next_charge_at, sub.cancel_at_period_end,
                                sub.periods_paid, as_of)
        try:
            if due.action == "end":
                self._end(sub, owner)
                result.skipped += 1
            elif due.action == "charge":
                outcome = self._charge(sub, due.period, as_of, owner)
                if outcome == "charged":
                    result.charged += 1
                elif outcome == "declined":
                    result.failed += 1
                else:
                    result.skipped += 1
            else:
                self._release(sub, owner)
        except LeaseLost:
            result.skipped += 1
        except Exception:
            log.exception("billing subscription %s failed; it will be tried again", sub.id)
            self._release(sub, owner)
            result.skipped += 1

    def _end(self, sub, owner):
        now = self.now()
        with self.db.uow() as uow:
            row = SubscriptionRepository(uow.session).held(sub.id, owner, sub.periods_paid)
            row.status, row.cancel_reason = rules.CANCELLED, rules.WITHDRAWN
            row.cancelled_at = row.current_period_end
            row.next_charge_at = None
            row.lease_owner, row.lease_until, row.updated_at = None, None, now
            uow.emit(events.SUBSCRIPTION_CANCELLED, {
                "org_id": sub.org_id, "subscription_id": sub.id, "account_id": sub.account_id,
                "member_id": sub.member_id, "reason": rules.WITHDRAWN,
                "ended_at": iso(row.current_period_end)}, occurred_at=now)
            uow.commit()

    def _charge(self, sub, period, as_of, owner):
        anchor = date.fromisoformat(sub.anchor_date)
        due_at = rules.period_start(anchor, period, sub.timezone)
        with self.db.uow(readonly=True) as uow:
            # Still ours and still unpaid? (A run we outlived may have recorded it; asking
            # the provider then would be a second debit under a new key.)
            repo = SubscriptionRepository(uow.session)
            repo.held(sub.id, owner, period, for_update=False)
            existing = repo.charge_of(sub.id, period)
            if existing is not None and existing.status != rules.RETRYING:
                raise LeaseLost(sub.id)
            declined = existing.attempts if existing is not None else 0
        charge_id = None
        try:
            taxed = self._taxed(sub)
        except Exception:  # the catalog did not answer: try again later, nothing charged
            log.warning("tax rules unavailable for %s; tried again later", sub.id)
            self._release(sub, owner)
            return "postponed"
        if taxed["gross"] > 0:
            try:
                charge = self.provider.charge(
                    amount=taxed["gross"], currency=sub.currency,
                    card_token=sub.card_token,
                    idempotency_key=rules.charge_key(sub.id, period, declined),
                    description=f"subscription {sub.id} period {period}", off_session=True)
                charge_id = charge.id
            except CardDeclined as refusal:
                self._record_decline(sub, period, due_at, declined + 1, refusal.code, owner,
                                    as_of)
                return "declined"
            except ProviderUnavailable:
                log.warning("payment provider unavailable for %s; tried again later", sub.id)
                self._release(sub, owner)
                return "postponed"
        self._record_paid(sub, period, due_at, declined + 1, charge_id, as_of, owner, taxed)
        return "charged"

    def _taxed(self, sub):
        """R7.2: the renewal's line with the plan's taxes at renewal time (its codes and
        the org's rates now); the monthly price is as entered (tax-excluded or included)."""
        if self.tax_source is None or sub.monthly_price == 0:
            return tax_rules.tax_line(sub.monthly_price, [], False)
        ref = {"type": "subscription_plan", "id": sub.plan_id}
        key = (sub.org_id, sub.plan_id)
        if key not in self._tax_answers:  # one question per org and plan in a run
            self._tax_answers[key] = self.tax_source(sub.org_id, [ref])
        answer = self._tax_answers[key]
        rules_ = dict(answer, asked={f"subscription_plan:{sub.plan_id}"})
        item = {"id": "renewal", "type": "subscription", "price": sub.monthly_price,
                "reference": {"plan_id": sub.plan_id}}
        return tax_rules.tax_items([item], rules_)["renewal"]

    def _record_paid(self, sub, period, due_at, attempts, charge_id, as_of, owner,
                     taxed=None):
        now = self.now()
        taxed = taxed or tax_rules.tax_line(sub.monthly_price, [], False)
        anchor = date.fromisoformat(sub.anchor_date)
        next_start = rules.period_start(anchor, period + 1, sub.timezone)
        period_start = rules.period_start_date(anchor, period).isoformat()
        try:
            with self.db.uow() as uow:
                session = uow.session
                subs = SubscriptionRepository(session)
                row = subs.held(sub.id, owner, period)
                was_past_due = row.status == rules.PAST_DUE
                row.periods_paid = period + 1
                row.current_period_end = next_start
                row.next_charge_at = next_start
                row.status = rules.ACTIVE
                row.lease_owner, row.lease_until, row.updated_at = None, None, now
                invoices = InvoiceRepository(session)
                invoice = Invoice(
                    id=new_id("inv"), org_id=sub.org_id, account_id=sub.account_id,
                    cart_id=None, checkout_id=None, status=invoice_rules.PAID,
                    currency=sub.currency, total=taxed["gross"], issued_at=as_of,
                    subscription_id=sub.id, period=period, subtotal=taxed["net"],
                    taxes=taxed["taxes"])
                line = InvoiceLine(
                    id=new_id("inl"), org_id=sub.org_id, invoice_id=invoice.id, position=1,
                    type="subscription", description=f"{sub.description} ({period_start})"[:300],
                    amount=sub.monthly_price, accounting_code=sub.accounting_code,
                    paid_with=invoice_rules.MONEY,
                    payment_method="card" if sub.monthly_price > 0 else None,
                    member_id=sub.member_id, cart_item_id=None, registration_id=None,
                    reference={"subscription_id": sub.id, "plan_id": sub.plan_id,
                               "period": period, "period_start": period_start},
                    net=taxed["net"], taxes=taxed["taxes"])
                payments = [Payment(id=new_id("pay"), org_id=sub.org_id, invoice_id=invoice.id,
                                    method="card", amount=taxed["gross"],
                                    charge_id=charge_id, created_at=now)] \
                    if taxed["gross"] > 0 else []
                charge = subs.charge_row(sub, period, due_at, now)
                charge.status, charge.attempts = rules.PAID, attempts
                charge.invoice_id, charge.charge_id = invoice.id, charge_id
                charge.updated_at = now
                invoice.number = invoices.next_number(sub.org_id)
                invoices.add(invoice, [line], payments)
                for payment in payments:
                    uow.emit(events.PAYMENT_RECEIVED, {
                        "org_id": sub.org_id, "account_id": sub.account_id,
                        "invoice_id": invoice.id, "payment": payment_dict(payment)},
                        occurred_at=now)
                uow.emit(events.INVOICE_ISSUED, dict(invoice_dict(invoice, [line], payments),
                                                org_id=sub.org_id), occurred_at=now)
                uow.emit(events.SUBSCRIPTION_CHARGED, {
                    "org_id": sub.org_id, "subscription_id": sub.id,
                    "account_id": sub.account_id, "period": period_start,
                    "period_index": period, "amount": taxed["gross"],
                    "invoice_id": invoice.id, "attempts": attempts,
                    "current_period_end": iso(next_start)}, occurred_at=now)
                if was_past_due:
                    uow.emit(events.SUBSCRIPTION_REACTIVATED, {
                        "org_id": sub.org_id, "subscription_id": sub.id,
                        "account_id": sub.account_id}, occurred_at=now)
                uow.commit()
        except IntegrityError:
            # (subscription_id, period) already invoiced: another run recorded this period.
            raise LeaseLost(sub.id)

    def _record_decline(self, sub, period, due_at, attempts, code, owner, as_of):
        now = self.now()
        decline = rules.after_decline(due_at, attempts, self.retry_days)
        with self.db.uow() as uow:
            session = uow.session
            subs = SubscriptionRepository(session)
            row = subs.held(sub.id, owner, period)
            charge = subs.charge_row(sub, period, due_at, now)
            if charge.attempts >= attempts:  # recorded already by a run we outlived
                raise LeaseLost(sub.id)
            became_past_due = row.status == rules.ACTIVE
            charge.status, charge.attempts = decline.charge_status, attempts
            charge.last_error, charge.updated_at = (code or "card_declined")[:200], now
            row.status = decline.subscription_status
            row.next_charge_at = decline.next_charge_at
            if decline.subscription_status == rules.CANCELLED:
                # the business instant (a test clock's), as a withdrawal's and a void's
                row.cancelled_at, row.cancel_reason = as_of, rules.PAYMENT_FAILED
            row.lease_owner, row.lease_until, row.updated_at = None, None, now
            data = {"org_id": sub.org_id, "subscription_id": sub.id,
                    "account_id": sub.account_id, "period": charge.period_start,
                    "period_index": period, "attempts": attempts, "reason": code,
                    "next_attempt_at": iso(decline.next_charge_at)}
            uow.emit(events.SUBSCRIPTION_CHARGE_FAILED, data, occurred_at=now)
            if became_past_due and decline.subscription_status == rules.PAST_DUE:
                uow.emit(events.SUBSCRIPTION_PAST_DUE, data, occurred_at=now)
            if decline.subscription_status == rules.CANCELLED:
                uow.emit(events.SUBSCRIPTION_CANCELLED, dict(data, reason=rules.PAYMENT_FAILED,
                                                        ended_at=iso(as_of)), occurred_at=now)
            uow.commit()


def billing_run(db, provider, now, skip_test_clock_orgs=False, tax_source=None) -> "BillingRun":
    """A billing run with this deployment's lease, retry and size settings: the billing
    worker's and ``POST /billing-runs``' (the same code)."""
    return BillingRun(db, provider, now, settings.subscription_lease_seconds(),
                      settings.retry_days(), skip_test_clock_orgs=skip_test_clock_orgs,
                      tax_source=tax_source, max_periods=settings.run_max_periods())
