"""seat pools, registrations (holds), occurrence → activity

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE_WHERE = "status IN ('held', 'confirmed')"


def upgrade():
    op.create_table(
        "seat_pools",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("occurrence_id", sa.String(64), nullable=True),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
        sa.Column("occurrences_known", sa.Boolean, nullable=False,
                  server_default=sa.false()),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("taken >= 0", name="ck_seat_pools_taken_not_negative"),
    )
    op.create_index("ix_seat_pools_org_activity", "seat_pools", ["org_id", "activity_id"])

    op.create_table(
        "registrations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("pool_id", sa.String(120), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("member_name", sa.String(210), nullable=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("occurrence_id", sa.String(64), nullable=True),
        sa.Column("starts_at", UTCDateTime, nullable=True),
        sa.Column("starts_at_local", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("price", sa.Integer, nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
        sa.Column("hold_expires_at", UTCDateTime, nullable=True),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("cart_id", sa.String(64), nullable=True),
        sa.Column("cart_item_id", sa.String(64), nullable=True),
        sa.Column("paid_with_type", sa.String(16), nullable=False),
        sa.Column("paid_with_id", sa.String(64), nullable=True),
        sa.Column("cancellation_allowed", sa.Boolean, nullable=False,
                  server_default=sa.false()),
        sa.Column("cancellation_deadline_minutes", sa.Integer, nullable=False,
                  server_default="0"),
        sa.Column("cancelled_by", sa.String(16), nullable=True),
        sa.Column("refund_to_credit", sa.Integer, nullable=True),
        sa.Column("restore_pass_use", sa.Boolean, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("confirmed_at", UTCDateTime, nullable=True),
        sa.Column("ended_at", UTCDateTime, nullable=True),
    )
    # R3.2: one active (held or confirmed) registration per member and pool, in the database.
    op.create_index("uq_registrations_active_member_pool", "registrations",
                    ["pool_id", "member_id"], unique=True,
                    sqlite_where=sa.text(ACTIVE_WHERE), postgresql_where=sa.text(ACTIVE_WHERE))
    op.create_index("ix_registrations_pool_status", "registrations", ["pool_id", "status"])
    op.create_index("ix_registrations_status_expiry", "registrations",
                    ["status", "hold_expires_at"])
    op.create_index("ix_registrations_org_account", "registrations",
                    ["org_id", "account_id", "created_at"])
    op.create_index("ix_registrations_org_activity", "registrations", ["org_id", "activity_id"])
    op.create_index("ix_registrations_org_invoice", "registrations", ["org_id", "invoice_id"])
    op.create_index("ix_registrations_org_cart_item", "registrations",
                    ["org_id", "cart_item_id"])

    op.create_table(
        "occurrence_activities",
        sa.Column("occurrence_id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_occurrence_activities_activity", "occurrence_activities",
                    ["org_id", "activity_id"])


def downgrade():
    op.drop_table("occurrence_activities")
    op.drop_table("registrations")
    op.drop_table("seat_pools")
