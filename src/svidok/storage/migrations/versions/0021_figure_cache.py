"""Computed figures shared by the web processes (``services.figure_cache``).

Revision ID: 0021_figure_cache
Revises: 0014_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_figure_cache"
down_revision = "0023_claim_relatives"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figure_cache",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_figure_cache"),
    )


def downgrade() -> None:
    op.drop_table("figure_cache")
