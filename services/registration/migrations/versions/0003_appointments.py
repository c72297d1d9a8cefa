"""appointments (salon agenda) and the per-staff agenda lock rows

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appointments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("member_name", sa.String(210), nullable=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=True),
        sa.Column("staff_name", sa.String(200), nullable=True),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("service_price", sa.Integer, nullable=False),
        sa.Column("price", sa.Integer, nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
        sa.Column("bundle_id", sa.String(64), nullable=True),
        sa.Column("bundle_state", sa.String(16), nullable=False, server_default="none"),
        sa.Column("bundle_changed_at", UTCDateTime, nullable=True),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("cancelled_by", sa.String(16), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.CheckConstraint("price >= 0", name="ck_appointments_price_not_negative"),
    )
    op.create_index("ix_appointments_staff_time", "appointments",
                    ["org_id", "staff_id", "starts_at"])
    op.create_index("ix_appointments_org_time", "appointments", ["org_id", "starts_at"])
    op.create_index("ix_appointments_org_account", "appointments",
                    ["org_id", "account_id", "starts_at"])
    op.create_index("ix_appointments_bundle_state", "appointments",
                    ["bundle_state", "bundle_changed_at"])
    # R5.2: a booking for a staff member locks this row, then checks for overlaps.
    op.create_table(
        "staff_agenda_locks",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.String(64), primary_key=True),
    )


def downgrade():
    op.drop_table("staff_agenda_locks")
    op.drop_table("appointments")
