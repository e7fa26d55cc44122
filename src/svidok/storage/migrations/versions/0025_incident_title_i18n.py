"""An incident's title in other languages ({"uk": "..."}), beside its narrative's.

Revision ID: 0025_incident_title_i18n
Revises: 0018_capture_jobs_blur
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_incident_title_i18n"
down_revision = "0024_key_id_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as b:
        b.add_column(sa.Column("title_i18n", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as b:
        b.drop_column("title_i18n")
