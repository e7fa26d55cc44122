"""The custody monitoring page: one page of ``services.custody.monitor`` and how many people
match, the count kept in the shared figure cache.

Counting every open episode the reader may see (hundreds of thousands at 1,000,000
incidents) cost more than the page itself, on every visit. The count is kept per clearance
(role and case grants) and per filter, with ``figures.cached``: recounted at once when the
records changed and the last count took under ``cached.SYNC_SECONDS``, else in the
background while the page shows the previous count (``total_stale``), and on a first
visit the page does not wait for it (``total`` is None; the page says it is being counted).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING

from svidok.core.actors import Actor
from svidok.services import custody

from . import cached

if TYPE_CHECKING:
    from svidok.app import Svidok


def count_name(today: date, filters: dict) -> str:
    """The figure's name for these filters and day (hashed: cache keys are at most 200 characters)."""
    spec = json.dumps({**filters, "today": today.isoformat()}, sort_keys=True, default=str)
    return "custody-monitor:" + hashlib.sha256(spec.encode()).hexdigest()[:24]


def page(app: Svidok, actor: Actor, *, after: str | None = None, today: date | None = None, limit: int = 50,
         **filters) -> dict:
    """``custody.monitor``'s page (same filters) with ``total`` from the cache (None while a first
    count runs) and ``total_stale`` when the count predates the last change of the records."""
    today = today or date.today()
    name = count_name(today, filters)

    def count() -> dict:
        return {"total": custody.monitor(app, actor, today=today, limit=1, **filters)["total"]}

    counted = cached.current(app, actor, name, count, wait=0.2)
    if counted is not None and counted["total"] == 0 and not counted.get("stale"):
        # Nothing to list: skip walking the index (for a reader who may see no episode, all of it).
        out = {"items": [], "next_cursor": None, "today": today}
    else:
        out = custody.monitor(app, actor, today=today, limit=limit, after=after, with_total=False, **filters)
    return {**out, "total": None if counted is None else counted["total"],
            "total_stale": bool(counted and counted.get("stale"))}
