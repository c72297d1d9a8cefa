"""passes, bundles and memberships with their ledgers

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


def upgrade():
    op.create_table(
        "passes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("pass_type_id", sa.String(64), nullable=False),
        sa.Column("terms_version", sa.Integer, nullable=True),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("family", sa.Boolean, nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("sale_key", sa.String(400), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("purchased_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.Column("uses_total", sa.Integer, nullable=True),
        sa.Column("uses_left", sa.Integer, nullable=True),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("org_id", "sale_key", name="uq_passes_org_sale_key"),
        sa.CheckConstraint("uses_left >= 0", name="ck_passes_uses_left_not_negative"),
    )
    op.create_index("ix_passes_org_account", "passes", ["org_id", "account_id", "purchased_at"])
    op.create_index("ix_passes_org_invoice", "passes", ["org_id", "invoice_id"])
    op.create_index("ix_passes_org_purchased", "passes", ["org_id", "purchased_at", "id"])

    op.create_table(
        "pass_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pass_id", sa.String(40), sa.ForeignKey("passes.id"), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("delta", sa.Integer, nullable=False),
        sa.Column("ref_id", sa.String(64), nullable=True),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("activity_id", sa.String(64), nullable=True),
        sa.Column("occurrence_starts_at", UTCDateTime, nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("pass_id", "ref_id", "kind", name="uq_pass_entries_pass_ref_kind"),
    )
    op.create_index("ix_pass_entries_pass", "pass_entries", ["pass_id", "id"])

    op.create_table(
        "bundles",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("bundle_type_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("division", sa.String(200), nullable=False),
        sa.Column("price", sa.Integer, nullable=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("sale_key", sa.String(400), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("purchased_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("org_id", "sale_key", name="uq_bundles_org_sale_key"),
    )
    op.create_index("ix_bundles_org_account", "bundles", ["org_id", "account_id", "purchased_at"])
    op.create_index("ix_bundles_org_member", "bundles", ["org_id", "member_id"])
    op.create_index("ix_bundles_org_invoice", "bundles", ["org_id", "invoice_id"])

    op.create_table(
        "bundle_items",
        sa.Column("bundle_id", sa.String(40), sa.ForeignKey("bundles.id"), primary_key=True),
        sa.Column("service_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("booked", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.CheckConstraint("booked >= 0", name="ck_bundle_items_booked_not_negative"),
        sa.CheckConstraint("used >= 0", name="ck_bundle_items_used_not_negative"),
        sa.CheckConstraint("total - booked - used >= 0",
                           name="ck_bundle_items_remaining_not_negative"),
    )

    op.create_table(
        "bundle_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bundle_id", sa.String(40), sa.ForeignKey("bundles.id"), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.String(64), nullable=True),
        sa.Column("seq", sa.Integer, nullable=False, server_default="0"),
        sa.Column("d_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("d_booked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("d_used", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("bundle_id", "ref_id", "kind", "seq",
                            name="uq_bundle_entries_bundle_ref_kind_seq"),
    )
    op.create_index("ix_bundle_entries_bundle", "bundle_entries", ["bundle_id", "id"])

    op.create_table(
        "memberships",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("membership_type_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("sale_key", sa.String(400), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("sold_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("org_id", "sale_key", name="uq_memberships_org_sale_key"),
    )
    op.create_index("ix_memberships_org_member", "memberships",
                    ["org_id", "member_id", "starts_on"])
    op.create_index("ix_memberships_org_account", "memberships", ["org_id", "account_id"])
    op.create_index("ix_memberships_org_invoice", "memberships", ["org_id", "invoice_id"])


def downgrade():
    op.drop_table("memberships")
    op.drop_table("bundle_entries")
    op.drop_table("bundle_items")
    op.drop_table("bundles")
    op.drop_table("pass_entries")
    op.drop_table("passes")
