"""Full-text search over incidents: FTS5 on SQLite, a GIN index on PostgreSQL.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # External-content FTS5 table: the text lives once, in incidents.search_text.
        # detail=none keeps token and prefix queries (all we ask) and makes inserts much cheaper.
        op.execute(
            "CREATE VIRTUAL TABLE incident_fts USING fts5("
            "search_text, content='incidents', content_rowid='id', tokenize='unicode61', detail='none', columnsize=0)"
        )
        op.execute(
            "CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents BEGIN "
            "INSERT INTO incident_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents BEGIN "
            "INSERT INTO incident_fts(incident_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER incidents_fts_au AFTER UPDATE OF search_text ON incidents BEGIN "
            "INSERT INTO incident_fts(incident_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            "INSERT INTO incident_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
    else:
        op.execute(
            "CREATE INDEX ix_incidents_search ON incidents USING gin (to_tsvector('simple', coalesce(search_text, '')))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trig in ("incidents_fts_ai", "incidents_fts_ad", "incidents_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS incident_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_incidents_search")
