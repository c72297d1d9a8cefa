"""Billing's tables. This service's database is its own; nobody else reads it.

- ``carts`` and ``cart_items``: a cart per purchase of an account. An item keeps what the
  hold told us (price, description, accounting code, registration id, expiry) and, in
  ``reference``, the ids of what it sells, so later item types (pass, bundle, membership,
  subscription) need no new columns.
- ``checkouts``: the saga's record (R6.1, R6.2). Written before each external step, with
  its ``state`` (pending → charged → completed, or declined, or compensating → failed),
  a lease (``lease_owner``/``lease_until``: the one process allowed to drive it) and
  ``next_attempt_at`` for the recovery timer. ``(org_id, cart_id, idempotency_key)`` is
  unique: a key names one checkout.
- ``invoice_counters``: one row per org, incremented in the transaction that inserts the
  invoice, so numbers have no gaps (R6.1); ``invoices.checkout_id`` is unique, so a
  checkout makes at most one invoice.
- ``credit_balances`` and ``credit_entries``: the account credit ledger. The balance is the
  sum of the entries; the balance row exists so that a debit is one conditional
  ``UPDATE … WHERE balance >= amount`` (never negative under races, CHECK as well).
  ``(org_id, reason, ref)`` is unique: one entry per cause (event, checkout).
- ``subscriptions`` and ``subscription_charges`` (R6.3, R6.4); ``invoices``'
  ``(subscription_id, period)`` is unique: a period is invoiced once, by the database.
- ``test_clocks``: per-org business "now" for development and tests.
- ``catalog_tax_marks``: per org, how many of the catalog's edits that may change its tax
  rules billing has handled (``revision``); a checkout's tax rules kept by a billing
  process are used only under the revision they were asked at (issue 14,
  ``adapters/peers.py: Peers.checkout_tax_rules``).
- ``sandbox_charges``: the sandbox payment provider's own records (it stands for an
  external system: it is written in its own transactions, never in billing's).
"""
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer,
                        MetaData, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData()
define_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Cart(Base):
    __tablename__ = "carts"
    __table_args__ = (Index("ix_carts_org_account", "org_id", "account_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    checkout_id: Mapped[str] = mapped_column(String(40), nullable=True)
    invoice_id: Mapped[str] = mapped_column(String(40), nullable=True)
    # R8.3: a walk-in client's name (the cart's account_id is then a ``walkin_`` id of its
    # own, no household)
    walk_in_name: Mapped[str] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (
        Index("ix_cart_items_cart_status", "cart_id", "status"),
        Index("ix_cart_items_release_pending", "release_pending"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    cart_id: Mapped[str] = mapped_column(String(40), ForeignKey("carts.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # active | removed
    member_id: Mapped[str] = mapped_column(String(64), nullable=True)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(64), nullable=True)
    registration_id: Mapped[str] = mapped_column(String(64), nullable=True)
    hold_expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    reference: Mapped[dict] = mapped_column(JSON, nullable=False)
    pay_with: Mapped[dict] = mapped_column(JSON, nullable=True)
    release_pending: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class Checkout(Base):
    __tablename__ = "checkouts"
    __table_args__ = (
        UniqueConstraint("org_id", "cart_id", "idempotency_key",
                         name="uq_checkouts_cart_idempotency_key"),
        Index("ix_checkouts_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_checkouts_cart", "cart_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    cart_id: Mapped[str] = mapped_column(String(40), ForeignKey("carts.id"), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), nullable=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    card_token: Mapped[str] = mapped_column(String(200), nullable=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    items: Mapped[list] = mapped_column(JSON, nullable=False)
    charge_id: Mapped[str] = mapped_column(String(64), nullable=True)
    registrations: Mapped[list] = mapped_column(JSON, nullable=True)
    # What the checkout sold through other services: {passes, bundles, memberships,
    # appointment} (migration 0003).
    sales: Mapped[dict] = mapped_column(JSON, nullable=True)
    error: Mapped[dict] = mapped_column(JSON, nullable=True)
    lease_owner: Mapped[str] = mapped_column(String(40), nullable=True)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_problem: Mapped[str] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class InvoiceCounter(Base):
    __tablename__ = "invoice_counters"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False)


class CatalogTaxMark(Base):
    __tablename__ = "catalog_tax_marks"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("org_id", "number", name="uq_invoices_org_number"),
        Index("ix_invoices_org_account", "org_id", "account_id", "number"),
        Index("ix_invoices_void_requested", "void_requested_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    cart_id: Mapped[str] = mapped_column(String(40), nullable=True)
    checkout_id: Mapped[str] = mapped_column(String(40), nullable=True, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # paid | void
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    void_requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    void_reason: Mapped[str] = mapped_column(Text, nullable=True)
    voided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    # A renewal's invoice (R6.4): (subscription_id, period) is unique (migration 0004).
    subscription_id: Mapped[str] = mapped_column(String(40), nullable=True)
    period: Mapped[int] = mapped_column(Integer, nullable=True)
    # R7.2 (migration 0006_taxes): NULL/empty on invoices without taxes (subtotal = total)
    subtotal: Mapped[int] = mapped_column(BigInteger, nullable=True)
    taxes: Mapped[list] = mapped_column(JSON, nullable=True)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        Index("ix_invoice_lines_registration", "org_id", "registration_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(40), ForeignKey("invoices.id"),
                                            nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(64), nullable=True)
    paid_with: Mapped[str] = mapped_column(String(20), nullable=False)
    payment_method: Mapped[str] = mapped_column(String(20), nullable=True)
    member_id: Mapped[str] = mapped_column(String(64), nullable=True)
    cart_item_id: Mapped[str] = mapped_column(String(40), nullable=True)
    registration_id: Mapped[str] = mapped_column(String(64), nullable=True)
    reference: Mapped[dict] = mapped_column(JSON, nullable=False)
    # R7.2: the line without its taxes (= amount unless prices include tax) and its taxes
    # [{code, amount}]; NULL on lines written before taxes existed
    net: Mapped[int] = mapped_column(BigInteger, nullable=True)
    taxes: Mapped[list] = mapped_column(JSON, nullable=True)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_invoice", "invoice_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(40), ForeignKey("invoices.id"),
                                            nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    charge_id: Mapped[str] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class CreditBalance(Base):
    __tablename__ = "credit_balances"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_credit_balances_not_negative"),)

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class CreditEntry(Base):
    __tablename__ = "credit_entries"
    __table_args__ = (
        UniqueConstraint("org_id", "reason", "ref", name="uq_credit_entries_cause"),
        Index("ix_credit_entries_account", "org_id", "account_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # + credit, - debit
    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    ref: Mapped[str] = mapped_column(String(120), nullable=False)
    details: Mapped[dict] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Subscription(Base):
    """A subscription sold at checkout (R2.13, R6.3). Period ``k`` starts on the anchor
    date plus ``k`` months (clamped to the month's end) in the org's timezone; period 0 is
    the month paid at checkout. ``next_charge_at`` is when the billing worker must act
    (the next period's start, or a retry); NULL once it has ended."""
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_due", "next_charge_at"),
        Index("ix_subscriptions_org_account", "org_id", "account_id"),
        Index("ix_subscriptions_member", "org_id", "member_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    plan_id: Mapped[str] = mapped_column(String(64), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    monthly_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    accounting_code: Mapped[str] = mapped_column(String(64), nullable=True)
    activity_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    card_token: Mapped[str] = mapped_column(String(200), nullable=True)
    invoice_id: Mapped[str] = mapped_column(String(40), nullable=False)
    cart_item_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    anchor_date: Mapped[str] = mapped_column(String(10), nullable=False)
    periods_paid: Mapped[int] = mapped_column(Integer, nullable=False)
    current_period_end: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    next_charge_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(String(40), nullable=True)
    lease_owner: Mapped[str] = mapped_column(String(40), nullable=True)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SubscriptionCharge(Base):
    """One row per (subscription, period): paid, retrying (declined, to be tried again) or
    failed (the last retry was declined)."""
    __tablename__ = "subscription_charges"
    __table_args__ = (UniqueConstraint("subscription_id", "period",
                                       name="uq_subscription_charges_period"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    subscription_id: Mapped[str] = mapped_column(String(40), ForeignKey("subscriptions.id"),
                                                 nullable=False)
    period: Mapped[int] = mapped_column(Integer, nullable=False)
    period_start: Mapped[str] = mapped_column(String(10), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(40), nullable=True)
    charge_id: Mapped[str] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class TestClock(Base):
    """An org's test clock (development and tests only, ``CARNET_TEST_CLOCKS=1``): billing's
    business "now" for that org (checkout dates, subscription anchors, billing runs)."""
    __tablename__ = "test_clocks"
    __test__ = False

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    now: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SandboxCharge(Base):
    __tablename__ = "sandbox_charges"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # charge | refund
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # succeeded | declined
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    card_token: Mapped[str] = mapped_column(String(200), nullable=True)
    charge_id: Mapped[str] = mapped_column(String(40), nullable=True)  # refunds: the charge
    decline_code: Mapped[str] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


# -- refunds (R6.5) and report indexes (R6.6), migration 0005 ------------------------------------
class Refund(Base):
    """Money of an invoice given back (R6.5): to the original payment (``destination``
    original; ``method`` card, cash or account_credit: how it went back) or to account
    credit (``destination`` account_credit). ``status``: pending
    (written before the payment provider is asked, with ``provider_key``), completed, or
    failed (the provider refused; its amount counts no more). Pending and completed
    refunds of an invoice never add up to more than its payments: checked with the
    invoice's row locked in the transaction that inserts the refund.
    ``(invoice_id, idempotency_key)`` is unique: a client's key names one refund."""
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("invoice_id", "idempotency_key", name="uq_refunds_invoice_key"),
        CheckConstraint("amount > 0", name="ck_refunds_amount_positive"),
        Index("ix_refunds_invoice", "invoice_id"),
        Index("ix_refunds_org_created", "org_id", "created_at"),
        Index("ix_refunds_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(40), ForeignKey("invoices.id"),
                                            nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    payment_id: Mapped[str] = mapped_column(String(40), nullable=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    # original | account_credit
    destination: Mapped[str] = mapped_column(String(20), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)  # card | cash | account_credit
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=True)
    charge_id: Mapped[str] = mapped_column(String(64), nullable=True)
    provider_key: Mapped[str] = mapped_column(String(255), nullable=True)
    provider_refund_id: Mapped[str] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), nullable=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    refunded_by: Mapped[str] = mapped_column(String(120), nullable=True)
    error: Mapped[dict] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    # R7.2: the taxes this refund reverses [{code, amount}] (domain/taxes.refund_taxes)
    taxes: Mapped[list] = mapped_column(JSON, nullable=True)


# The reports read invoices by issue and void date within an org.
Index("ix_invoices_org_issued", Invoice.org_id, Invoice.issued_at)
Index("ix_invoices_org_voided", Invoice.org_id, Invoice.voided_at)
