"""The counted victim rows held in memory as columns, so breakdowns and a brief's victim figures
over a million incidents answer in milliseconds instead of re-joining victims, acts and incidents
every time.

The rows are those of ``victim_filter_base`` (the reports' ``_victim_base``) for an administrator
with no filter: every victim row of a non-withdrawn act of a non-withdrawn incident, except the
rows of person records merged into another (a person documented by several lists counts once)
or withdrawn. They are read with one narrow query that returns only integers: each string field
is turned into a small code by a ``CASE`` over the values expected (the vocabulary's terms; a
value outside them is looked up once with ``SELECT DISTINCT`` and the read is repeated), the
codes packed into one integer and the two dates into another. SQLite's rows go straight from the
driver's cursor into NumPy arrays in chunks; PostgreSQL sends them with a binary ``COPY``, parsed
by NumPy without a Python object per row. 1.6 million rows (the 1,000,000-incident benchmark)
take about 7 s on SQLite and 6 s on PostgreSQL (2 s of it here), in 90 MB of columns.

The columns are reloaded when the data changes. "Changed" is read from the highest ids of
incidents, acts, victims and persons and the ledger's newest entry: every edit, withdrawal
and merge made through the services appends to the ledger, and bulk loads add rows with new ids.
A write that bypasses both (hand-edited SQL) is not seen until the process restarts. Breakdowns
(:func:`facts_state`) reload at once on a small database; on a big one the previous columns
answer, saying when they were read, while a background thread re-reads them. Briefs
(:func:`facts_current`) always get columns of the data as it is, reading them at once if needed;
one read runs at a time per database, and a caller arriving during a read waits for it.

Need-to-know and the filters are applied here as masks over the columns; a filter the
columns cannot express (full-text ``q``, ``provision``, ``characteristic``) returns None
and the caller runs the SQL instead.

This module holds the cache and its reloads; reading the columns is in :mod:`.harm_facts_read`,
the masks and sums over them in :mod:`.harm_facts_masks`.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.storage.models import Act, Incident, LedgerEntry, Person, Victim

from .harm_facts_read import HarmFacts, load

if TYPE_CHECKING:
    from svidok.app import Svidok

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, HarmFacts]] = {}


def data_version(s: Session) -> tuple:
    """Cheap fingerprint of the data: primary-key maxima and the ledger's head hash."""
    maxima = tuple(s.scalar(select(func.max(c))) for c in (Incident.id, Act.id, Victim.id, Person.id))
    head = s.scalar(select(LedgerEntry.entry_hash).order_by(LedgerEntry.seq.desc()).limit(1))
    return (*maxima, head)


#: A load slower than this (a big database) is refreshed in the background while the previous
#: columns keep answering, marked with when they were read; a faster one is redone at once.
SYNC_RELOAD_SECONDS = 2.0
_refreshing: set[str] = set()
_load_locks: dict[str, threading.Lock] = {}
MAX_DATABASES = 4


def facts(app: Svidok, s: Session) -> HarmFacts:
    """The current columns (see :func:`facts_state`)."""
    return facts_state(app, s)[0]


def facts_state(app: Svidok, s: Session) -> tuple[HarmFacts, bool]:
    """(columns, stale): loads them if the data changed since the last load — at once for a small
    database; for a big one the previous columns answer (stale=True) while a thread re-reads them."""
    version = data_version(s)
    key = str(app.db.url)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1], False
    if hit is not None and hit[1].load_seconds > SYNC_RELOAD_SECONDS:
        _refresh_in_background(app, key)
        return hit[1], True
    return _load_version(app, s, key, version), False


def facts_current(app: Svidok, s: Session) -> HarmFacts:
    """Columns of the data as ``s`` sees it now — never stale: read at once if the data changed
    (after waiting for a read already running), for figures that must agree with the SQL."""
    return _load_version(app, s, str(app.db.url), data_version(s))


def _load_version(app: Svidok, s: Session, key: str, version: tuple) -> HarmFacts:
    """The columns of ``version``: from the cache, or read now (one read per database at a time)."""
    with _lock:
        load_lock = _load_locks.setdefault(key, threading.Lock())
    with load_lock:
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] == version:  # read by whoever held the lock before us
            return hit[1]
        loaded = _timed_load(app, s)
        _store(key, version, loaded)
        return loaded


def _store(key: str, version: tuple, loaded: HarmFacts) -> None:
    with _lock:
        _cache.pop(key, None)
        _cache[key] = (version, loaded)
        while len(_cache) > MAX_DATABASES:  # keep the most recently loaded databases only
            _cache.pop(next(iter(_cache)))


def _timed_load(app: Svidok, s: Session) -> HarmFacts:
    t = time.perf_counter()
    hf = load(app, s)
    hf.load_seconds = time.perf_counter() - t
    hf.loaded_at = datetime.now(UTC)
    return hf


def _refresh_in_background(app: Svidok, key: str) -> None:
    with _lock:
        if key in _refreshing:
            return
        _refreshing.add(key)

    def work() -> None:
        try:
            with app.db.session() as s:
                _load_version(app, s, key, data_version(s))
        finally:
            with _lock:
                _refreshing.discard(key)

    threading.Thread(target=work, name="svidok-harm-facts", daemon=True).start()


def warm_up(app: Svidok, min_incidents: int = 100_000) -> None:
    """Read the columns in a background thread when the database is big (call when a server starts)."""
    with app.db.session() as s:
        biggest = s.scalar(select(func.max(Incident.id))) or 0
    if biggest >= min_incidents:
        _refresh_in_background(app, str(app.db.url))
