"""Run a brief's queries in parallel before it is rendered.

A first, cheap pass over the template only notes which queries its figures will ask
(``Planner`` stands in for the figure functions); those queries then run on a few threads,
each with its own database session (SQLite and PostgreSQL both serve concurrent readers).
The answers fill the per-rendering memo that :func:`queries.run` consults, so the real pass
finds them ready. Anything that fails here is simply not prefetched: the real pass runs it
again and reports the error with its template line.

Victim figures the in-memory columns can answer (``figures.columns``) take milliseconds once
the columns are read: one thread reads them first (if the data changed since they were last
read) while the others start on the SQL figures, and those victim figures come last.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from svidok.core.actors import Actor
from svidok.figures import columns, harm_facts, queries

from .book import FIGURE_OPTIONS

if TYPE_CHECKING:
    from svidok.app import Svidok

MEMO = "svidok_report_memo"
#: The job that reads the victim columns (``harm_facts.facts_current``) before the figures that use them.
COLUMNS = "(victim columns)"


class Planner:
    """The template functions, noting (query, arguments) instead of running anything."""

    def __init__(self, public: bool):
        self.public = public
        self.planned: list[tuple[str, dict]] = []

    def _note(self, query: str, kwargs: dict) -> str:
        self.planned.append((query, {k: v for k, v in kwargs.items() if k not in FIGURE_OPTIONS}))
        return ""

    def n(self, query: str, **kw: Any) -> str:
        return self._note(query, kw)

    def table(self, query: str, percent: bool = True, **kw: Any) -> str:
        return self._note(query, kw)

    def chart(self, query: str, kind: str = "bar", **kw: Any) -> str:
        return self._note(query, kw)

    def map(self, layer: str = "incidents", **kw: Any) -> str:
        pick = {"incidents": ("incident_points", "incidents_by_oblast_map"),
                "hazards": ("hazard_points", "hazards_by_oblast_map")}.get(layer)
        return self._note(pick[1] if self.public else pick[0], kw) if pick else ""

    def compare(self, **kw: Any) -> str:
        return self._note("disproportionality", kw)

    def estimates(self, **kw: Any) -> str:
        return self._note("estimate", kw)

    def recommendations(self, intervention_id: int, **kw: Any) -> str:
        return self._note("recommendations", {"intervention_id": intervention_id, **kw})

    def functions(self) -> dict[str, Callable[..., str]]:
        return {name: getattr(self, name) for name in ("n", "table", "chart", "map", "compare", "estimates",
                                                       "recommendations")}


def prefetch(app: Svidok, actor: Actor, planned: list[tuple[str, dict]], workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict:
    """Answer the planned queries on ``workers`` threads; returns the merged memo.

    ``progress(done, total)`` is called (from the worker threads) as each query is answered."""
    unique: dict[str, tuple[str, dict]] = {}
    for name, kw in planned:
        unique.setdefault(repr((name, sorted(kw.items(), key=lambda x: x[0]))), (name, kw))
    jobs = list(unique.values())
    workers = workers or min(4, max(2, os.cpu_count() or 2))
    if len(jobs) < 2:
        return {}

    lock, done = threading.Lock(), [0]

    def worker(batch: list[tuple[str, dict]]) -> dict:
        with app.db.session() as s:
            for name, kw in batch:
                try:
                    if name == COLUMNS:
                        harm_facts.facts_current(app, s)
                    else:
                        queries.run(app, s, actor, name, **kw)
                except Exception:
                    pass
                finally:
                    if progress is not None:
                        with lock:
                            done[0] += 1
                            progress(done[0], sum(map(len, batches)))
            return dict(s.info.get(MEMO, {}))

    # Longest first, dealt round-robin: victim breakdowns cost most in SQL, listings and custody least;
    # figures answered from the victim columns cost nothing once the first thread has read them.
    weight = {"victims_by": 3, "disproportionality": 3, "incident_points": 3, "incidents_by": 2, "incident_list": 2}
    from_columns = {id(j) for j in jobs if columns.answerable(*j)}
    jobs.sort(key=lambda j: -(0 if id(j) in from_columns else weight.get(j[0], 1)))
    batches: list[list[tuple[str, dict]]] = [[] for _ in range(workers)]
    first = 0
    if from_columns:
        batches[0].append((COLUMNS, {}))
        first = 1
    for i, job in enumerate(jobs):
        batches[(first + i) % workers].append(job)
    memo: dict = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(worker, batches):
            memo.update(part)
    return memo
