"""Passes's tables. This service's database is its own; nobody else reads it.

- ``passes`` and their ledger ``pass_entries`` (R4.1). ``passes.uses_left`` is a cache of the
  ledger sum kept for the database to enforce "never below zero" on its own: it moves only
  by a conditional ``UPDATE … SET uses_left = uses_left - 1 WHERE uses_left >= 1`` in the
  transaction that inserts the debit (and a CHECK refuses anything negative);
  ``passes.uses_used`` (debits not credited back) moves in the same statements. Writes
  (sale, debit, credit, expiry change, revocation) answer from these counters, so their cost
  does not grow with the ledger; reads of a pass, its ledger and the report sum the ledger in
  SQL. The tests check that both agree.
- ``bundles``, their per-service counts ``bundle_items`` (the same kind of cache, with CHECKs
  that booked, used and remaining never go below zero) and ledger ``bundle_entries``.
- ``memberships``.

Idempotency is in unique constraints: one entry per (pass, registration, kind) and per
(bundle, appointment, kind, seq); one sale per (org, sale_key), the key being the invoice,
the product, the holder and the cart item.
"""
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer,
                        MetaData, String, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData()
define_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Pass(Base):
    __tablename__ = "passes"
    __table_args__ = (
        UniqueConstraint("org_id", "sale_key", name="uq_passes_org_sale_key"),
        CheckConstraint("uses_left >= 0", name="ck_passes_uses_left_not_negative"),
        Index("ix_passes_org_account", "org_id", "account_id", "purchased_at"),
        Index("ix_passes_org_invoice", "org_id", "invoice_id"),
        Index("ix_passes_org_purchased", "org_id", "purchased_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    pass_type_id: Mapped[str] = mapped_column(String(64), nullable=False)
    terms_version: Mapped[int] = mapped_column(Integer, nullable=True)
    terms: Mapped[dict] = mapped_column(JSON, nullable=False)  # R2.9: as sold
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    family: Mapped[bool] = mapped_column(Boolean, nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=True)
    origin: Mapped[str] = mapped_column(String(16), nullable=False)  # sale | grant
    invoice_id: Mapped[str] = mapped_column(String(64), nullable=True)
    sale_key: Mapped[str] = mapped_column(String(400), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    purchased_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    uses_total: Mapped[int] = mapped_column(Integer, nullable=True)  # null: unlimited
    uses_left: Mapped[int] = mapped_column(Integer, nullable=True)   # cache of the ledger
    # Uses made (debits not credited back), also a cache of the ledger: with ``uses_left`` a
    # debit reads and writes the pass row only, whatever the length of its ledger.
    uses_used: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                           server_default="0")
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PassEntry(Base):
    __tablename__ = "pass_entries"
    __table_args__ = (
        UniqueConstraint("pass_id", "ref_id", "kind", name="uq_pass_entries_pass_ref_kind"),
        Index("ix_pass_entries_pass", "pass_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pass_id: Mapped[str] = mapped_column(String(40), ForeignKey("passes.id"), nullable=False)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    delta: Mapped[int] = mapped_column(Integer, nullable=False)
    ref_id: Mapped[str] = mapped_column(String(64), nullable=True)  # registration id
    member_id: Mapped[str] = mapped_column(String(64), nullable=True)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=True)
    occurrence_starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=True)
    actor: Mapped[str] = mapped_column(String(100), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Bundle(Base):
    __tablename__ = "bundles"
    __table_args__ = (
        UniqueConstraint("org_id", "sale_key", name="uq_bundles_org_sale_key"),
        Index("ix_bundles_org_account", "org_id", "account_id", "purchased_at"),
        Index("ix_bundles_org_member", "org_id", "member_id"),
        Index("ix_bundles_org_invoice", "org_id", "invoice_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    bundle_type_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    division: Mapped[str] = mapped_column(String(200), nullable=False)
    price: Mapped[int] = mapped_column(BigInteger, nullable=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(64), nullable=True)
    sale_key: Mapped[str] = mapped_column(String(400), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    purchased_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class BundleItem(Base):
    """Per service of a bundle: the counts, a cache of the ledger guarded by CHECKs."""
    __tablename__ = "bundle_items"
    __table_args__ = (
        CheckConstraint("booked >= 0", name="ck_bundle_items_booked_not_negative"),
        CheckConstraint("used >= 0", name="ck_bundle_items_used_not_negative"),
        CheckConstraint("total - booked - used >= 0",
                        name="ck_bundle_items_remaining_not_negative"),
    )

    bundle_id: Mapped[str] = mapped_column(String(40), ForeignKey("bundles.id"),
                                           primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    booked: Mapped[int] = mapped_column(Integer, nullable=False)
    used: Mapped[int] = mapped_column(Integer, nullable=False)


class BundleEntry(Base):
    __tablename__ = "bundle_entries"
    __table_args__ = (
        UniqueConstraint("bundle_id", "ref_id", "kind", "seq",
                         name="uq_bundle_entries_bundle_ref_kind_seq"),
        Index("ix_bundle_entries_bundle", "bundle_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(40), ForeignKey("bundles.id"),
                                           nullable=False)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    service_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    ref_id: Mapped[str] = mapped_column(String(64), nullable=True)  # appointment or invoice
    # book/unbook: how many came before for that appointment; sale/revoke: the service's
    # position in the division.
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    d_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    d_booked: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    d_used: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reason: Mapped[str] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("org_id", "sale_key", name="uq_memberships_org_sale_key"),
        Index("ix_memberships_org_member", "org_id", "member_id", "starts_on"),
        Index("ix_memberships_org_account", "org_id", "account_id"),
        Index("ix_memberships_org_invoice", "org_id", "invoice_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    membership_type_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(64), nullable=True)
    sale_key: Mapped[str] = mapped_column(String(400), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)  # exclusive
    sold_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
