"""Fees (R8.1) on billing's ``metadata``: one row per late cancellation or no-show that
costs money, unique per (source, kind) so that a duplicated ``fee_incurred`` never bills
twice; ``invoice_id`` is the fee's invoice (``open`` while owed)."""
from datetime import datetime

from sqlalchemy import BigInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.types import UTCDateTime

from .models import Base


class Fee(Base):
    __tablename__ = "fees"
    __table_args__ = (UniqueConstraint("source_id", "kind", name="uq_fees_source_kind"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    member_id: Mapped[str] = mapped_column(String(64), nullable=True)
    source_type: Mapped[str] = mapped_column(String(16), nullable=False)
    source_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # late_cancel | no_show
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # owed | paid | waived
    waived_reason: Mapped[str] = mapped_column(Text, nullable=True)
    waived_by: Mapped[str] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
