"""Notifications's tables: the sent log, the clients' preferences and what waits for its
time. This service's database is its own; nobody else reads it."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData()
define_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Notice(Base):
    """The sent log: one row per (fact, recipient, kind), claimed before anything is sent.
    ``pending`` → ``sent`` | ``failed`` (gave up after the last retry) | ``skipped``
    (opted out, test-clock org, no address). A pending row being sent carries a lease."""
    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "kind", name="uq_notices_event_recipient_kind"),
        Index("ix_notices_due", "state", "next_attempt_at"),
        Index("ix_notices_org_account", "org_id", "account_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    event_id: Mapped[str] = mapped_column(String(200), nullable=False)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)  # the account id
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    attachment: Mapped[dict] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(String(40), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, nullable=True)
    email: Mapped[str] = mapped_column(String(254), nullable=True)
    locale: Mapped[str] = mapped_column(String(8), nullable=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=True)
    message_id: Mapped[str] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class Preference(Base):
    """A client's choices about optional notices (R7.4); no row means everything on."""
    __tablename__ = "preferences"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reminders: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    pass_alerts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Watch(Base):
    """A notice that leaves at ``due_at`` unless its fact changes first (an appointment
    reminder, a pass expiry warning): a copy of what the events said."""
    __tablename__ = "watches"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", name="uq_watches_kind_subject"),
        Index("ix_watches_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    fact: Mapped[str] = mapped_column(String(64), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)  # waiting | done | dropped
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
