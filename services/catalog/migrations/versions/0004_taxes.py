"""catalog: the org's tax settings and each sellable thing's tax codes (R7.1)

``orgs``: ``address`` (free text, lines separated by newlines), ``prices_include_tax``
(false: North American, taxes added on top; true: VAT style) and ``taxes`` (JSON list of
``{code, name, rate, registration_number}``, the rate a decimal string in percent, stored
exactly as normalised, e.g. ``"9.975"``). An existing org has no taxes: it behaves as before.

``tax_codes`` (JSON, nullable) on activities, services, pass type terms (versioned with the
other terms, R2.9), bundle types, membership types and subscription plans: NULL means all
the org's taxes (the default), ``[]`` exempt, else the codes that apply.

Revision ID: 0004_taxes
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_taxes"
down_revision = "0003"
branch_labels = None
depends_on = None

SELLABLE = ("activities", "services", "pass_type_terms", "bundle_types", "membership_types",
            "subscription_plans")


def upgrade():
    with op.batch_alter_table("orgs") as batch:
        batch.add_column(sa.Column("address", sa.Text(), nullable=True))
        batch.add_column(sa.Column("prices_include_tax", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("taxes", sa.JSON(), nullable=True))
    for table in SELLABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tax_codes", sa.JSON(), nullable=True))


def downgrade():
    for table in SELLABLE:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tax_codes")
    with op.batch_alter_table("orgs") as batch:
        batch.drop_column("taxes")
        batch.drop_column("prices_include_tax")
        batch.drop_column("address")
