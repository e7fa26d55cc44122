"""Exchange between installations: own exchange keys, partners, sharing rules, packages, provenance, links.

Revision ID: 0022_sharing
Revises: 0014_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_sharing"
down_revision = "0019_incident_duplicates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "share_identity",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("encryption_key", sa.String(60), nullable=False),
        sa.Column("signing_key", sa.String(60), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_identity"),
    )
    op.create_table(
        "share_partners",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("encryption_key", sa.String(60), nullable=False),
        sa.Column("signing_key", sa.String(60), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("notes", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_share_partners"),
        sa.UniqueConstraint("name", name="uq_share_partners_name"),
    )
    op.create_table(
        "share_rules",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("share_partners.id", name="fk_share_rules_partner_id_share_partners"),
                  nullable=False),
        sa.Column("filter", sa.JSON, nullable=False),
        sa.Column("ceiling", sa.String(30), nullable=False),
        sa.Column("consent", sa.String(30), nullable=False),
        sa.Column("coordinates", sa.String(20), nullable=False),
        sa.Column("evidence", sa.String(20), nullable=False),
        sa.Column("victim_names", sa.Boolean, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_rules"),
        sa.UniqueConstraint("partner_id", name="uq_share_rules_partner_id"),
    )
    op.create_table(
        "share_packages",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("partner_id", sa.Integer,
                  sa.ForeignKey("share_partners.id", name="fk_share_packages_partner_id_share_partners"), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("processed_at", ts, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_packages"),
        sa.UniqueConstraint("partner_id", "direction", "sequence", name="uq_share_packages_sequence"),
    )
    op.create_index("ix_share_packages_partner_id", "share_packages", ["partner_id"])
    op.create_table(
        "share_records",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("partner_id", sa.Integer,
                  sa.ForeignKey("share_partners.id", name="fk_share_records_partner_id_share_partners"), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("local_id", sa.Integer, nullable=False),
        sa.Column("origin_org", sa.String(200), nullable=False),
        sa.Column("origin_id", sa.Integer, nullable=False),
        sa.Column("origin_version", sa.Integer, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("local_version", sa.Integer, nullable=False),
        sa.Column("package_id", sa.Integer,
                  sa.ForeignKey("share_packages.id", name="fk_share_records_package_id_share_packages")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pending", sa.JSON),
        sa.Column("extra", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_share_records"),
        sa.UniqueConstraint("partner_id", "direction", "entity", "origin_org", "origin_id", name="uq_share_records_origin"),
    )
    op.create_index("ix_share_records_local", "share_records", ["entity", "local_id"])
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("same_as_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_links"),
        sa.UniqueConstraint("entity", "record_id", name="uq_share_links_record"),
    )
    op.create_index("ix_share_links_same_as_id", "share_links", ["same_as_id"])


def downgrade() -> None:
    for name in ("share_links", "share_records", "share_packages", "share_rules", "share_partners", "share_identity"):
        op.drop_table(name)
