"""login throttle: failed sign-in attempts per account and per client address, shared by
every gateway instance (gateway/throttle.py, docs/security.md)

Revision ID: 0002_sec_auth_login_throttle
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0002_sec_auth_login_throttle"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("window_start", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_index("ix_login_throttle_window_start", "login_throttle", ["window_start"])


def downgrade():
    op.drop_table("login_throttle")
