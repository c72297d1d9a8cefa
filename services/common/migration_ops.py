"""Alembic operations every service's first migration runs (the outbox tables)."""
import sqlalchemy as sa
from alembic import op

from .types import UTCDateTime


def create_outbox_tables():
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False, index=True),
        sa.Column("published_at", UTCDateTime, nullable=True, index=True),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )


def drop_outbox_tables():
    op.drop_table("processed_events")
    op.drop_table("outbox")
