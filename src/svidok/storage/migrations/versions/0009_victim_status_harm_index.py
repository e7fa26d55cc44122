"""Victims by status and harm: the rare filter combinations read from an index.

A victim filter that matches few victims ("prisoners of war" + "killed") used to make the
incident list walk every incident (1.6 s at 1,000,000 incidents on SQLite). SQLite cannot
start from victims by itself, so the incident list now first reads at most 1,001 matching
victims (``services.incident_queries.acts_of_few_victims``); this index makes that a few
index entries when the status is given, and none at all from the table when the harm is
too. On PostgreSQL the planner starts from victims by itself (statistics of migration
0007), but with only ``(status, act_id)`` it read the rows of all 48,407 prisoners of war
to find none killed (60 ms); with this index it finds none in the index (4 ms).

Building it costs a SQLite bulk load of 1,000,000 incidents ~1.3 s of CPU (two indexes,
like PostgreSQL's pair of migration 0007, would cost ~2.8 s).

Revision ID: 0009_victim_status_harm_index
Revises: 0008_partial_reference_indexes
"""

from alembic import op

revision = "0009_victim_status_harm_index"
down_revision = "0008_partial_reference_indexes"
branch_labels = None
depends_on = None

NAME = "ix_victims_status_harm_act_id"


def upgrade() -> None:
    op.execute(f"CREATE INDEX {NAME} ON victims (status, harm, act_id)")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {NAME}")
