"""The bulk path: batches of ready rows inserted one transaction per batch.

Each batch commits together with its ledger entry and the import's progress, so a
run killed at any point leaves whole batches only, and a rerun resumes after the last
committed one (ids are assigned up front from the run's recorded start).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Date, DateTime, select, update
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


def _sqlite_value(col_type) -> Callable[[Any], Any] | None:  # noqa: ANN001
    """How SQLAlchemy would store a value of this type in SQLite (None: as it is)."""
    if isinstance(col_type, DateTime):
        return lambda v: v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(col_type, Date):
        return lambda v: v.isoformat()
    if isinstance(col_type, JSON):
        return lambda v: json.dumps(v, ensure_ascii=False)
    return None


def _sqlite_insert(session: Session, table, rows: list[dict]) -> None:  # noqa: ANN001
    """executemany on the driver with tuples built column by column: most of the Python
    cost of a wide bulk insert is per value, so conversions run only on the typed columns."""
    cols = list(rows[0])
    tuples = list(map(itemgetter(*cols), rows))
    typed = [(i, _sqlite_value(table.c[c].type)) for i, c in enumerate(cols)]
    typed = [(i, f) for i, f in typed if f is not None]
    if typed:
        columns = list(zip(*tuples))  # transposing in C is cheaper than touching each value in Python
        for i, convert in typed:
            values = columns[i]
            if isinstance(table.c[cols[i]].type, JSON):
                columns[i] = [None if v is None else convert(v) for v in values]
            else:  # dates and times repeat a lot in a batch: convert each distinct value once
                memo = {v: convert(v) for v in set(values) if v is not None}
                columns[i] = [None if v is None else memo[v] for v in values]
        tuples = list(zip(*columns))
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    session.connection().connection.driver_connection.executemany(sql, tuples)


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
