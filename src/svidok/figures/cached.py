"""Figures over a whole database, kept in the shared figure cache and recomputed in the
background, so that a page never waits long for them (the dashboard's way, for other pages).

An entry is per clearance (role and case grants) and is out of date as soon as the ledger's
head moves (``services.figure_cache.data_version``): whichever web process changed a record.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from svidok.core.actors import Actor
from svidok.services import figure_cache

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Recomputed after this long even if the ledger did not move (reference data, clocks).
CACHE_SECONDS = 600.0
#: Figures out of date that took less than this to count are recomputed at once, in the request.
SYNC_SECONDS = 1.0
_lock = threading.Lock()
#: One worker: heavy counts never run side by side and starve the pages.
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="svidok-figures")
_running: dict[tuple, Future] = {}


def clearance_key(name: str, actor: Actor) -> str:
    """The cache key of figure ``name`` for everyone who sees what ``actor`` sees."""
    grants = json.dumps(sorted(actor.grants.items()), default=str)
    return f"{name}:{actor.role}:" + hashlib.sha256(grants.encode()).hexdigest()[:16]


def _keep(app: Svidok, key: str, version: str, compute: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    value = compute()
    value["computed_at"] = time.time()
    return figure_cache.put(app, key, version, value, time.perf_counter() - started).value


def _fresh(entry: figure_cache.Entry, version: str) -> bool:
    return entry.version == version and (datetime.now(UTC) - entry.computed_at).total_seconds() < CACHE_SECONDS


def refresh(app: Svidok, key: str, version: str, compute: Callable[[], dict]) -> Future:
    """The background computation of ``key`` (started unless one is running)."""
    with _lock:
        fut = _running.get((id(app), key))
        if fut is None or fut.done():
            fut = _running[(id(app), key)] = _worker.submit(_keep, app, key, version, compute)
        return fut


def computed(app: Svidok, actor: Actor, name: str, compute: Callable[[], dict], fresh: bool = False) -> dict:
    """Figure ``name`` from the cache when up to date, else computed now and kept (``fresh``: always now)."""
    key, version = clearance_key(name, actor), figure_cache.data_version(app)
    if not fresh:
        hit = figure_cache.get(app, key)
        if hit is not None and _fresh(hit, version):
            return hit.value
    return _keep(app, key, version, compute)


def current(app: Svidok, actor: Actor, name: str, compute: Callable[[], dict], wait: float = 1.0) -> dict | None:
    """Figure ``name`` for the actor's clearance without holding a page for more than ``wait`` s.

    Up to date: from the cache. Out of date: recomputed at once when the last computation took
    under ``SYNC_SECONDS``, else in the background while the previous figures are returned
    marked ``stale``. Never computed: computed in the background, waiting at most ``wait`` s,
    None if it is not done by then (the page says so)."""
    key, version = clearance_key(name, actor), figure_cache.data_version(app)
    hit = figure_cache.get(app, key)
    if hit is not None:
        if _fresh(hit, version):
            return hit.value
        if hit.seconds < SYNC_SECONDS:
            return _keep(app, key, version, compute)
        refresh(app, key, version, compute)
        return {**hit.value, "stale": True}
    try:
        return refresh(app, key, version, compute).result(timeout=wait)
    except FutureTimeout:
        return None
