"""money columns hold what the schemas accept (issue 11, item 5): amounts up to 10^11 minor
units (services/common/schemas.py MAX_MONEY) need 64 bits; they were 32-bit INTEGER on
PostgreSQL (SQLite's INTEGER is 64-bit already, so there is nothing to do there)

Revision ID: sec_input_0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "sec_input_0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY_COLUMNS = (
    ("bundles", "price"),
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
