"""SQLite: an index that finds the victims of a status (and harm) filter.

A victim filter that matches few victims ("prisoners of war" + "killed") is now resolved
to its incidents first (``services.incident_queries.acts_of_few_victims``) instead of a
newest-first walk through every incident (1.6 s at 1,000,000 incidents). Deciding that
reads at most 1,001 matching victims; this index makes that read cheap when the status
is given — from the index alone when the harm is too. One index for both: building it
costs a bulk load of 1,000,000 incidents ~1.3 s (two, like PostgreSQL's pair of
migration 0007, ~2.8 s). PostgreSQL keeps migration 0007's indexes.

Revision ID: 0009_sqlite_victim_filter_index
Revises: 0008_partial_reference_indexes
"""

from alembic import op

revision = "0009_sqlite_victim_filter_index"
down_revision = "0008_partial_reference_indexes"
branch_labels = None
depends_on = None

NAME = "ix_victims_status_harm_act_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX {NAME} ON victims (status, harm, act_id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {NAME}")
