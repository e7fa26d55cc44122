"""Versions of records: every create, update, delete and restore, with before and after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.storage.models import RecordVersion

from . import ledger

_SKIP = {"search_text"}


def snapshot(record: Any) -> dict:
    """The record's column values as JSON-ready data (bytes become a marker, never plaintext)."""
    out: dict[str, Any] = {}
    for attr in inspect(record).mapper.column_attrs:
        if attr.key in _SKIP:
            continue
        value = getattr(record, attr.key)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = "<encrypted>"
        out[attr.key] = value
    return out


def record(
    session: Session,
    actor: Actor,
    entity: str,
    obj: Any,
    op: str,
    before: dict | None,
    after: dict | None = None,
    reason: str | None = None,
) -> RecordVersion:
    """Store a version and append it to the ledger."""
    after = snapshot(obj) if after is None and op != "purge" else after
    version = RecordVersion(
        entity=entity,
        record_id=obj.id,
        version=getattr(obj, "version", 1),
        op=op,
        actor=actor.username,
        reason=reason,
        before=before,
        after=after,
    )
    session.add(version)
    ledger.append(session, actor.username, f"{entity}.{op}", entity, obj.id, {"after": after, "reason": reason})
    return version


def versions(session: Session, entity: str, record_id: int) -> list[RecordVersion]:
    return list(
        session.scalars(
            select(RecordVersion)
            .where(RecordVersion.entity == entity, RecordVersion.record_id == record_id)
            .order_by(RecordVersion.id)
        )
    )


def diff(before: dict | None, after: dict | None) -> dict[str, tuple[Any, Any]]:
    """Fields that changed between two snapshots (ignoring bookkeeping)."""
    before, after = before or {}, after or {}
    keys = (set(before) | set(after)) - {"updated_at", "version"}
    return {k: (before.get(k), after.get(k)) for k in sorted(keys) if before.get(k) != after.get(k)}
