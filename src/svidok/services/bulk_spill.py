"""Bulk batches handed over as scratch SQLite files: the producer binds, the loader copies.

Python's sqlite3 driver binds every value of every row on its own (0.07 µs for an integer,
0.35 µs for a NULL; a demo incident has about 108 values across its 16 rows), and that
binding was most of a SQLite bulk load's time. Here a producer — a forked process on the
machine's other core (``services.import_pipeline``) — builds each batch, packs it for the
ledger as before, and writes its rows into a scratch database file of its own; it hands
over only the file's name and what the loader needs to know. The loader attaches the file
and copies each table with one ``INSERT … SELECT``: the values go from file to file inside
SQLite, in the same transaction as the batch's ledger entry and progress, so a batch still
commits whole or not at all. Column affinities apply on the copy exactly as on a bound
insert, so the stored values (and their row commitments) are those the direct path writes.

A scratch file is deleted once its batch has committed; files a killed load left behind
are deleted when the next load starts. One load at a time per database (as SQLite allows).
SQLite only: PostgreSQL loads by COPY.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from svidok.storage.models import Base

from . import bulk, bulk_sqlite, import_pipeline, row_commitments
from .demo_data import TABLES, Batch

if TYPE_CHECKING:
    from svidok.app import Svidok

SCHEMA = "bulk_scratch"  # the name the scratch file is attached under


@dataclass(frozen=True)
class SpilledTable:
    """One table's rows in a scratch file: ``columns`` as written, each from the scratch
    table (``exprs`` item :data:`bulk_sqlite.BIND`) or a literal shared by every row."""

    table: str
    columns: tuple[str, ...]
    exprs: tuple[str, ...]
    constants: dict
    count: int

    @property
    def bound(self) -> list[str]:
        return bulk_sqlite.bound_columns(self.columns, self.exprs)


@dataclass(frozen=True)
class Spilled:
    """A batch written to a scratch file by the producer."""

    path: str
    incidents: int
    first_incident: int | None
    tables: tuple[SpilledTable, ...]
    sealed: dict  # table -> row_commitments.Packed
    producer_cpu: float  # CPU seconds the producer had spent when it handed this batch over


def scratch_dir(app: Svidok) -> Path | None:
    """Where a load into this SQLite database keeps its scratch files (beside the database)."""
    if app.db.dialect != "sqlite":
        return None
    database = app.db.engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve().parent / ".bulk-scratch"


def worth_it(app: Svidok) -> bool:
    """A file-backed SQLite database, a second core, and fork available."""
    return scratch_dir(app) is not None and import_pipeline.can_fork()


def spill(dialect, batch: Batch, path: Path, producer_cpu: float = 0.0) -> Spilled:
    """Write ``batch``'s rows into a new scratch database at ``path`` (the producer's side)."""
    tables: list[SpilledTable] = []
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # A scratch file is only handed over once complete, so it needs no journal.
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN")
        for name in TABLES:
            rows = batch.rows.get(name)
            if not rows:
                continue
            p = bulk_sqlite.prepare(dialect, Base.metadata.tables[name], rows)
            bound = p.bound
            # Untyped columns keep each value's storage class; the copy applies the real affinities.
            cols = ", ".join(f'"{c}"' for c in bound) or '"_"'
            db.execute(f'CREATE TABLE "{name}" ({cols})')
            marks = ", ".join("?" * len(bound)) or "NULL"
            db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', p.tuples)
            tables.append(SpilledTable(name, p.columns, p.exprs, p.constants, len(p.tuples)))
        db.execute("COMMIT")
    finally:
        db.close()
    return Spilled(str(path), batch.incidents, bulk.first_incident(batch), tuple(tables), dict(batch.sealed),
                   producer_cpu)


def spilled_batches(app: Svidok, batches: Iterator[Batch], skip: int = 0) -> Iterator[Spilled | None]:
    """``batches`` written to scratch files by a forked child, as they become ready.

    The first ``skip`` batches (committed by an earlier run) are generated (the generator
    is deterministic) but not written: ``None`` stands for each.
    """
    root = scratch_dir(app)
    shutil.rmtree(root, ignore_errors=True)  # files of a load that was killed
    root.mkdir(parents=True, exist_ok=True)
    dialect = app.db.engine.dialect

    def produce() -> Iterator[Spilled | None]:
        for i, batch in enumerate(batches):
            if i < skip:
                yield None
                continue
            yield spill(dialect, batch, root / f"batch-{i:06d}.db", time.process_time())

    try:
        yield from import_pipeline.batches_from_child(app, produce)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def attached(conn, spilled: Spilled) -> Iterator[None]:
    """The batch's scratch file attached to the load's connection (outside any transaction:
    SQLite attaches and detaches only between transactions), then detached and deleted."""
    dbapi = conn.connection.dbapi_connection
    dbapi.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (spilled.path,))
    try:
        yield
    finally:
        dbapi.execute(f"DETACH DATABASE {SCHEMA}")
        Path(spilled.path).unlink(missing_ok=True)


def insert_spilled(session: Session, spilled: Spilled, actor: str) -> None:
    """Copy the attached scratch file's tables into the database (the loader's side).

    As :func:`bulk.insert_batch` does with tuples: references checked per batch when
    foreign keys are off, and the rows committed to the ledger (packed by the producer).
    """
    checking = bulk_sqlite.references_unchecked(session)
    cursor = session.connection().connection.cursor()
    before: dict[str, int] = {}
    try:
        for t in spilled.tables:
            if checking:
                before[t.table] = bulk_sqlite.top_rowid(cursor, t.table)
            copy_table(cursor, t)
    finally:
        cursor.close()
    if checking:
        bulk_sqlite.verify_references(session, list(spilled.tables), before)
    row_commitments.record(session, actor, [
        row_commitments.seal(t.table, t.bound, None, t.constants, packed=spilled.sealed.get(t.table), count=t.count)
        for t in spilled.tables])


def copy_table(cursor, t: SpilledTable) -> None:
    """One table's rows from the scratch file, literals filled in: one statement."""
    cursor.execute(f'INSERT INTO main.{t.table} ({", ".join(t.columns)}) '
                   f'SELECT {bulk_sqlite.select_list(t.columns, t.exprs)} FROM {SCHEMA}."{t.table}"')
