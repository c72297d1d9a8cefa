"""checkouts.sales: what the checkout sold through other services (passes, bundles,
memberships, the completed appointment), kept for its answer and its invoice lines

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkouts") as batch:
        batch.add_column(sa.Column("sales", sa.JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("sales")
