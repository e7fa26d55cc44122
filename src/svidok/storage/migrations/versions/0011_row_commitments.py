"""Row commitments: every record row committed to the ledger when written.

Revision ID: 0011_row_commitments
Revises: 0009_victim_status_harm_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_row_commitments"
down_revision = "0010_server_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "row_commitments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tbl", sa.String(40), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("const_columns", sa.Text(), nullable=False),
        sa.Column("const_values", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("rows", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_row_commitments"),
    )
    op.create_index("ix_row_commitments_seq", "row_commitments", ["seq"])
    op.create_index("ix_row_commitments_tbl", "row_commitments", ["tbl", "id"])


def downgrade() -> None:
    op.drop_table("row_commitments")
