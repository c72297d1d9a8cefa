"""catalog: an activity's revision (issue 14)

``activities.revision``: 1 when created, one more in the transaction of every change to the
activity or to any of its occurrences (a PATCH, a seat conversion, a schedule change, an
occurrence added or cancelled). Registration's copy of the catalog keeps the newest revision
it has seen of each activity and never lets an older one overwrite it.

Revision ID: 0007_readmodel_activity_rev
Revises: 0005_policies_session_cancel
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_readmodel_activity_rev"  # at most 32 characters (alembic_version)
down_revision = "0005_policies_session_cancel"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False,
                                   server_default="1"))


def downgrade():
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("revision")
