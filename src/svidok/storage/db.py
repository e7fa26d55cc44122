"""Engines and sessions for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _null(_value: None) -> None:
    return None


# The sqlite3 driver binds None only after failing to find an adapter for it (a tuple, a dict
# lookup and two attribute lookups, ~0.25 µs: five times an integer). Registering the
# identity adapter makes that first lookup succeed (~0.07 µs); None is still stored as NULL.
# It matters on bulk loads, whose rows carry several NULLs each (~3 % of the load time).
sqlite3.register_adapter(type(None), _null)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        watched = bool(path) and path != ":memory:" and not path.startswith("file:")
        if watched:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        opened = [False]  # once the file was opened, a missing file is an error, not a new empty database

        @event.listens_for(engine, "do_connect")
        def _still_there(_dialect, _record, _cargs, _cparams):
            if watched and opened[0] and not Path(path).exists():
                # sqlite3 would create an empty file, and every query would fail with "no such table":
                # say what happened instead (the file was removed or moved while Svidok still ran).
                raise sqlite3.OperationalError(f"the database file {path} is gone (removed or moved while in use)")

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            opened[0] = True
            cur = dbapi_conn.cursor()
            try:
                cur.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                # A bulk load holds the database in rollback-journal mode (services.bulk.loading)
                # and switches it back to WAL when it ends; meanwhile this connection works with it.
                pass
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
