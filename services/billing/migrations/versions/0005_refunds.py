"""refunds (R6.5): money of an invoice given back, to the original payment or to account
credit, with its provider idempotency key; indexes for the reports (R6.6) on the invoices'
issue and void dates

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(40), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=True),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("destination", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("charge_id", sa.String(64), nullable=True),
        sa.Column("provider_key", sa.String(255), nullable=True),
        sa.Column("provider_refund_id", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("refunded_by", sa.String(120), nullable=True),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("completed_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("invoice_id", "idempotency_key", name="uq_refunds_invoice_key"),
        sa.CheckConstraint("amount > 0", name="ck_refunds_amount_positive"),
    )
    op.create_index("ix_refunds_invoice", "refunds", ["invoice_id"])
    op.create_index("ix_refunds_org_created", "refunds", ["org_id", "created_at"])
    op.create_index("ix_refunds_status", "refunds", ["status"])
    op.create_index("ix_invoices_org_issued", "invoices", ["org_id", "issued_at"])
    op.create_index("ix_invoices_org_voided", "invoices", ["org_id", "voided_at"])


def downgrade():
    op.drop_index("ix_invoices_org_voided", "invoices")
    op.drop_index("ix_invoices_org_issued", "invoices")
    op.drop_index("ix_refunds_status", "refunds")
    op.drop_index("ix_refunds_org_created", "refunds")
    op.drop_index("ix_refunds_invoice", "refunds")
    op.drop_table("refunds")
