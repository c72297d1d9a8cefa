"""registration's read model of accounts' members (issue 14): what a hold needs to know of a
member, kept from accounts' events, so a hold does not ask accounts.get_member each time

Revision ID: 0008_shape_reg_read_model
Revises: sec_input_0005
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0008_shape_reg_read_model"  # at most 32 characters (alembic_version)
down_revision = "sec_input_0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "known_members",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("event_at", UTCDateTime, nullable=True),
        sa.Column("stored_at", UTCDateTime, nullable=False),
    )


def downgrade():
    op.drop_table("known_members")
