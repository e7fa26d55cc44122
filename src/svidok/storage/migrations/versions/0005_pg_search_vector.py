"""PostgreSQL: a stored tsvector column for incident search (SQLite keeps its FTS5 table).

The planner estimates matches on a stored vector column from its statistics and filters
without re-tokenising each row, so both rare words (index lookups) and very common words
(newest-first scan) are fast. The column is generated, so no code writes it.

Revision ID: 0005_pg_search_vector
Revises: 0004_evidence_size_bigint
"""

from alembic import op

revision = "0005_pg_search_vector"
down_revision = "0004_evidence_size_bigint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE incidents ADD COLUMN search_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED"
    )
    op.execute("CREATE INDEX ix_incidents_search_tsv ON incidents USING gin (search_tsv)")
    op.execute("DROP INDEX IF EXISTS ix_incidents_search")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_incidents_search ON incidents USING gin (to_tsvector('simple', coalesce(search_text, '')))")
    op.execute("DROP INDEX IF EXISTS ix_incidents_search_tsv")
    op.execute("ALTER TABLE incidents DROP COLUMN search_tsv")
