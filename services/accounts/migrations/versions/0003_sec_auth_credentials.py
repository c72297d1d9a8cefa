"""API keys can be revoked; accounts carry a credential version (password changes end
older sessions). docs/security.md.

Revision ID: 0003_sec_auth_credentials
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from services.common.types import UTCDateTime

revision = "0003_sec_auth_credentials"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("api_keys", sa.Column("revoked_at", UTCDateTime, nullable=True))
    op.create_index("ix_api_keys_org_created", "api_keys", ["org_id", "created_at", "id"])
    op.add_column("accounts", sa.Column("credential_version", sa.Integer, nullable=False,
                                        server_default="0"))


def downgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("credential_version")
    op.drop_index("ix_api_keys_org_created", "api_keys")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("revoked_at")
