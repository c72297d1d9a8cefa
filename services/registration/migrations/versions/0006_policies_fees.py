"""registration: late-cancellation and no-show fees (R8.1)

``registrations.fee_policy``: the à la carte offer's fee policy when the seat was booked
(like the cancellation terms); ``registrations.fee``: what a late cancellation or a no-show
cost; ``registrations.no_show_at``: when staff marked it. ``waitlist_entries.fee_policy``:
copied onto the hold a waiting member is offered.

Revision ID: 0006_policies_fees
Revises: 0005_policies_waitlist
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0006_policies_fees"
down_revision = "0005_policies_waitlist"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("registrations", sa.Column("fee_policy", sa.JSON, nullable=True))
    op.add_column("registrations", sa.Column("fee", sa.JSON, nullable=True))
    op.add_column("registrations", sa.Column("no_show_at", UTCDateTime, nullable=True))
    op.add_column("waitlist_entries", sa.Column("fee_policy", sa.JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("waitlist_entries") as batch:
        batch.drop_column("fee_policy")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("no_show_at")
        batch.drop_column("fee")
        batch.drop_column("fee_policy")
