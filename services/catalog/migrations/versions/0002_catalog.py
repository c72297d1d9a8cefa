"""catalog: orgs, programs, activities and their occurrences, services, pass types with
versioned terms, bundle types, membership types, subscription plans

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.String(64), nullable=False)


def _created_at():
    return sa.Column("created_at", UTCDateTime(), nullable=False)


def _org_table(name, *columns):
    """A table of org-scoped catalog objects: id, org_id (indexed), columns, created_at."""
    op.create_table(
        name, _id(),
        sa.Column("org_id", sa.String(64), nullable=False),
        *columns,
        _created_at(),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=f"fk_{name}_org_id_orgs"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_org_id", name, ["org_id"])


def upgrade():
    op.create_table(
        "orgs", _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("locale", sa.String(2), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_orgs"),
    )
    _org_table("programs", sa.Column("name", sa.String(200), nullable=False))
    _org_table(
        "activities",
        sa.Column("program_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
        sa.Column("restrictions", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=True),
        sa.Column("session_enabled", sa.Boolean(), nullable=False),
        sa.Column("session_price", sa.BigInteger(), nullable=True),
        sa.Column("session_capacity", sa.Integer(), nullable=True),
        sa.Column("session_opens_at", UTCDateTime(), nullable=True),
        sa.Column("session_closes_at", UTCDateTime(), nullable=True),
        sa.Column("alc_enabled", sa.Boolean(), nullable=False),
        sa.Column("alc_price", sa.BigInteger(), nullable=True),
        sa.Column("alc_capacity", sa.Integer(), nullable=True),
        sa.Column("alc_pass_only", sa.Boolean(), nullable=False),
        sa.Column("alc_opens_minutes_before", sa.Integer(), nullable=True),
        sa.Column("alc_closes_minutes_before", sa.Integer(), nullable=False),
        sa.Column("alc_cancellation_allowed", sa.Boolean(), nullable=False),
        sa.Column("alc_cancellation_deadline_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name="fk_activities_program_id_programs"),
    )
    op.create_index("ix_activities_program_id", "activities", ["program_id"])
    op.create_table(
        "occurrences", _id(),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("cancel_reason", sa.String(40), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("alc_capacity", sa.Integer(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"],
                                name="fk_occurrences_activity_id_activities"),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name="fk_occurrences_org_id_orgs"),
        sa.PrimaryKeyConstraint("id", name="pk_occurrences"),
    )
    op.create_index("ix_occurrences_activity_starts", "occurrences", ["activity_id", "starts_at"])
    op.create_index("ix_occurrences_org_starts", "occurrences", ["org_id", "starts_at"])
    _org_table(
        "services",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
    )
    _org_table(
        "pass_types",
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "pass_type_terms",
        sa.Column("pass_type_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=True),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("family", sa.Boolean(), nullable=False),
        sa.Column("eligible_activity_ids", sa.JSON(), nullable=False),
        sa.Column("credit_on_cancel", sa.Boolean(), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(["pass_type_id"], ["pass_types.id"],
                                name="fk_pass_type_terms_pass_type_id_pass_types"),
        sa.PrimaryKeyConstraint("pass_type_id", "version", name="pk_pass_type_terms"),
    )
    _org_table(
        "bundle_types",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
        sa.Column("divisions", sa.JSON(), nullable=False),
    )
    _org_table(
        "membership_types",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
    )
    _org_table(
        "subscription_plans",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("monthly_price", sa.BigInteger(), nullable=False),
        sa.Column("activity_ids", sa.JSON(), nullable=False),
        sa.Column("accounting_code", sa.String(50), nullable=True),
    )


def downgrade():
    for table in ("subscription_plans", "membership_types", "bundle_types", "pass_type_terms",
                  "pass_types", "services", "occurrences", "activities", "programs", "orgs"):
        op.drop_table(table)
