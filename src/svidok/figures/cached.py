"""Figures over a whole database, kept in the shared figure cache and recomputed in the
background, so that a page never waits long for them (the dashboard's way, for other pages).

An entry is per clearance (role and case grants) and is out of date as soon as the ledger's
head moves (``services.figure_cache.data_version``): whichever web process changed a record.
"""

from __future__ import annotations

import hashlib
import json
import threading
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
_lock = threading.Lock()
#: One worker: heavy counts never run side by side and starve the pages.
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="svidok-figures")
_running: dict[tuple, Future] = {}


def clearance_key(name: str, actor: Actor) -> str:
    """The cache key of figure ``name`` for everyone who sees what ``actor`` sees."""
    grants = json.dumps(sorted(actor.grants.items()), default=str)
    return f"{name}:{actor.role}:" + hashlib.sha256(grants.encode()).hexdigest()[:16]


def _keep(app: Svidok, key: str, version: str, compute: Callable[[], dict]) -> dict:
    import time

    started = time.perf_counter()
    value = compute()
    value["computed_at"] = time.time()
    return figure_cache.put(app, key, version, value, time.perf_counter() - started).value


def current(app: Svidok, actor: Actor, name: str, compute: Callable[[], dict], wait: float = 1.0) -> dict | None:
    """Figure ``name`` for the actor's clearance: from the cache when up to date; else computed
    in the background, waiting at most ``wait`` s — the previous figures marked ``stale`` meanwhile,
    or None while a first computation runs (the page says so)."""
    key, version = clearance_key(name, actor), figure_cache.data_version(app)
    hit = figure_cache.get(app, key)
    if hit is not None and hit.version == version \
            and (datetime.now(UTC) - hit.computed_at).total_seconds() < CACHE_SECONDS:
        return hit.value
    with _lock:
        fut = _running.get((id(app), key))
        if fut is None or fut.done():
            fut = _running[(id(app), key)] = _worker.submit(_keep, app, key, version, compute)
    try:
        return fut.result(timeout=wait)
    except FutureTimeout:
        return {**hit.value, "stale": True} if hit is not None else None
