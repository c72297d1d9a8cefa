"""subscriptions (R2.13, R6.3, R6.4): the subscription, one charge row per (subscription,
period), the invoice's (subscription_id, period) made unique so that a period is invoiced
at most once whatever the workers do; per-org test clocks

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("monthly_price", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("accounting_code", sa.String(64), nullable=True),
        sa.Column("activity_ids", sa.JSON, nullable=False),
        sa.Column("card_token", sa.String(200), nullable=True),
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("cart_item_id", sa.String(40), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("anchor_date", sa.String(10), nullable=False),
        sa.Column("periods_paid", sa.Integer, nullable=False),
        sa.Column("current_period_end", UTCDateTime, nullable=False),
        sa.Column("next_charge_at", UTCDateTime, nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean, nullable=False),
        sa.Column("cancelled_at", UTCDateTime, nullable=True),
        sa.Column("cancel_reason", sa.String(40), nullable=True),
        sa.Column("lease_owner", sa.String(40), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_subscriptions_due", "subscriptions", ["next_charge_at"])
    op.create_index("ix_subscriptions_org_account", "subscriptions", ["org_id", "account_id"])
    op.create_index("ix_subscriptions_member", "subscriptions", ["org_id", "member_id"])
    op.create_table(
        "subscription_charges",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.String(40), sa.ForeignKey("subscriptions.id"),
                  nullable=False),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("period_start", sa.String(10), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=True),
        sa.Column("charge_id", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("subscription_id", "period", name="uq_subscription_charges_period"),
    )
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("subscription_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("period", sa.Integer, nullable=True))
    # One invoice per (subscription, period), by the database (R6.4). Checkout invoices
    # have NULLs there, which a unique index never compares equal.
    op.create_index("uq_invoices_subscription_period", "invoices",
                    ["subscription_id", "period"], unique=True)
    op.create_table(
        "test_clocks",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("now", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade():
    op.drop_table("test_clocks")
    op.drop_index("uq_invoices_subscription_period", "invoices")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("period")
        batch.drop_column("subscription_id")
    op.drop_table("subscription_charges")
    op.drop_table("subscriptions")
