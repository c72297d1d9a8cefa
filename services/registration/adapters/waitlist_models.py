"""The waiting list's table (R3.9), on registration's ``metadata``.

``waitlist_entries``: one row per member waiting for a pool (the à la carte pool of an
occurrence, or an activity's session pool). The entry keeps a copy of what the member
waits for (price, description, start, cancellation terms) taken when they joined, so that a
seat can be offered in the very transaction that frees it, with no call to the catalog.
A partial unique index allows one live entry (``waiting`` or ``offered``) per member and
pool. The order of the list is ``(queued_at, seq)``; positions are computed when read.
"""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.types import UTCDateTime

from .models import Base

LIVE_WHERE = "status IN ('waiting', 'offered')"


class WaitlistEntry(Base):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        Index("uq_waitlist_live_member_pool", "pool_id", "member_id", unique=True,
              sqlite_where=text(LIVE_WHERE), postgresql_where=text(LIVE_WHERE)),
        Index("ix_waitlist_pool_status", "pool_id", "status", "queued_at"),
        Index("ix_waitlist_org_account", "org_id", "account_id"),
        Index("ix_waitlist_registration", "registration_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # the list's order: (queued_at, seq); staff moving an entry to the front change both
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    pool_id: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    occurrence_id: Mapped[str] = mapped_column(String(64), nullable=True)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_name: Mapped[str] = mapped_column(String(210), nullable=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    # what is offered, as it stood when the member joined
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(50), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    starts_at_local: Mapped[str] = mapped_column(String(40), nullable=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    cancellation_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cancellation_deadline_minutes: Mapped[int] = mapped_column(Integer, nullable=False,
                                                               default=0)
    fee_policy = mapped_column(JSON, nullable=True)  # R8.1, copied onto the offered hold
    # the offer
    registration_id: Mapped[str] = mapped_column(String(40), nullable=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    offer_expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    offered_by: Mapped[str] = mapped_column(String(16), nullable=True)  # waitlist | staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
