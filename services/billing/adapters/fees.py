"""Fees (R8.1) on billing's ``metadata``: one row per late cancellation or no-show that
costs money, unique per (source, kind) so that a duplicated ``fee_incurred`` never bills
twice; ``invoice_id`` is the fee's invoice (``open`` while owed); and their reads and
writes within a unit of work."""
from datetime import datetime

from sqlalchemy import BigInteger, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from services.common.pagination import page, paginate
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


def fee_dict(fee: Fee) -> dict:
    return {"id": fee.id, "org_id": fee.org_id, "account_id": fee.account_id,
            "member_id": fee.member_id, "source_type": fee.source_type,
            "source_id": fee.source_id, "kind": fee.kind, "amount": fee.amount,
            "invoice_id": fee.invoice_id, "status": fee.status,
            "waived_reason": fee.waived_reason, "waived_by": fee.waived_by,
            "created_at": fee.created_at.isoformat()}


class FeeRepository:
    def __init__(self, session):
        self.session = session

    def exists(self, source_id, kind) -> bool:
        return self.session.execute(select(Fee.id).where(
            Fee.source_id == source_id, Fee.kind == kind)).first() is not None

    def add(self, fee: Fee) -> bool:
        """False when a concurrent delivery billed this (source, kind) already."""
        try:
            with self.session.begin_nested():
                self.session.add(fee)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def of_invoice(self, invoice_id):
        """The fee an invoice bills (locked), or None."""
        return self.session.execute(select(Fee).where(Fee.invoice_id == invoice_id)
                                    .with_for_update()).scalar_one_or_none()

    def page(self, org_id, account_id, status, limit, cursor):
        """(an account's fees, newest first, next_cursor)."""
        query = select(Fee).where(Fee.org_id == org_id, Fee.account_id == account_id)
        if status:
            query = query.where(Fee.status == status)
        paged, limit, offset = paginate(query.order_by(Fee.created_at.desc(), Fee.id),
                                        limit, cursor)
        return page(self.session.execute(paged).scalars(), limit, offset)

    def owed(self, org_id, account_id, owed_status) -> int:
        return int(self.session.execute(
            select(func.coalesce(func.sum(Fee.amount), 0)).where(
                Fee.org_id == org_id, Fee.account_id == account_id,
                Fee.status == owed_status)).scalar_one())
