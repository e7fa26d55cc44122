"""The Alembic migrations build exactly the schema the models describe, on both engines."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from svidok.storage import migrate
from svidok.storage.models import Base

#: Migration 0007: PostgreSQL can start a rare victim filter from victims; SQLite cannot use them.
PG_VICTIM_FILTER_INDEXES = {"ix_victims_status_act_id", "ix_victims_harm_act_id"}
#: Migration 0009 (in the models): status and harm together, on both engines.
VICTIM_STATUS_HARM_INDEX = "ix_victims_status_harm_act_id"


def test_empty_database_upgrades_to_head_matching_the_models(app):
    # the fixture's database was upgraded from empty to head; upgrading again is a no-op
    migrate.upgrade(app.db.engine)
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    assert migrate.current_revision(app.db.engine) == heads[0]
    with app.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if not _outside_models(d)] == []
    tables = set(inspect(app.db.engine).get_table_names())
    assert {"incidents", "acts", "victims", "persons", "ledger_entries", "record_versions"} <= tables


def test_victim_filters_have_the_indexes_of_their_engine(app):
    with app.db.engine.connect() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("victims")}
        if app.db.dialect == "postgresql":
            assert PG_VICTIM_FILTER_INDEXES <= indexes
            stats = conn.exec_driver_sql(
                "SELECT stxname, stxkind FROM pg_statistic_ext WHERE stxrelid = 'victims'::regclass").all()
            assert [(name, list(kind)) for name, kind in stats] == [("st_victims_status_harm", ["m"])]
        else:
            assert not PG_VICTIM_FILTER_INDEXES & indexes
        assert VICTIM_STATUS_HARM_INDEX in indexes


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_app):
    with sqlite_app.db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _outside_models(d) -> bool:
    """What lives outside the models on purpose: the full-text index (FTS5 tables / stored tsvector
    and its GIN index) and PostgreSQL's victim-filter indexes (migration 0007)."""
    if d[0] == "remove_table":
        return d[1].name.startswith("incident_fts")
    if d[0] == "remove_index":
        return d[1].name in {"ix_incidents_search_tsv", *PG_VICTIM_FILTER_INDEXES}
    if d[0] == "remove_column":
        return d[2] == "incidents" and d[3].name == "search_tsv"
    return False
