"""billing: late-cancellation and no-show fees (R8.1)

Revision ID: 0006_policies_fees
Revises: 0006_taxes
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0006_policies_fees"
down_revision = "0006_taxes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fees",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False, index=True),
        sa.Column("account_id", sa.String(64), nullable=False, index=True),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("waived_reason", sa.Text, nullable=True),
        sa.Column("waived_by", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("source_id", "kind", name="uq_fees_source_kind"),
    )


def downgrade():
    op.drop_table("fees")
