"""passes.uses_used: the uses made (debits not credited back) kept with uses_left, so that a
debit no longer sums the pass's ledger (issue 14: its cost must not grow with history)

Revision ID: shape_passes_0004
Revises: sec_input_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "shape_passes_0004"
down_revision = "sec_input_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("passes", sa.Column("uses_used", sa.Integer, nullable=False,
                                      server_default="0"))
    op.execute("UPDATE passes SET uses_used = (SELECT COALESCE(SUM(-e.delta), 0) "
               "FROM pass_entries e WHERE e.pass_id = passes.id "
               "AND e.kind IN ('debit', 'credit'))")


def downgrade():
    with op.batch_alter_table("passes") as batch:
        batch.drop_column("uses_used")
