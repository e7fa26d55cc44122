"""Every record row committed to the ledger when it is written (``svidok verify`` re-reads them).

A *commitment* holds the rows of one table written by one transaction or bulk batch,
exactly as stored: the tuples in storage form (the values the database driver returns)
marshalled, compressed, and their SHA-256; the columns every row shares once. The
transaction's ledger entry (``rows.commit``) hashes the digests of its commitments, so
the ledger, chained and sealed by signed tree heads, vouches for every row; a row edited
behind Svidok's back no longer equals its committed copy, and ``verify`` names the
table, the record and the field.

- Single writes (the ORM and Core updates or deletes in a service's session) are
  collected by session events and committed in the same transaction (:func:`install`).
- The bulk path (demo data, imports) seals the tuples it has already built
  (``services.bulk.insert_batch``): one ledger entry per batch.
- Derived columns (the search text, the custody marks triggers maintain) are left out.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from svidok.domain.ledger import canonical_json
from svidok.storage.models import Base, RowCommitment

from . import ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Tables whose rows are records (everything ``svidok verify`` vouches for row by row).
COVERED = (
    "incidents", "acts", "victims", "qualifications", "perpetrators", "incident_sources",
    "persons", "person_names", "person_name_keys", "sources",
    "custody_episodes", "proofs_of_life", "displacements", "hazard_areas", "hazard_casualties",
    "evidence_items", "custody_events", "verification_assessments",
    "interventions", "recommendations", "intervention_statuses", "organisations", "cases", "person_merges",
    "claim_relatives",
)
#: Columns computed from others (search text; custody marks kept by triggers): not committed.
DERIVED = frozenset({"search_text", "person_birth_lo", "person_birth_hi", "person_recorded_child", "person_recorded_older"})
ACTION = "rows.commit"
#: Rows that existed before row commitments (an upgraded installation), committed as they were found.
ADOPT = "rows.adopt"
ACTIONS = frozenset({ACTION, ADOPT})
_COVERED = frozenset(COVERED)


@cache
def columns_of(tbl: str) -> tuple[str, ...]:
    """The committed columns of a table, in table order."""
    return tuple(c.name for c in Base.metadata.tables[tbl].columns if c.name not in DERIVED)


@cache
def key_of(tbl: str) -> tuple[str, ...]:
    return tuple(c.name for c in Base.metadata.tables[tbl].primary_key.columns)


@dataclass(frozen=True)
class Sealed:
    """One table's rows of a write, ready to store (see :class:`RowCommitment`)."""

    tbl: str
    columns: tuple[str, ...]
    const_columns: tuple[str, ...]
    const_values: tuple
    deleted: bool
    count: int
    digest: str
    blob: bytes

    def commit_digest(self) -> bytes:
        """What the ledger entry hashes for this commitment (everything but the compressed copy)."""
        return commit_digest(self.tbl, self.columns, self.const_columns, marshal.dumps(self.const_values, 2),
                             self.deleted, self.count, self.digest)


def commit_digest(tbl: str, columns: Sequence[str], const_columns: Sequence[str], const_values: bytes,
                  deleted: bool, count: int, digest: str) -> bytes:
    head = canonical_json([tbl, list(columns), list(const_columns), bool(deleted), int(count), digest])
    return sha256(head + b"\x00" + bytes(const_values)).digest()


def entry_content(commit_digests: Iterable[bytes]) -> str:
    """The ``content_hash`` of a ``rows.commit`` ledger entry."""
    return sha256(b"".join(commit_digests)).hexdigest()


@dataclass(frozen=True)
class Packed:
    """Tuples marshalled and compressed, with their digest: the costly part of a seal."""

    given: tuple[str, ...]  # the columns of the tuples as given (derived ones included)
    columns: tuple[str, ...]  # the columns kept
    count: int
    digest: str
    blob: bytes


def pack(columns: Sequence[str], tuples: Sequence[tuple]) -> Packed:
    given = columns = tuple(columns)
    if any(c in DERIVED for c in columns):
        keep = [i for i, c in enumerate(columns) if c not in DERIVED]
        columns = tuple(columns[i] for i in keep)
        tuples = [tuple(t[i] for i in keep) for t in tuples]
    raw = marshal.dumps(list(tuples), 2)
    return Packed(given, columns, len(tuples), sha256(raw).hexdigest(), zlib.compress(raw, 1))


def pre_seal(batch) -> None:
    """Pack a bulk batch's storage-form tuples where they are built (the demo generator, the
    import's planning child process), so the process that writes only stores them."""
    from .rowsets import Rows

    for tbl, rows in batch.rows.items():
        if rows and isinstance(rows, Rows) and tbl in _COVERED:
            batch.sealed[tbl] = pack(rows.columns, rows)


def seal(tbl: str, columns: Sequence[str], tuples: Sequence[tuple] | None, constants: dict | None = None,
         deleted: bool = False, packed: Packed | None = None, count: int | None = None) -> Sealed:
    """Seal rows given as tuples in storage form (``columns`` order) plus shared ``constants``.

    Derived columns are dropped; table columns given neither way are NULL (what a raw
    insert stores), so they are committed as constants None. ``packed``: the tuples
    already packed (:func:`pre_seal`), used when its columns are ``columns``; without the
    tuples at hand (``None``: written elsewhere, ``services.bulk_spill``) it must be, for
    ``count`` rows.
    """
    count = len(tuples) if tuples is not None else count
    if packed is None or packed.given != tuple(columns) or packed.count != count:
        if tuples is None:
            raise ValueError(f"{tbl}: no packed rows match the {count} rows written")
        packed = pack(columns, tuples)
    columns = packed.columns
    consts = {k: v for k, v in (constants or {}).items() if k not in DERIVED}
    if not deleted:
        for c in columns_of(tbl):
            if c not in columns and c not in consts:
                consts[c] = None
    return Sealed(tbl, columns, tuple(consts), tuple(consts.values()), deleted, packed.count,
                  packed.digest, packed.blob)


def record(session: Session, actor: str, sealed: list[Sealed], action: str = ACTION) -> None:
    """Store the commitments and their ``rows.commit`` ledger entry (caller's transaction)."""
    sealed = [x for x in sealed if x.count]
    if not sealed:
        return
    tables = sorted({x.tbl for x in sealed})
    entry = ledger.append(session, actor, action, "rows", ",".join(tables)[:80],
                          entry_content(x.commit_digest() for x in sealed))
    session.execute(insert(RowCommitment), [
        {"seq": entry.seq, "tbl": x.tbl, "columns": ",".join(x.columns), "const_columns": ",".join(x.const_columns),
         "const_values": marshal.dumps(x.const_values, 2), "deleted": x.deleted, "count": x.count,
         "digest": x.digest, "rows": x.blob} for x in sealed])


# --- values as the database returns them -------------------------------------------------


def plain(value: Any) -> Any:
    """A driver value in the primitive form SQLite returns (PostgreSQL's types converted)."""
    if value is None or type(value) in (str, int, float, bytes, bool):
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return canonical_json(value).decode("utf-8")
    if isinstance(value, memoryview):
        return bytes(value)
    return str(value)


def plain_rows(rows: Iterable[Sequence]) -> list[tuple]:
    return [tuple(map(plain, r)) for r in rows]


def _key_sql(tbl: str, keys: list[tuple]) -> str:
    cols = key_of(tbl)
    if len(cols) == 1:
        return f"{cols[0]} IN ({', '.join(str(int(k[0])) for k in keys)})"
    values = ", ".join("(" + ", ".join(str(int(v)) for v in k) + ")" for k in keys)
    return f"({', '.join(cols)}) IN (VALUES {values})"


def read_rows(conn, tbl: str, keys: Iterable[tuple]) -> list[tuple]:
    """The rows of ``keys`` as stored (committed columns, table order; absent keys left out)."""
    keys = sorted(set(keys))
    out: list[tuple] = []
    cols = ", ".join(columns_of(tbl))
    order = ", ".join(key_of(tbl))
    for i in range(0, len(keys), 500):
        sql = f"SELECT {cols} FROM {tbl} WHERE {_key_sql(tbl, keys[i:i + 500])} ORDER BY {order}"
        out += conn.exec_driver_sql(sql).fetchall()
    return plain_rows(out) if conn.dialect.name != "sqlite" else [tuple(r) for r in out]


def seal_read(conn, tbl: str, keys: Iterable[tuple]) -> list[Sealed]:
    """Seal the rows of ``keys`` as stored now; keys no longer present are sealed as removed."""
    keys = set(keys)
    rows = read_rows(conn, tbl, keys)
    out = [seal(tbl, columns_of(tbl), rows)] if rows else []
    kpos = [columns_of(tbl).index(c) for c in key_of(tbl)]
    gone = keys - {tuple(r[i] for i in kpos) for r in rows}
    if gone:
        out.append(seal(tbl, key_of(tbl), sorted(gone), deleted=True))
    return out


# --- single writes: session events ---------------------------------------------------------

_TOUCHED = "svidok_rows_touched"
ACTOR = "svidok_actor"


def _touch(session: Session, tbl: str, keys: Iterable[tuple]) -> None:
    session.info.setdefault(_TOUCHED, {}).setdefault(tbl, set()).update(keys)


def _after_flush(session: Session, _ctx) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        if table is None or table.name not in _COVERED:
            continue
        mapper = obj.__mapper__
        key = tuple(mapper.primary_key_from_instance(obj))
        if None not in key:
            _touch(session, table.name, [key])


def _orm_execute(state) -> None:
    """Core/ORM UPDATE and DELETE statements: note the rows they will touch, before they run."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in _COVERED:
        return
    cols = key_of(name)
    params = state.parameters
    if isinstance(params, list):  # executemany by primary key: the keys are in the parameters
        if all(c in p for p in params for c in cols):
            _touch(state.session, name, [tuple(p[c] for c in cols) for p in params])
            return
        params = None
    stmt = select(*[table.c[c] for c in cols])
    if state.statement.whereclause is not None:
        stmt = stmt.where(state.statement.whereclause)
    _touch(state.session, name, [tuple(r) for r in state.session.execute(stmt)])


def _before_commit(session: Session) -> None:
    if not session.info.get(_TOUCHED):
        return
    session.flush()
    touched = session.info.pop(_TOUCHED, {})
    conn = session.connection()
    sealed: list[Sealed] = []
    for tbl in COVERED:
        if touched.get(tbl):
            sealed += seal_read(conn, tbl, touched[tbl])
    record(session, session.info.get(ACTOR, "svidok"), sealed)
    session.info.pop(_TOUCHED, None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


_installed = False


def install() -> None:
    """Commit the rows every session writes (idempotent; called when the models load)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _orm_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    _installed = True


def adopt(app: Svidok, actor: str, chunk: int = 5000) -> dict[str, int]:
    """Commit, as they are now, the rows no commitment covers (written before commitments existed).

    For an installation upgraded from a version without row commitments: run once, after
    checking the data by other means; each chunk is one ``rows.adopt`` ledger entry in the
    administrator's name, so the ledger says which rows were vouched for only from then on.
    """
    out: dict[str, int] = {}
    for tbl in COVERED:
        kcols = key_of(tbl)
        committed: set[tuple] = set()
        with app.db.session() as s:
            conn = s.connection()
            for columns, blob in conn.execute(select(RowCommitment.columns, RowCommitment.rows)
                                              .where(RowCommitment.tbl == tbl)):
                cols = columns.split(",")
                idx = [cols.index(k) for k in kcols]
                committed.update(tuple(r[i] for i in idx) for r in marshal.loads(zlib.decompress(bytes(blob))))
            sql = f"SELECT {', '.join(kcols)} FROM {tbl} ORDER BY {', '.join(kcols)}"
            missing = [k for k in (tuple(r) for r in conn.exec_driver_sql(sql)) if k not in committed]
        for i in range(0, len(missing), chunk):
            with app.db.session() as s:
                record(s, actor, seal_read(s.connection(), tbl, missing[i:i + chunk]), ADOPT)
        if missing:
            out[tbl] = len(missing)
    return out
