"""The bulk path: batches of ready rows inserted one transaction per batch.

Each batch commits together with its ledger entry and the import's progress, so a
run killed at any point leaves whole batches only, and a rerun resumes after the last
committed one (ids are assigned up front from the run's recorded start).

The SQLite driver side (rows prepared for ``executemany``, set-wise reference checks) is
in :mod:`.bulk_sqlite`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Connection, Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.domain.ledger import content_hash
from svidok.storage import deferred_indexes
from svidok.storage.models import Base, ImportRun
from svidok.storage.sequences import reset_sequences

from . import bulk_sqlite, ledger, row_commitments
from .demo_data import TABLES, Batch
from .rowsets import Rows

if TYPE_CHECKING:
    from svidok.app import Svidok


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
    from . import bulk_spill

    if isinstance(batch, bulk_spill.Spilled):
        bulk_spill.insert_spilled(s, batch, actor.username)
        counts = {t.table: t.count for t in batch.tables if t.count}
        first = batch.first_incident
    else:
        insert_batch(s, batch, actor.username)
        counts = {t: len(r) for t, r in batch.rows.items() if r}
        first = first_incident(batch)
    ledger.append(s, actor.username, "bulk.load", "import_run", run_id,
                  content_hash({"batch": i, "first_incident": first, "counts": counts}))
    run = s.get(ImportRun, run_id)
    done = dict(run.counts or {})
    done["batches"] = i + 1
    done["incidents"] = done.get("incidents", 0) + batch.incidents
    s.execute(update(ImportRun).where(ImportRun.id == run_id).values(counts=done))


def first_incident(batch: Batch) -> int | None:
    """The id of the batch's first incident (named in its ledger entry)."""
    incidents = batch.rows.get("incidents")
    if not incidents:
        return None
    return incidents.first("id") if isinstance(incidents, Rows) else incidents[0]["id"]


def insert_batch(session: Session, batch: Batch, actor: str | None = None) -> None:
    """The batch's rows, table by table (PostgreSQL: COPY; SQLite: prepared ``executemany``).

    On a SQLite connection with foreign-key enforcement off (a bulk load, see
    :func:`loading`), the batch's references are checked afterwards by
    :func:`.bulk_sqlite.verify_references`: a dangling one fails the batch like the constraint would.
    The rows are committed to the ledger with the batch (``services.row_commitments``):
    on SQLite the storage-form tuples as written, on PostgreSQL the rows read back.
    """
    tables = Base.metadata.tables
    dialect = session.get_bind().dialect
    actor = actor or session.info.get(row_commitments.ACTOR, "svidok")
    if dialect.name == "postgresql":
        sealed = []
        for name in TABLES:
            if batch.rows.get(name):
                _copy(session, tables[name], batch.rows[name])
                sealed += row_commitments.seal_read(session.connection(), name, _keys(name, batch.rows[name]))
        row_commitments.record(session, actor, sealed)
        return
    checking = bulk_sqlite.references_unchecked(session)
    cursor = session.connection().connection.cursor()
    prepared, before = [], {}
    try:
        for name in TABLES:
            rows = batch.rows.get(name)
            if not rows:
                continue
            if checking:
                before[name] = bulk_sqlite.top_rowid(cursor, name)
            p = bulk_sqlite.prepare(dialect, tables[name], rows)
            bulk_sqlite._execute_sqlite(session, p)
            prepared.append(p)
    finally:
        cursor.close()
    if checking:
        bulk_sqlite.verify_references(session, prepared, before)
    row_commitments.record(session, actor, [_seal_prepared(p, batch.sealed.get(p.table)) for p in prepared])


def _seal_prepared(p: bulk_sqlite.Prepared, packed: row_commitments.Packed | None) -> row_commitments.Sealed:
    """The tuples as the driver wrote them (packed already by the producer if it could), the literal columns as constants."""
    return row_commitments.seal(p.table, p.bound, p.tuples, p.constants, packed=packed)


def _keys(table: str, rows: list) -> list[tuple]:
    cols = row_commitments.key_of(table)
    if isinstance(rows, Rows):
        if all(c in rows.columns for c in cols):
            return list(map(itemgetter(*[rows.columns.index(c) for c in cols]), rows)) if len(cols) > 1 \
                else [(t[rows.columns.index(cols[0])],) for t in rows]
        rows = rows.as_dicts()
    return [tuple(r[c] for c in cols) for r in rows]


LOAD_CACHE_KIB = -262144  # PRAGMA cache_size of the load connection (negative: KiB)


def _copy(session: Session, table, rows: list[dict]) -> None:
    """PostgreSQL COPY: an order of magnitude faster than INSERT for large batches."""
    from psycopg.types.json import Jsonb

    dbapi = session.connection().connection.driver_connection
    if isinstance(rows, Rows):
        # Storage-form tuples: ISO dates, JSON text and 0/1 flags are what COPY's text input reads.
        cols, tail = [*rows.columns, *rows.constants], tuple(rows.constants.values())
        with dbapi.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + tail)
        return
    cols = list(rows[0])
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
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


@contextmanager
def loading(engine: Engine, tables: Iterable[str] = TABLES, keep: Iterable[str] = ()) -> Iterator[Connection]:
    """One connection set up for a bulk load into ``tables``, put back as it was afterwards.

    SQLite only (other engines get a plain connection):
    - no fsync per commit: each batch still commits whole or not at all, also on kill -9;
      only a power loss could cost the last batches, and the run resumes before them;
    - foreign keys are checked per batch on sets (:func:`verify_references`) instead of a
      B-tree probe per row;
    - into empty tables (an initial load), secondary indexes and the full-text trigger are
      set aside and built once at the end (``storage.deferred_indexes``), and the batches
      go through a rollback journal instead of the write-ahead log, so each page is
      written once instead of twice. If another connection has the database open, the
      journal stays WAL (readers keep working) and only that saving is lost.
    """
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        emptied = deferred_indexes.set_aside(conn, tables, keep)
        conn.commit()
        journal = _rollback_journal(engine, conn) if emptied else None
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # A larger page cache while loading keeps the B-tree pages that inserts revisit (the
        # unique source-key indexes, the interior pages) in memory: ~3 % at 1,000,000 incidents.
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size={LOAD_CACHE_KIB}")
        conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            try:
                if emptied:
                    deferred_indexes.restore(conn)  # also after a failed load: nothing waits for the next start
                    conn.commit()
                if journal:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
                conn.commit()
            except BaseException:
                conn.invalidate()  # never hand a connection without foreign keys back to the pool
                raise


def _rollback_journal(engine: Engine, conn: Connection) -> bool:
    """Switch the database to a rollback journal if no other connection has it open."""
    for attempt in range(2):
        try:
            return conn.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar() == "delete"
        except OperationalError:
            if attempt == 0:
                engine.pool.dispose()  # idle pooled connections of this process count as open
    return False


def load(app: Svidok, actor: Actor, run_id: int, batches: Iterable, skip: int = 0,
         progress: Callable[[int], None] | None = None) -> int:
    """Insert batches after the first ``skip`` (already committed); returns incidents inserted.

    A batch is a :class:`Batch` of rows, or (SQLite) a ``bulk_spill.Spilled`` scratch file.
    """
    from . import bulk_spill

    total = 0
    with no_gc_pauses(), loading(app.db.engine) as conn:
        for i, batch in enumerate(batches):
            if i < skip:
                continue
            # a scratch file is attached before the transaction begins and detached after it ends
            scratch = bulk_spill.attached(conn, batch) if isinstance(batch, bulk_spill.Spilled) else nullcontext()
            with scratch, Session(bind=conn) as s, s.begin():
                _commit_batch(s, actor, run_id, i, batch)
            total += batch.incidents
            if progress:
                progress(batch.incidents)
    if app.db.dialect == "postgresql":
        # Fresh statistics (incl. the extended ones of migration 0007) for the planner: right
        # after COPY the tables have none until autovacuum comes round.
        with app.db.engine.connect() as conn:
            conn.exec_driver_sql(f"ANALYZE {', '.join((*TABLES, 'places', 'place_occupation'))}")
            conn.commit()
    with app.db.session() as s:
        reset_sequences(s.connection())
        s.execute(update(ImportRun).where(ImportRun.id == run_id)
                  .values(status="finished", finished_at=datetime.now(UTC)))
    return total
