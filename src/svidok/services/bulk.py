"""The bulk path: batches of ready rows inserted one transaction per batch.

Each batch commits together with its ledger entry and the import's progress, so a
run killed at any point leaves whole batches only, and a rerun resumes after the last
committed one (ids are assigned up front from the run's recorded start).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Connection, Date, DateTime, Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.domain.ledger import content_hash
from svidok.storage import deferred_indexes
from svidok.storage.models import Base, ImportRun
from svidok.storage.sequences import reset_sequences

from . import ledger, row_commitments
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


def references_unchecked(session: Session) -> bool:
    """Whether this SQLite connection writes without foreign-key enforcement (a bulk load, see
    :func:`loading`): a batch's references are then checked by :func:`verify_references`."""
    return not session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar()


def top_rowid(cursor, table: str) -> int:
    """The table's highest rowid: the rows a batch adds come after it (:func:`verify_references`)."""
    return cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]


def insert_batch(session: Session, batch: Batch, actor: str | None = None) -> None:
    """The batch's rows, table by table (PostgreSQL: COPY; SQLite: prepared ``executemany``).

    On a SQLite connection with foreign-key enforcement off (a bulk load, see
    :func:`loading`), the batch's references are checked afterwards by
    :func:`verify_references`: a dangling one fails the batch like the constraint would.
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
    checking = references_unchecked(session)
    cursor = session.connection().connection.cursor()
    prepared, before = [], {}
    try:
        for name in TABLES:
            rows = batch.rows.get(name)
            if not rows:
                continue
            if checking:
                before[name] = top_rowid(cursor, name)
            p = prepare(dialect, tables[name], rows)
            _execute_sqlite(session, p)
            prepared.append(p)
    finally:
        cursor.close()
    if checking:
        verify_references(session, prepared, before)
    row_commitments.record(session, actor, [_seal_prepared(p, batch.sealed.get(p.table)) for p in prepared])


def _seal_prepared(p: Prepared, packed: row_commitments.Packed | None) -> row_commitments.Sealed:
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


class BrokenReference(ValueError):
    """A row of a bulk batch refers to a record that does not exist."""


def verify_references(session: Session, prepared: list, before: dict[str, int]) -> None:
    """Every foreign key of the rows just inserted names an existing row (SQLite).

    What SQLite's foreign-key enforcement checks row by row (a B-tree probe per reference;
    the cost of each way is in docs/benchmarks.md), done once per column over the batch's rows, which follow the
    table's previous highest rowid (``before``): a reference into the batch's own new
    rows is settled by comparing with their id range when those ids are consecutive (as
    the loaders assign them), and only other references are looked up.
    """
    cursor = session.connection().connection.cursor()
    try:
        new: dict[str, tuple[int, int | None]] = {}  # table -> (rows from rowid, consecutive up to id)
        for p in prepared:
            start = before[p.table]
            count, top = cursor.execute(f"SELECT count(*), max(rowid) FROM {p.table} WHERE rowid > ?",
                                        (start,)).fetchone()
            if count != p.count:
                start = -(2**63)  # some rows went in below the previous maximum: check the whole table
            new[p.table] = (start, top if count == p.count and top - start == count else None)
        for p in prepared:
            start = new[p.table][0]
            for fk in Base.metadata.tables[p.table].foreign_key_constraints:
                column, parent = fk.columns[0].name, fk.referred_table.name
                if column not in p.columns or (column in p.constants and p.constants[column] is None):
                    continue
                lo, hi = new.get(parent, (0, None))
                own = f"AND NOT ({column} > {int(lo)} AND {column} <= {int(hi)})" if hi is not None else ""
                missing = cursor.execute(
                    f"SELECT {column}, count(*) OVER () FROM {p.table} WHERE rowid > ? AND {column} IS NOT NULL "
                    f"{own} AND {column} NOT IN (SELECT id FROM {parent}) LIMIT 1", (start,)).fetchone()
                if missing:
                    raise BrokenReference(f"{p.table}.{column} = {missing[0]!r} refers to no row of {parent}"
                                          f" ({missing[1]} such row{'s' if missing[1] > 1 else ''} in the batch)")
    finally:
        cursor.close()


def _column(values: list, proc) -> list:
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


BIND = "?"  # the expression of a bound column (a literal is never a bare "?")
LOAD_CACHE_KIB = -262144  # PRAGMA cache_size of the load connection (negative: KiB)


def _sql_literal(value) -> str | None:
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


@dataclass(frozen=True)
class Prepared:
    """One table's rows of a batch, ready for the SQLite driver (see :func:`prepare_sqlite`)."""

    table: str
    columns: tuple[str, ...]
    exprs: tuple[str, ...]  # per column: a literal, or the placeholder BIND
    tuples: list[tuple]
    constants: dict  # column -> the (converted) value written as a literal

    @property
    def count(self) -> int:
        return len(self.tuples)

    @property
    def bound(self) -> list[str]:
        return bound_columns(self.columns, self.exprs)


def bound_columns(columns: Sequence[str], exprs: Sequence[str]) -> list[str]:
    """The columns whose values are bound per row (the others are written as literals)."""
    return [c for c, e in zip(columns, exprs) if e == BIND]


def select_list(columns: Sequence[str], exprs: Sequence[str]) -> str:
    """A staging table's columns in ``columns`` order, each literal in its place."""
    return ", ".join(f'"{c}"' if e == BIND else e for c, e in zip(columns, exprs))


def prepare(dialect, table, rows) -> Prepared:
    """``rows`` (a :class:`Rows` or a list of dicts) ready for the SQLite driver."""
    return (_prepare_rowset if isinstance(rows, Rows) else prepare_sqlite)(dialect, table, rows)


def prepare_sqlite(dialect, table, rows: list[dict]) -> Prepared:
    """Rows as driver tuples, converted column by column.

    SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself; the
    columns' own bind processors (dates, booleans, JSON) are applied column-wise instead,
    so values are stored exactly as SQLAlchemy would store them. A column holding one
    value throughout the batch (version, timestamps, creator, most NULLs) is written as
    a literal in the statement rather than bound on every row. Pure: no database access,
    so it can run in another process than the insert.
    """
    n = len(rows)
    keys = list(rows[0])
    exprs, columns, constants = [], [], {}
    # Two C-level passes (rows to tuples, tuples to columns) instead of a lookup per value.
    by_column = list(zip(*map(itemgetter(*keys), rows))) if len(keys) > 1 else [[r[keys[0]] for r in rows]]
    for k, values in zip(keys, by_column):
        first = values[0]
        proc = table.c[k].type._cached_bind_processor(dialect)
        if values.count(first) == n:
            value = proc(first) if proc is not None and first is not None else first
            literal = _sql_literal(value)
            if literal is not None:
                exprs.append(literal)
                constants[k] = value
                continue
        if proc is None:
            column = values
        elif isinstance(table.c[k].type, Date) and not isinstance(table.c[k].type, DateTime) and all(
                v is None or type(v) is date for v in values):
            # SQLite's DATE storage format is exactly date.isoformat(); this is the hot column type.
            column = [None if v is None else v.isoformat() for v in values]
        else:
            column = _column(values, proc)
        exprs.append(BIND)
        columns.append(column)
    tuples = list(zip(*columns)) if columns else [()] * n
    return Prepared(table.name, tuple(keys), tuple(exprs), tuples, constants)


def _prepare_rowset(dialect, table, rows: Rows) -> Prepared:
    """Tuples already in storage form: only the constants are converted (once) into literals."""
    exprs, constants = [BIND] * len(rows.columns), {}
    for k, value in rows.constants.items():
        proc = table.c[k].type._cached_bind_processor(dialect)
        value = proc(value) if proc is not None and value is not None else value
        literal = _sql_literal(value)
        if literal is None:
            raise ValueError(f"{table.name}.{k}: constant {value!r} has no SQL literal; put it in the tuples")
        exprs.append(literal)
        constants[k] = value
    return Prepared(table.name, (*rows.columns, *rows.constants), tuple(exprs), rows, constants)


def _sqlite_insert(session: Session, table, rows: list[dict]) -> None:
    _execute_sqlite(session, prepare_sqlite(session.get_bind().dialect, table, rows))


def _execute_sqlite(session: Session, p: Prepared) -> None:
    """``executemany`` of the prepared tuples on the driver.

    Incidents go through a temporary table and one INSERT … SELECT when the full-text
    trigger is in place: it then runs inside a single statement, several times faster
    than once per row.
    """
    cols = ", ".join(p.columns)
    bound = p.bound
    cursor = session.connection().connection.cursor()
    try:
        if p.table == "incidents" and bound and _has_fts_trigger(cursor):
            stage = f"stage_{p.table}"
            cursor.execute(f"DROP TABLE IF EXISTS temp.{stage}")
            cursor.execute(f"CREATE TEMP TABLE {stage} AS SELECT {', '.join(bound)} FROM {p.table} WHERE 0")
            cursor.executemany(f"INSERT INTO temp.{stage} VALUES ({', '.join(BIND * len(bound))})", p.tuples)
            cursor.execute(f"INSERT INTO {p.table} ({cols}) SELECT {select_list(p.columns, p.exprs)} FROM temp.{stage}")
            cursor.execute(f"DROP TABLE temp.{stage}")
        else:
            cursor.executemany(f"INSERT INTO {p.table} ({cols}) VALUES ({', '.join(p.exprs)})", p.tuples)
    finally:
        cursor.close()


def _has_fts_trigger(cursor) -> bool:
    return cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                          (deferred_indexes.FTS_TRIGGER,)).fetchone() is not None


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
