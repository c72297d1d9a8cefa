"""registration's read model of the catalog (issue 14): the activities and occurrences a hold
needs, kept from the catalog's events, its push after each change and the misses, so that a
hold does not ask catalog.get_occurrence / get_activity each time

Revision ID: 0009_readmodel_catalog
Revises: 0008_shape_reg_read_model
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0009_readmodel_catalog"  # at most 32 characters (alembic_version)
down_revision = "0008_shape_reg_read_model"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "known_activities",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("stored_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "known_occurrences",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("stored_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_known_occurrences_activity", "known_occurrences",
                    ["org_id", "activity_id"])


def downgrade():
    op.drop_index("ix_known_occurrences_activity", "known_occurrences")
    op.drop_table("known_occurrences")
    op.drop_table("known_activities")
