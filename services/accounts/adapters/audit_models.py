"""The audit log and password-reset tokens (issue 17), on accounts's ``metadata``.

- ``audit_entries``: one row per edit (who, when, before/after), for admins. Accounts'
  own edits write theirs in the edit's transaction; the catalog's arrive as its
  ``catalog_edited`` events (``source_event_id`` unique: kept once).
- ``password_reset_tokens``: a one-time token per request, stored as a SHA-256 hash
  (the token itself only travels in the ``password_reset_requested`` event's link).
"""
from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.types import UTCDateTime

from .models import Base


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
