"""A capture batch remembers the job that runs it; each user chooses whether evidence media is blurred.

Revision ID: 0018_capture_jobs_blur
Revises: 0014_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_capture_jobs_blur"
down_revision = "0021_figure_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("capture_batches") as b:
        b.add_column(sa.Column("job_id", sa.Integer))
    # On for everyone, existing users included: a reviewer opts out, never in (wellbeing).
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("blur_media", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.drop_column("blur_media")
    with op.batch_alter_table("capture_batches") as b:
        b.drop_column("job_id")
