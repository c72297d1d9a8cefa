"""catalog: a session's cancellation by the client (R8.2)

Revision ID: 0005_policies_session_cancel
Revises: 0004_policies_fees
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_policies_session_cancel"
down_revision = "0004_policies_fees"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("activities", sa.Column("session_cancellation", sa.JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("session_cancellation")
