"""The SQLite side of the bulk path: rows prepared for the driver, ``executemany``, and set-wise reference checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

from sqlalchemy import Date, DateTime
from sqlalchemy.orm import Session

from svidok.storage import deferred_indexes
from svidok.storage.models import Base

from .rowsets import Rows


def references_unchecked(session: Session) -> bool:
    """Whether this SQLite connection writes without foreign-key enforcement (a bulk load, see
    :func:`.bulk.loading`): a batch's references are then checked by :func:`verify_references`."""
    return not session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar()


def top_rowid(cursor, table: str) -> int:
    """The table's highest rowid: the rows a batch adds come after it (:func:`verify_references`)."""
    return cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]


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
