"""money columns hold what the schemas accept (issue 11, item 5): amounts up to 10^11 minor
units (services/common/schemas.py MAX_MONEY) need 64 bits; they were 32-bit INTEGER on
PostgreSQL (SQLite's INTEGER is 64-bit already, so there is nothing to do there)

Revision ID: sec_input_0005
Revises: 0006_policies_fees
"""
import sqlalchemy as sa
from alembic import op

revision = "sec_input_0005"
down_revision = "0006_policies_fees"
branch_labels = None
depends_on = None

MONEY_COLUMNS = (
    ("registrations", "price"),
    ("registrations", "refund_to_credit"),
    ("appointments", "service_price"),
    ("appointments", "price"),
    ("waitlist_entries", "price"),  # added by the waiting-list migration before this one
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
