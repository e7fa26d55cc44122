"""The Alembic migrations build exactly the schema the models describe, on both engines."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from svidok.storage import migrate
from svidok.storage.models import Base


def test_empty_database_upgrades_to_head_matching_the_models(app):
    # the fixture's database was upgraded from empty to head; upgrading again is a no-op
    migrate.upgrade(app.db.engine)
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    assert migrate.current_revision(app.db.engine) == heads[0]
    with app.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if not _search_index(d)] == []
    tables = set(inspect(app.db.engine).get_table_names())
    assert {"incidents", "acts", "victims", "persons", "ledger_entries", "record_versions"} <= tables


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_app):
    with sqlite_app.db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _search_index(d) -> bool:
    """The full-text index (FTS5 tables / stored tsvector and its GIN index) lives outside the models on purpose."""
    if d[0] == "remove_table":
        return d[1].name.startswith("incident_fts")
    if d[0] == "remove_index":
        return d[1].name == "ix_incidents_search_tsv"
    if d[0] == "remove_column":
        return d[2] == "incidents" and d[3].name == "search_tsv"
    return False
