"""Accounts's tables. This service's database is its own; nobody else reads it."""
from datetime import date, datetime

from sqlalchemy import (JSON, Date, ForeignKey, Index, Integer, MetaData, String,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData()
define_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_org_created", "org_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("org_id", "email", name="uq_accounts_org_email"),
        Index("ix_accounts_org_name", "org_id", "name_key"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)  # normalised
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_key: Mapped[str] = mapped_column(String(200), nullable=False)  # folded, for search
    password_hash: Mapped[str] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # grows when the password changes: tokens issued under an older version are refused
    credential_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                                    server_default="0")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("account_id", "position", name="uq_members_account_position"),
        Index("ix_members_org_account", "org_id", "account_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"),
                                            nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # order in the household
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_key: Mapped[str] = mapped_column(String(210), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    gender: Mapped[str] = mapped_column(String(16), nullable=False)
    skills: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class StaffMember(Base):
    __tablename__ = "staff_members"
    __table_args__ = (Index("ix_staff_members_org", "org_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


# -- the audit log and password-reset tokens (issue 17) ----------------------------------
# - ``audit_entries``: one row per edit (who, when, before/after), for admins. Accounts'
#   own edits write theirs in the edit's transaction; the catalog's arrive as its
#   ``catalog_edited`` events (``source_event_id`` unique: kept once).
# - ``password_reset_tokens``: a one-time token per request, stored as a SHA-256 hash
#   (the token itself only travels in the ``password_reset_requested`` event's link).


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_org_time", "org_id", "occurred_at"),
                      Index("ix_audit_org_entity", "org_id", "entity", "entity_id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=True)
    before = mapped_column(JSON, nullable=True)
    after = mapped_column(JSON, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    source_event_id: Mapped[str] = mapped_column(String(64), nullable=True, unique=True)


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"
    __table_args__ = (Index("ix_reset_account", "account_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(40), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
