"""Registration's tables. This service's database is its own; nobody else reads it.

- ``seat_pools``: one row per pool (R2.4): the session pool of an activity
  (``session:<activity_id>``) or the à la carte pool of an occurrence
  (``a_la_carte:<occurrence_id>``). ``taken`` counts the pool's confirmed registrations and
  holds (lapsed holds too, until they are expired); it only moves by a conditional
  ``UPDATE … SET taken = taken + 1 WHERE taken < capacity`` in the transaction that inserts
  the hold, and by ``taken - 1`` in the transaction that ends a registration.
- ``registrations``: holds and registrations. A partial unique index allows one active
  (held or confirmed) registration per member and pool (R3.2, ``already_registered``).
- ``occurrence_activities``: which activity an occurrence belongs to, learnt from the
  catalog, so ``seat_counts`` can give an occurrence its activity's session seats.
"""
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Index, Integer, MetaData,
                        String, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData()
define_tables(metadata)

ACTIVE_WHERE = "status IN ('held', 'confirmed')"


class Base(DeclarativeBase):
    metadata = metadata


class SeatPool(Base):
    __tablename__ = "seat_pools"
    __table_args__ = (
        CheckConstraint("taken >= 0", name="ck_seat_pools_taken_not_negative"),
        Index("ix_seat_pools_org_activity", "org_id", "activity_id"),
    )

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    occurrence_id: Mapped[str] = mapped_column(String(64), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    occurrences_known: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        Index("uq_registrations_active_member_pool", "pool_id", "member_id", unique=True,
              sqlite_where=text(ACTIVE_WHERE), postgresql_where=text(ACTIVE_WHERE)),
        Index("ix_registrations_pool_status", "pool_id", "status"),
        Index("ix_registrations_status_expiry", "status", "hold_expires_at"),
        Index("ix_registrations_org_account", "org_id", "account_id", "created_at"),
        Index("ix_registrations_org_activity", "org_id", "activity_id"),
        Index("ix_registrations_org_invoice", "org_id", "invoice_id"),
        Index("ix_registrations_org_cart_item", "org_id", "cart_item_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    pool_id: Mapped[str] = mapped_column(String(120), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_name: Mapped[str] = mapped_column(String(210), nullable=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    occurrence_id: Mapped[str] = mapped_column(String(64), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    starts_at_local: Mapped[str] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(50), nullable=True)
    hold_expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    invoice_id: Mapped[str] = mapped_column(String(64), nullable=True)
    cart_id: Mapped[str] = mapped_column(String(64), nullable=True)
    cart_item_id: Mapped[str] = mapped_column(String(64), nullable=True)
    paid_with_type: Mapped[str] = mapped_column(String(16), nullable=False)
    paid_with_id: Mapped[str] = mapped_column(String(64), nullable=True)
    # The cancellation terms in force when the seat was booked (R2.3, R3.5).
    cancellation_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cancellation_deadline_minutes: Mapped[int] = mapped_column(Integer, nullable=False,
                                                               default=0)
    cancelled_by: Mapped[str] = mapped_column(String(16), nullable=True)
    refund_to_credit: Mapped[int] = mapped_column(BigInteger, nullable=True)
    restore_pass_use: Mapped[bool] = mapped_column(Boolean, nullable=True)
    # R8.1: the offer's fee policy when the seat was booked, and what was incurred
    fee_policy = mapped_column(JSON, nullable=True)
    fee = mapped_column(JSON, nullable=True)
    no_show_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class SeatConversion(Base):
    """R2.6: a seat conversion the catalog asked for, by the catalog's id, so that taking
    and giving back its seats each happen once (``reserved`` → ``returned``). A give-back
    that arrives first leaves a ``returned`` row with no seats, and a late take is
    refused."""
    __tablename__ = "seat_conversions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    seats: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class OccurrenceActivity(Base):
    __tablename__ = "occurrence_activities"
    __table_args__ = (Index("ix_occurrence_activities_activity", "org_id", "activity_id"),)

    occurrence_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
