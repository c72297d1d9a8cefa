"""carts, checkouts (the saga's record), invoices with gapless numbers, payments, account
credit ledger, sandbox payment provider records

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


def upgrade():
    op.create_table(
        "carts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("checkout_id", sa.String(40), nullable=True),
        sa.Column("invoice_id", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_carts_org_account", "carts", ["org_id", "account_id"])
    op.create_table(
        "cart_items",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("cart_id", sa.String(40), sa.ForeignKey("carts.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("price", sa.Integer, nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("accounting_code", sa.String(64), nullable=True),
        sa.Column("registration_id", sa.String(64), nullable=True),
        sa.Column("hold_expires_at", UTCDateTime, nullable=True),
        sa.Column("reference", sa.JSON, nullable=False),
        sa.Column("pay_with", sa.JSON, nullable=True),
        sa.Column("release_pending", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("removed_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_cart_items_cart_status", "cart_items", ["cart_id", "status"])
    op.create_index("ix_cart_items_release_pending", "cart_items", ["release_pending"])
    op.create_table(
        "checkouts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("cart_id", sa.String(40), sa.ForeignKey("carts.id"), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("card_token", sa.String(200), nullable=True),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("charge_id", sa.String(64), nullable=True),
        sa.Column("registrations", sa.JSON, nullable=True),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("lease_owner", sa.String(40), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_problem", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("org_id", "cart_id", "idempotency_key",
                            name="uq_checkouts_cart_idempotency_key"),
    )
    op.create_index("ix_checkouts_state_next_attempt", "checkouts",
                    ["state", "next_attempt_at"])
    op.create_index("ix_checkouts_cart", "checkouts", ["cart_id"])
    op.create_table(
        "invoice_counters",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("cart_id", sa.String(40), nullable=True),
        sa.Column("checkout_id", sa.String(40), nullable=True, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("void_requested_at", UTCDateTime, nullable=True),
        sa.Column("void_reason", sa.Text, nullable=True),
        sa.Column("voided_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("org_id", "number", name="uq_invoices_org_number"),
    )
    op.create_index("ix_invoices_org_account", "invoices", ["org_id", "account_id", "number"])
    op.create_index("ix_invoices_void_requested", "invoices", ["void_requested_at"])
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(40), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("accounting_code", sa.String(64), nullable=True),
        sa.Column("paid_with", sa.String(20), nullable=False),
        sa.Column("payment_method", sa.String(20), nullable=True),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("cart_item_id", sa.String(40), nullable=True),
        sa.Column("registration_id", sa.String(64), nullable=True),
        sa.Column("reference", sa.JSON, nullable=False),
        sa.UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
    )
    op.create_index("ix_invoice_lines_registration", "invoice_lines",
                    ["org_id", "registration_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(40), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("charge_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_payments_invoice", "payments", ["invoice_id"])
    op.create_table(
        "credit_balances",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("balance", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("balance >= 0", name="ck_credit_balances_not_negative"),
    )
    op.create_table(
        "credit_entries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(120), nullable=False),
        sa.Column("details", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("org_id", "reason", "ref", name="uq_credit_entries_cause"),
    )
    op.create_index("ix_credit_entries_account", "credit_entries",
                    ["org_id", "account_id", "created_at"])
    op.create_table(
        "sandbox_charges",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("card_token", sa.String(200), nullable=True),
        sa.Column("charge_id", sa.String(40), nullable=True),
        sa.Column("decline_code", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade():
    for table in ("sandbox_charges", "credit_entries", "credit_balances", "payments",
                  "invoice_lines", "invoices", "invoice_counters", "checkouts", "cart_items",
                  "carts"):
        op.drop_table(table)
