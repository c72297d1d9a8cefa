"""accounts: the audit log of edits and one-time password-reset tokens (issue 17)

Revision ID: 0003_policies_audit
Revises: 0003_sec_auth_credentials
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0003_policies_audit"
down_revision = "0003_sec_auth_credentials"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=True, unique=True),
    )
    op.create_index("ix_audit_org_time", "audit_entries", ["org_id", "occurred_at"])
    op.create_index("ix_audit_org_entity", "audit_entries", ["org_id", "entity", "entity_id"])
    op.create_table(
        "password_reset_tokens",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_reset_account", "password_reset_tokens", ["account_id", "created_at"])


def downgrade():
    op.drop_table("password_reset_tokens")
    op.drop_table("audit_entries")
