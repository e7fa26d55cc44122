"""Likely duplicate incidents: candidate pairs, decisions, reversible merges (incidents.merged_into_id).

Revision ID: 0019_incident_duplicates
Revises: 0014_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_incident_duplicates"
down_revision = "0014_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    # SQLite adds a column with a REFERENCES clause in place (no table copy, so the
    # full-text triggers on incidents stay); PostgreSQL takes the named constraint.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE incidents ADD COLUMN merged_into_id INTEGER "
                   "CONSTRAINT fk_incidents_merged_into_id_incidents REFERENCES incidents (id)")
    else:
        op.add_column("incidents", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_incidents_merged_into_id_incidents", "incidents", "incidents",
                              ["merged_into_id"], ["id"])
    where = sa.text("merged_into_id IS NOT NULL")
    op.create_index("ix_incidents_merged_into_id", "incidents", ["merged_into_id"], unique=False,
                    sqlite_where=where, postgresql_where=where)
    op.create_table(
        "incident_duplicate_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id_l", sa.Integer(), nullable=False),
        sa.Column("incident_id_r", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("bits", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("found_by", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", ts, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.ForeignKeyConstraint(["incident_id_l"], ["incidents.id"],
                                name=op.f("fk_incident_duplicate_pairs_incident_id_l_incidents")),
        sa.ForeignKeyConstraint(["incident_id_r"], ["incidents.id"],
                                name=op.f("fk_incident_duplicate_pairs_incident_id_r_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_duplicate_pairs")),
        sa.UniqueConstraint("incident_id_l", "incident_id_r", name="uq_incident_duplicate_pairs_incidents"),
    )
    op.create_index("ix_incident_duplicate_pairs_incident_id_r", "incident_duplicate_pairs", ["incident_id_r"])
    op.create_index("ix_incident_duplicate_pairs_queue", "incident_duplicate_pairs", ["status", "probability"])
    op.create_table(
        "incident_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("previous_merged_into_id", sa.Integer(), nullable=True),
        sa.Column("merged_by", sa.String(100), nullable=False),
        sa.Column("merged_at", ts, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("undone_by", sa.String(100), nullable=True),
        sa.Column("undone_at", ts, nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["incident_duplicate_pairs.id"],
                                name=op.f("fk_incident_merges_pair_id_incident_duplicate_pairs")),
        sa.ForeignKeyConstraint(["survivor_id"], ["incidents.id"], name=op.f("fk_incident_merges_survivor_id_incidents")),
        sa.ForeignKeyConstraint(["merged_id"], ["incidents.id"], name=op.f("fk_incident_merges_merged_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_merges")),
    )
    for col in ("pair_id", "survivor_id", "merged_id"):
        op.create_index(f"ix_incident_merges_{col}", "incident_merges", [col])


def downgrade() -> None:
    op.drop_table("incident_merges")
    op.drop_table("incident_duplicate_pairs")
    op.drop_index("ix_incidents_merged_into_id", table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("merged_into_id")
