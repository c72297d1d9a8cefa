"""billing: catalog_tax_marks, what billing has heard of the catalog's tax edits (issue 14)

Revision ID: 0010_catalog_tax_marks
Revises: sec_input_0006
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0010_catalog_tax_marks"
down_revision = "sec_input_0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "catalog_tax_marks",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade():
    op.drop_table("catalog_tax_marks")
