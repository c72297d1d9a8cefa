"""catalog: late-cancellation and no-show fees per à la carte offer and per service (R8.1)

Revision ID: 0004_policies_fees
Revises: 0004_taxes
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_policies_fees"
down_revision = "0004_taxes"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("activities", sa.Column("alc_fees", sa.JSON, nullable=True))
    op.add_column("services", sa.Column("fees", sa.JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("services") as batch:
        batch.drop_column("fees")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("alc_fees")
