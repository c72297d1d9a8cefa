"""outbox and processed events

Revision ID: 0001
Revises:
"""
from services.common.migration_ops import create_outbox_tables, drop_outbox_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_tables()


def downgrade():
    drop_outbox_tables()
