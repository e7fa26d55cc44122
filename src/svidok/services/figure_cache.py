"""Figures computed once and shared by every web process (several ``svidok serve`` workers or
hosts): kept in the database (default) or in Redis (``SVIDOK_FIGURES_CACHE=redis``).

An entry carries the data version it was computed on — the ledger's head, which every change
of the records moves, whichever process made it — so a reader anywhere knows when an entry is
out of date without being told. ``clear`` drops every entry for every process at once.
If Redis does not answer, figures are computed without the cache (logged), never refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from svidok.storage.models import FigureCache, LedgerEntry

if TYPE_CHECKING:
    from svidok.app import Svidok

log = logging.getLogger("svidok.figures")


@dataclass
class Entry:
    version: str
    computed_at: datetime
    seconds: float
    value: dict


def data_version(app: Svidok) -> str:
    """The ledger's head: one indexed read; it moves with every committed change of the records."""
    with app.db.session() as s:
        return str(s.scalar(select(func.max(LedgerEntry.seq))) or 0)


class DatabaseBackend:
    def __init__(self, app: Svidok) -> None:
        self.app = app

    def get(self, key: str) -> Entry | None:
        with self.app.db.session() as s:
            row = s.get(FigureCache, key)
            if row is None:
                return None
            at = row.computed_at if row.computed_at.tzinfo else row.computed_at.replace(tzinfo=UTC)
            return Entry(row.version, at, row.seconds, row.value)

    def put(self, key: str, entry: Entry) -> None:
        values = {"key": key, "version": entry.version, "computed_at": entry.computed_at,
                  "seconds": entry.seconds, "value": entry.value}
        with self.app.db.session() as s:
            if s.get_bind().dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(FigureCache).values(**values)
            s.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={
                k: stmt.excluded[k] for k in ("version", "computed_at", "seconds", "value")}))

    def clear(self) -> None:
        with self.app.db.session() as s:
            s.execute(delete(FigureCache))


class RedisBackend:
    """Keys ``svidok:figures:<database>:<key>``: installations sharing a Redis stay apart."""

    def __init__(self, app: Svidok) -> None:
        import redis

        self.errors = redis.exceptions.RedisError
        self.conn = redis.Redis.from_url(app.settings.redis_url, socket_connect_timeout=1, socket_timeout=2)
        self.prefix = "svidok:figures:" + hashlib.sha256(str(app.db.url).encode()).hexdigest()[:12] + ":"

    def get(self, key: str) -> Entry | None:
        raw = self.conn.get(self.prefix + key)
        if raw is None:
            return None
        d = json.loads(raw)
        return Entry(d["version"], datetime.fromisoformat(d["computed_at"]), d["seconds"], d["value"])

    def put(self, key: str, entry: Entry) -> None:
        self.conn.set(self.prefix + key, json.dumps({
            "version": entry.version, "computed_at": entry.computed_at.isoformat(), "seconds": entry.seconds,
            "value": entry.value}), ex=7 * 86400)

    def clear(self) -> None:
        keys = list(self.conn.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self.conn.delete(*keys)


_backends: dict[int, tuple[object, DatabaseBackend | RedisBackend]] = {}
_lock = threading.Lock()


def backend(app: Svidok) -> DatabaseBackend | RedisBackend:
    """The configured backend of ``app`` (one per application object)."""
    with _lock:
        hit = _backends.get(id(app))
        if hit is None or hit[0] is not app:
            hit = (app, RedisBackend(app) if app.settings.figures_cache == "redis" else DatabaseBackend(app))
            _backends[id(app)] = hit
        return hit[1]


def get(app: Svidok, key: str) -> Entry | None:
    try:
        return backend(app).get(key)
    except Exception as exc:  # an unreachable Redis: compute without the cache
        log.warning("figure cache (%s) unreadable: %s", app.settings.figures_cache, exc)
        return None


def put(app: Svidok, key: str, version: str, value: dict, seconds: float) -> Entry:
    """Store ``value`` (made JSON) computed on ``version``; returns the entry as every process reads it."""
    entry = Entry(version, datetime.now(UTC), seconds, json.loads(json.dumps(value, default=str)))
    try:
        backend(app).put(key, entry)
    except Exception as exc:
        log.warning("figure cache (%s) not written: %s", app.settings.figures_cache, exc)
    return entry


def clear(app: Svidok) -> None:
    """Drop every cached figure, for every process."""
    try:
        backend(app).clear()
    except Exception as exc:
        log.warning("figure cache (%s) not cleared: %s", app.settings.figures_cache, exc)
