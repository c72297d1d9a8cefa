"""billing: walk-in clients' carts (R8.3)

Revision ID: 0007_policies_walkin
Revises: 0006_policies_fees
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_policies_walkin"
down_revision = "0006_policies_fees"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("carts", sa.Column("walk_in_name", sa.String(200), nullable=True))


def downgrade():
    with op.batch_alter_table("carts") as batch:
        batch.drop_column("walk_in_name")
