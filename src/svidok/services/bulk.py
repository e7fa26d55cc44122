"""The bulk path: batches of ready rows inserted one transaction per batch.

Each batch commits together with its ledger entry and the import's progress, so a
run killed at any point leaves whole batches only, and a rerun resumes after the last
committed one (ids are assigned up front from the run's recorded start).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from operator import itemgetter

from sqlalchemy import JSON, Date, DateTime, select, update
from sqlalchemy.orm import Session

from svidok.domain.ledger import content_hash
from svidok.storage import deferred_indexes
from svidok.storage.models import Base, ImportRun
from svidok.storage.sequences import reset_sequences

from . import ledger
from .actors import Actor
from .demo_data import TABLES, Batch


def start_run(session: Session, name: str, actor: Actor, file_sha256: str, mapping: dict) -> ImportRun:
    """The unfinished run of this name (to resume), or a new one."""
    run = session.scalar(select(ImportRun).where(ImportRun.name == name).order_by(ImportRun.id.desc()).limit(1))
    if run is not None and run.status in ("running", "finished"):
        return run
    run = ImportRun(name=name, file_sha256=file_sha256, mapping=mapping, actor=actor.username,
                    counts={"batches": 0, "incidents": 0}, status="running")
    session.add(run)
    session.flush()
    return run


def _commit_batch(s: Session, actor: Actor, run_id: int, i: int, batch: Batch) -> None:
    """One batch, its ledger entry and the run's progress: one transaction."""
    insert_batch(s, batch)
    counts = {t: len(r) for t, r in batch.rows.items() if r}
    first = batch.rows["incidents"][0]["id"] if batch.rows["incidents"] else None
    ledger.append(s, actor.username, "bulk.load", "import_run", run_id,
                  content_hash({"batch": i, "first_incident": first, "counts": counts}))
    run = s.get(ImportRun, run_id)
    done = dict(run.counts or {})
    done["batches"] = i + 1
    done["incidents"] = done.get("incidents", 0) + batch.incidents
    s.execute(update(ImportRun).where(ImportRun.id == run_id).values(counts=done))


def insert_batch(session: Session, batch: Batch) -> None:
    tables = Base.metadata.tables
    postgres = session.get_bind().dialect.name == "postgresql"
    for name in TABLES:
        rows = batch.rows.get(name)
        if not rows:
            continue
        if postgres:
            _copy(session, tables[name], rows)
        else:
            _sqlite_insert(session, tables[name], rows)


def _column(values: list, proc) -> list:  # noqa: ANN001
    """Apply a bind processor, once per distinct value (timestamps and dates repeat a lot)."""
    memo: dict = {}
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            got = memo.get(v)
        except TypeError:  # unhashable (JSON)
            out.append(proc(v))
            continue
        if got is None:
            got = memo[v] = proc(v)
        out.append(got)
    return out


def _sql_literal(value) -> str | None:  # noqa: ANN001
    """``value`` (already converted for the driver) as an SQLite literal, or None if it has none."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    return None  # floats and anything else stay bound parameters


def _sqlite_insert(session: Session, table, rows: list[dict]) -> None:  # noqa: ANN001
    """``executemany`` of tuples on the driver, values converted column by column.

    SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself; the
    columns' own bind processors (dates, booleans, JSON) are applied column-wise instead,
    so values are stored exactly as SQLAlchemy would store them. A column holding one
    value throughout the batch (version, timestamps, creator, most NULLs) is written as
    a literal in the statement rather than bound on every row. Incidents go through a
    temporary table and one INSERT … SELECT when the full-text trigger is in place: it
    then runs inside a single statement, several times faster than once per row.
    """
    dialect = session.get_bind().dialect
    n = len(rows)
    keys = list(rows[0])
    bound, exprs, columns = [], [], []
    # Two C-level passes (rows to tuples, tuples to columns) instead of a lookup per value.
    by_column = list(zip(*map(itemgetter(*keys), rows))) if len(keys) > 1 else [[r[keys[0]] for r in rows]]
    for k, values in zip(keys, by_column):
        first = values[0]
        proc = table.c[k].type._cached_bind_processor(dialect)  # noqa: SLF001 - SQLAlchemy's own conversion
        if values.count(first) == n:
            literal = _sql_literal(proc(first) if proc is not None and first is not None else first)
            if literal is not None:
                exprs.append(literal)
                continue
        bound.append(k)
        exprs.append("?")
        if proc is None:
            columns.append(values)
        elif isinstance(table.c[k].type, Date) and not isinstance(table.c[k].type, DateTime) and all(
                v is None or type(v) is date for v in values):
            # SQLite's DATE storage format is exactly date.isoformat(); this is the hot column type.
            columns.append([None if v is None else v.isoformat() for v in values])
        else:
            columns.append(_column(values, proc))
    tuples = list(zip(*columns)) if columns else [()] * n
    cols = ", ".join(keys)
    cursor = session.connection().connection.cursor()
    try:
        if table.name == "incidents" and _has_fts_trigger(cursor) and bound:
            stage = f"stage_{table.name}"
            cursor.execute(f"DROP TABLE IF EXISTS temp.{stage}")
            cursor.execute(f"CREATE TEMP TABLE {stage} AS SELECT {', '.join(bound)} FROM {table.name} WHERE 0")
            cursor.executemany(f"INSERT INTO temp.{stage} VALUES ({', '.join('?' * len(bound))})", tuples)
            picked = iter(bound)
            select_list = ", ".join(next(picked) if e == "?" else e for e in exprs)
            cursor.execute(f"INSERT INTO {table.name} ({cols}) SELECT {select_list} FROM temp.{stage}")  # noqa: S608
            cursor.execute(f"DROP TABLE temp.{stage}")
        else:
            cursor.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join(exprs)})", tuples)  # noqa: S608
    finally:
        cursor.close()


def _has_fts_trigger(cursor) -> bool:  # noqa: ANN001
    return cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                          (deferred_indexes.FTS_TRIGGER,)).fetchone() is not None


def _copy(session: Session, table, rows: list[dict]) -> None:  # noqa: ANN001
    """PostgreSQL COPY: an order of magnitude faster than INSERT for large batches."""
    from psycopg.types.json import Jsonb

    cols = list(rows[0])
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    dbapi = session.connection().connection.driver_connection
    with dbapi.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([Jsonb(row[c]) if c in json_cols and row[c] is not None else row[c] for c in cols])


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk load.

    A load allocates millions of short-lived tuples and dicts without cycles; the collector
    would rescan them again and again (a quarter to a third of the CPU time) for nothing.
    Reference counting still frees them; cycles wait until the load ends.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load(app, actor: Actor, run_id: int, batches: Iterable[Batch], skip: int = 0,  # noqa: ANN001
         progress: Callable[[int], None] | None = None) -> int:
    """Insert batches after the first ``skip`` (already committed); returns incidents inserted."""
    total = 0
    with no_gc_pauses(), deferred_indexes.during_load(app.db.engine, TABLES), app.db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Each batch commits whole or not at all, also on kill -9; skipping the fsync only
            # risks the last batches on power loss, and the run then resumes before them.
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            conn.commit()
        try:
            for i, batch in enumerate(batches):
                if i < skip:
                    continue
                with Session(bind=conn) as s, s.begin():
                    _commit_batch(s, actor, run_id, i, batch)
                total += batch.incidents
                if progress:
                    progress(batch.incidents)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                conn.commit()
    if app.db.dialect == "postgresql":
        # Fresh statistics (incl. the extended ones of migration 0007) for the planner: right
        # after COPY the tables have none until autovacuum comes round.
        with app.db.engine.connect() as conn:
            conn.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")
            conn.commit()
    with app.db.session() as s:
        reset_sequences(s.connection())
        s.execute(update(ImportRun).where(ImportRun.id == run_id)
                  .values(status="finished", finished_at=datetime.now(timezone.utc)))
    return total
