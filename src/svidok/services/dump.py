"""Lossless export and import of a whole database as JSON Lines.

One line per row: ``{"table": "...", "row": {...}}`` in dependency order, rows by
primary key. Dates and times are ISO 8601 (UTC), bytes (ciphertexts) base64. Export →
import into an empty database → export again gives identical output, on either engine.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Date, DateTime, LargeBinary, delete, func, insert, select
from sqlalchemy.sql.sqltypes import _Binary

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.storage import migrate
from svidok.storage.models import Base
from svidok.storage.sequences import reset_sequences

from . import ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

FORMAT = "svidok-dump/1"
#: Reference data that ``init`` loads; an import replaces it with the dump's copy.
REFERENCE_TABLES = ("places", "place_occupation")


def _tables():
    return [t for t in Base.metadata.sorted_tables]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def export_lines(app: Svidok, progress: Callable[[str, int], None] | None = None) -> Iterator[str]:
    yield json.dumps({"format": FORMAT, "tables": [t.name for t in _tables()]}, sort_keys=True)
    with app.db.engine.connect() as conn:
        for table in _tables():
            pk = list(table.primary_key.columns)
            result = conn.execution_options(yield_per=5000).execute(select(table).order_by(*pk))
            n = 0
            for row in result.mappings():
                yield json.dumps({"table": table.name, "row": {k: _encode(v) for k, v in row.items()}},
                                 ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                n += 1
            if progress:
                progress(table.name, n)


def export(app: Svidok, out: IO[str], progress: Callable[[str, int], None] | None = None) -> int:
    lines = 0
    for line in export_lines(app, progress):
        out.write(line + "\n")
        lines += 1
    return lines - 1


def _decoder(table):
    convert: dict[str, Callable[[Any], Any]] = {}
    for col in table.columns:
        if isinstance(col.type, DateTime):
            convert[col.name] = lambda v: None if v is None else datetime.fromisoformat(v)
        elif isinstance(col.type, Date):
            convert[col.name] = lambda v: None if v is None else date.fromisoformat(v)
        elif isinstance(col.type, (LargeBinary, _Binary)):
            convert[col.name] = lambda v: None if v is None else base64.b64decode(v["$b64"])
    names = {c.name for c in table.columns}
    return names, convert


def _empty(conn) -> list[str]:
    busy = []
    for table in _tables():
        if table.name in REFERENCE_TABLES:
            continue
        if conn.execute(select(func.count()).select_from(table)).scalar():
            busy.append(table.name)
    return busy


def import_lines(app: Svidok, actor: Actor, lines: IO[str], progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Load a dump into an empty database in one transaction: all of it or nothing."""
    migrate.upgrade(app.db.engine)
    tables = {t.name: t for t in _tables()}
    decoders = {name: _decoder(t) for name, t in tables.items()}
    counts: dict[str, int] = {}
    pending: dict[str, list[dict]] = {}
    with app.db.engine.begin() as conn:
        busy = _empty(conn)
        if busy:
            raise ValidationFailed(FieldError("database", M_("not empty (rows in %(items)s); import into a new database", items=", ".join(busy[:5]))))
        for name in reversed(REFERENCE_TABLES):
            conn.execute(delete(tables[name]))

        def flush(name: str) -> None:
            rows = pending.pop(name, [])
            if rows:
                conn.execute(insert(tables[name]), rows)

        header_seen = False
        order = [t.name for t in _tables()]
        current = None
        for lineno, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValidationFailed(FieldError("line", M_("malformed JSON: %(msg)s", msg=exc.msg), row=lineno)) from None
            if not header_seen:
                if obj.get("format") != FORMAT:
                    raise ValidationFailed(FieldError("format", M_("not a %(format)s file", format=FORMAT), row=lineno))
                header_seen = True
                continue
            name, row = obj.get("table"), obj.get("row")
            if name not in tables or not isinstance(row, dict):
                raise ValidationFailed(FieldError("table", M_("unknown table %(name)r", name=name), row=lineno))
            if current is not None and name != current:
                if order.index(name) < order.index(current):
                    raise ValidationFailed(FieldError("table", M_("%(name)s after %(current)s: rows out of order", name=name, current=current), row=lineno))
                flush(current)
            current = name
            columns, convert = decoders[name]
            unknown = set(row) - columns
            if unknown:
                raise ValidationFailed(FieldError(f"{name}.{sorted(unknown)[0]}", M_("unknown column"), row=lineno))
            try:
                pending.setdefault(name, []).append({k: convert[k](v) if k in convert else v for k, v in row.items()})
            except (ValueError, TypeError, KeyError) as exc:
                raise ValidationFailed(FieldError(name, M_("bad value: %(exc)s", exc=exc), row=lineno)) from None
            counts[name] = counts.get(name, 0) + 1
            if len(pending[name]) >= 5000:
                flush(name)
            if progress and lineno % 5000 == 0:
                progress(lineno)
        if not header_seen:
            raise ValidationFailed(FieldError("file", M_("empty file")))
        if current:
            flush(current)
        reset_sequences(conn)
    return counts


def record_import(app: Svidok, actor: Actor, sha256: str, counts: dict[str, int]) -> None:
    """Note the import in the ledger, after the rows (ledger rows of the dump came first)."""
    with app.db.session() as s:
        ledger.append(s, actor.username, "dump.import", "database", "all", {"sha256": sha256, "counts": counts})


