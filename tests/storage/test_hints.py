"""``indexed_by`` makes SQLite read a table through the named index, changes nothing on
PostgreSQL, and touches no other statement."""

import pytest
from sqlalchemy import event, func, literal_column, select

from svidok.storage.hints import indexed_by
from svidok.storage.models import CustodyEpisode

OPEN = [literal_column("'in_custody'"), literal_column("'unknown'")]


def _count_open(table):
    return select(func.count()).select_from(table).where(table.c.deleted_at.is_(None), table.c.outcome.in_(OPEN))


def test_sqlite_reads_through_the_named_index_and_postgresql_runs_the_plain_query(app):
    hinted = _count_open(indexed_by(CustodyEpisode.__table__, "ix_custody_episodes_open_by_last_sign"))
    sql = str(hinted.compile(app.db.engine))
    with app.db.engine.connect() as c:
        assert c.scalar(hinted) == 0
        if app.db.dialect == "sqlite":
            assert "INDEXED BY ix_custody_episodes_open_by_last_sign" in sql
            plan = " ".join(r[-1] for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "ix_custody_episodes_open_by_last_sign" in plan
        else:
            assert "INDEXED BY" not in sql
    # the table itself, in any other statement, is left alone
    assert "INDEXED BY" not in str(_count_open(CustodyEpisode.__table__).compile(app.db.engine))


def test_two_hints_on_one_table_do_not_share_a_cached_statement(sqlite_app):
    sent = []
    event.listen(sqlite_app.db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    with sqlite_app.db.engine.connect() as c:
        for index in ("ix_custody_episodes_open_by_last_sign", "ix_custody_episodes_outcome") * 2:
            assert c.scalar(_count_open(indexed_by(CustodyEpisode.__table__, index))) == 0
    assert [s.split("INDEXED BY ")[1].split()[0] for s in sent] == [
        "ix_custody_episodes_open_by_last_sign", "ix_custody_episodes_outcome"] * 2


def test_an_index_the_table_does_not_have_is_refused():
    with pytest.raises(ValueError, match="no index"):
        indexed_by(CustodyEpisode.__table__, "ix_nowhere")
