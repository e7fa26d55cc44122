"""The bulk path: batches of ready rows inserted one transaction per batch.

Each batch commits together with its ledger entry and the import's progress, so a
run killed at any point leaves whole batches only, and a rerun resumes after the last
committed one (ids are assigned up front from the run's recorded start).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from operator import itemgetter

from sqlalchemy import JSON, select, update
from sqlalchemy.orm import Session

from svidok.domain.ledger import content_hash
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


def _sqlite_insert(session: Session, table, rows: list[dict]) -> None:  # noqa: ANN001
    """``executemany`` of tuples on the driver, values converted column by column.

    SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself; the
    columns' own bind processors (dates, booleans, JSON) are applied column-wise instead,
    so values are stored exactly as SQLAlchemy would store them. Incidents go through a
    temporary table and one INSERT … SELECT: the full-text trigger then runs inside a
    single statement, several times faster than once per executed row.
    """
    dialect = session.get_bind().dialect
    keys = list(rows[0])
    columns = []
    for k in keys:
        values = list(map(itemgetter(k), rows))
        proc = table.c[k].type._cached_bind_processor(dialect)  # noqa: SLF001 - SQLAlchemy's own conversion
        columns.append(_column(values, proc) if proc is not None else values)
    tuples = list(zip(*columns))
    cols, marks = ", ".join(keys), ", ".join("?" * len(keys))
    cursor = session.connection().connection.cursor()
    try:
        if table.name == "incidents":
            stage = f"temp.stage_{table.name}"
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS stage_{table.name} AS SELECT {cols} FROM {table.name} WHERE 0")
            cursor.execute(f"DELETE FROM {stage}")
            cursor.executemany(f"INSERT INTO {stage} ({cols}) VALUES ({marks})", tuples)
            cursor.execute(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {stage}")
            cursor.execute(f"DELETE FROM {stage}")
        else:
            cursor.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", tuples)
    finally:
        cursor.close()


def _copy(session: Session, table, rows: list[dict]) -> None:  # noqa: ANN001
    """PostgreSQL COPY: an order of magnitude faster than INSERT for large batches."""
    from psycopg.types.json import Jsonb

    cols = list(rows[0])
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    dbapi = session.connection().connection.driver_connection
    with dbapi.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([Jsonb(row[c]) if c in json_cols and row[c] is not None else row[c] for c in cols])


def load(app, actor: Actor, run_id: int, batches: Iterable[Batch], skip: int = 0,  # noqa: ANN001
         progress: Callable[[int], None] | None = None) -> int:
    """Insert batches after the first ``skip`` (already committed); returns incidents inserted."""
    total = 0
    with app.db.engine.connect() as conn:
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
    with app.db.session() as s:
        reset_sequences(s.connection())
        s.execute(update(ImportRun).where(ImportRun.id == run_id)
                  .values(status="finished", finished_at=datetime.now(timezone.utc)))
    return total
