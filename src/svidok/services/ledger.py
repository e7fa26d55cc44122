"""Appending to the hash-chained ledger (the only writer of ``ledger_entries``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from svidok.domain.ledger import GENESIS_HASH, content_hash, entry_hash
from svidok.storage.models import LedgerEntry

#: PostgreSQL advisory lock key serialising appends across connections and processes.
_LOCK_KEY = 0x5D1D0C
#: SQLite: an UPDATE that changes nothing but takes the database's write lock, so the last
#: entry is read under the lock (otherwise two connections read the same last entry and the
#: second insert fails on its sequence number).
_SQLITE_WRITE_LOCK = text("UPDATE ledger_entries SET seq = seq WHERE 0")


def append(session: Session, actor: str, action: str, entity: str, record_id: Any, content: Any) -> LedgerEntry:
    """Append one entry chained to the previous one, inside the caller's transaction."""
    if action != "rows.commit":
        session.info["svidok_actor"] = actor  # the rows this transaction writes are committed in its name
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    else:
        session.execute(_SQLITE_WRITE_LOCK)
    last = session.execute(
        select(LedgerEntry.seq, LedgerEntry.entry_hash).order_by(LedgerEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    fields = {
        "seq": seq,
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "entity": entity,
        "record_id": str(record_id),
        "content_hash": content if isinstance(content, str) and len(content) == 64 else content_hash(content),
        "prev_hash": prev,
    }
    entry = LedgerEntry(**fields, entry_hash=entry_hash(fields))
    session.add(entry)
    session.flush()
    return entry
