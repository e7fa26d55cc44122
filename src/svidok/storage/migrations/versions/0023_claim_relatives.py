"""Close family members of a victim who may claim to the Register of Damage, recorded with consent.

Revision ID: 0023_claim_relatives
Revises: 0014_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_claim_relatives"
down_revision = "0022_sharing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_relatives",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relationship", sa.String(length=30), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("contact_enc", sa.LargeBinary(), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("consent_date", sa.String(length=20), nullable=False),
        sa.Column("consent_scope", sa.Text(), nullable=True),
        sa.Column("representative", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("import_source", sa.String(length=200), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("confidentiality", sa.String(length=30), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_claim_relatives_case_id_cases"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name="fk_claim_relatives_person_id_persons"),
        sa.PrimaryKeyConstraint("id", name="pk_claim_relatives"),
    )
    op.create_index("ix_claim_relatives_case_id", "claim_relatives", ["case_id"])
    op.create_index("ix_claim_relatives_person_id", "claim_relatives", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_relatives_person_id", table_name="claim_relatives")
    op.drop_index("ix_claim_relatives_case_id", table_name="claim_relatives")
    op.drop_table("claim_relatives")
