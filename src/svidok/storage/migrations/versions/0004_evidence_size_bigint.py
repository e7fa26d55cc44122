"""Evidence sizes as 64-bit integers (files over 2 GiB on PostgreSQL).

Revision ID: 0004_evidence_size_bigint
Revises: 0003_person_linkage
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_evidence_size_bigint"
down_revision = "0003_person_linkage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.alter_column("size", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.alter_column("size", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
