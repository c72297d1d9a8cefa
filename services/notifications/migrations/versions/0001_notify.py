"""notifications: outbox, sent log, preferences, watches

Revision ID: 0001_notify
Revises:
"""
import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_outbox_tables, drop_outbox_tables
from services.common.types import UTCDateTime

revision = "0001_notify"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_tables()
    op.create_table(
        "notices",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("attachment", sa.JSON, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("locale", sa.String(8), nullable=True),
        sa.Column("subject", sa.String(300), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("event_id", "recipient", "kind",
                            name="uq_notices_event_recipient_kind"),
    )
    op.create_index("ix_notices_due", "notices", ["state", "next_attempt_at"])
    op.create_index("ix_notices_org_account", "notices", ["org_id", "account_id", "created_at"])
    op.create_table(
        "preferences",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("reminders", sa.Boolean, nullable=False),
        sa.Column("pass_alerts", sa.Boolean, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("fact", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("kind", "subject_id", name="uq_watches_kind_subject"),
    )
    op.create_index("ix_watches_due", "watches", ["state", "due_at"])


def downgrade():
    op.drop_table("watches")
    op.drop_table("preferences")
    op.drop_table("notices")
    drop_outbox_tables()
