"""taxes (R7.2): each invoice line's net and taxes, each invoice's subtotal and taxes per
code, the taxes each refund reverses

All nullable: an existing invoice keeps working as one without taxes (``subtotal`` is read
as its total, ``taxes`` as ``[]``, a line's ``net`` as its amount).

Revision ID: 0006_taxes
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_taxes"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("net", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("taxes", sa.JSON(), nullable=True))
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("subtotal", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("taxes", sa.JSON(), nullable=True))
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("taxes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("taxes")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("taxes")
        batch.drop_column("subtotal")
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_column("taxes")
        batch.drop_column("net")
