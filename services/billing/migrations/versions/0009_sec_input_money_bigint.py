"""money columns hold what the schemas accept (issue 11, item 5): amounts up to 10^11 minor
units (services/common/schemas.py MAX_MONEY) need 64 bits; they were 32-bit INTEGER on
PostgreSQL (SQLite's INTEGER is 64-bit already, so there is nothing to do there)

Revision ID: sec_input_0006
Revises: 0007_policies_walkin
"""
import sqlalchemy as sa
from alembic import op

revision = "sec_input_0006"
down_revision = "0007_policies_walkin"
branch_labels = None
depends_on = None

MONEY_COLUMNS = (
    ("cart_items", "price"), ("checkouts", "amount"), ("invoices", "total"),
    ("invoice_lines", "amount"), ("payments", "amount"), ("credit_balances", "balance"),
    ("credit_entries", "amount"), ("subscriptions", "monthly_price"),
    ("sandbox_charges", "amount"), ("refunds", "amount"),
    # added by the tax and fee migrations before this one (R7.2, R8.1)
    ("invoices", "subtotal"), ("invoice_lines", "net"), ("fees", "amount"),
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in MONEY_COLUMNS:
        op.alter_column(table, column, type_=sa.BigInteger, existing_type=sa.Integer)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in MONEY_COLUMNS:
        op.alter_column(table, column, type_=sa.Integer, existing_type=sa.BigInteger)
