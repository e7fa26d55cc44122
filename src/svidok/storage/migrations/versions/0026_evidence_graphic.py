"""An evidence item can be marked graphic (at upload or by a reviewer); a user chooses whether all media,
or only media marked graphic, is blurred; timestamps may be OpenTimestamps proofs.

Revision ID: 0026_evidence_graphic
Revises: 0018_capture_jobs_blur
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_evidence_graphic"
down_revision = "0018_capture_jobs_blur"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timestamps") as b:
        b.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="rfc3161"))
    with op.batch_alter_table("evidence_items") as b:
        b.add_column(sa.Column("graphic", sa.Boolean, nullable=False, server_default=sa.false()))
    # On for everyone, as before this column: a reviewer opts out of blurring unmarked media, never in.
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("blur_all_media", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.drop_column("blur_all_media")
    with op.batch_alter_table("evidence_items") as b:
        b.drop_column("graphic")
    with op.batch_alter_table("timestamps") as b:
        b.drop_column("kind")
