"""waiting list per pool (R3.9)

Revision ID: 0005_policies_waitlist
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0005_policies_waitlist"
down_revision = "0004"
branch_labels = None
depends_on = None

LIVE_WHERE = "status IN ('waiting', 'offered')"


def upgrade():
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("queued_at", UTCDateTime, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("occurrence_id", sa.String(64), nullable=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("member_name", sa.String(210), nullable=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("price", sa.Integer, nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
        sa.Column("starts_at", UTCDateTime, nullable=True),
        sa.Column("starts_at_local", sa.String(40), nullable=True),
        sa.Column("closes_at", UTCDateTime, nullable=True),
        sa.Column("cancellation_allowed", sa.Boolean, nullable=False),
        sa.Column("cancellation_deadline_minutes", sa.Integer, nullable=False),
        sa.Column("registration_id", sa.String(40), nullable=True),
        sa.Column("offered_at", UTCDateTime, nullable=True),
        sa.Column("offer_expires_at", UTCDateTime, nullable=True),
        sa.Column("offered_by", sa.String(16), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
    )
    op.create_index("uq_waitlist_live_member_pool", "waitlist_entries",
                    ["pool_id", "member_id"], unique=True,
                    sqlite_where=sa.text(LIVE_WHERE), postgresql_where=sa.text(LIVE_WHERE))
    op.create_index("ix_waitlist_pool_status", "waitlist_entries",
                    ["pool_id", "status", "queued_at"])
    op.create_index("ix_waitlist_org_account", "waitlist_entries", ["org_id", "account_id"])
    op.create_index("ix_waitlist_registration", "waitlist_entries", ["registration_id"])


def downgrade():
    op.drop_table("waitlist_entries")
