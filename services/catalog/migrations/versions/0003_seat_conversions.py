"""catalog: session seats converted to à la carte seats (R2.6)

``activities.session_converted``: how many session seats were converted so far. The session
capacity shown is what is left (``session_capacity``); registration's session pool keeps
``session_capacity + session_converted`` as capacity with the converted seats counted as
taken, so a conversion never changes the pool's capacity (see catalog/service.py).

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
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("session_converted", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("session_converted")
