"""Exchange keys replaced by new ones (a partner's, or this installation's), kept with the reason.

Revision ID: 0028_share_retired_keys
Revises: 0018_capture_jobs_blur
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_share_retired_keys"
down_revision = "0026_evidence_graphic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "share_retired_keys",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column(
            "partner_id",
            sa.Integer,
            sa.ForeignKey("share_partners.id", name="fk_share_retired_keys_partner_id_share_partners"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("key_id", sa.String(20), nullable=False),
        sa.Column("replaced_by", sa.String(60), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_retired_keys"),
    )
    op.create_index("ix_share_retired_keys_partner_id", "share_retired_keys", ["partner_id"])
    op.create_index("ix_share_retired_keys_key", "share_retired_keys", ["key"])


def downgrade() -> None:
    op.drop_index("ix_share_retired_keys_key", table_name="share_retired_keys")
    op.drop_index("ix_share_retired_keys_partner_id", table_name="share_retired_keys")
    op.drop_table("share_retired_keys")
