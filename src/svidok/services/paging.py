"""Newest-first pages keyed by id: the cursor is the last id of the previous page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, text
from sqlalchemy.orm import Session


def newest_first(s: Session, query: Select, id_column: Any, after: int | None, limit: int,
                 *, scalars: bool = True) -> tuple[list, int | None]:
    """Up to ``limit`` rows of ``query`` with ids below ``after``, newest first, and the id to
    continue from (None on the last page). One extra row is fetched to know whether there is more."""
    if after is not None:
        query = query.where(id_column < after)
    q = query.order_by(id_column.desc()).limit(limit + 1)
    with one_process(s):
        rows = list(s.scalars(q) if scalars else s.execute(q))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, rows[-1].id


@contextmanager
def one_process(s: Session) -> Iterator[None]:
    """On PostgreSQL, run the enclosed queries without parallel workers.

    A page usually walks the id index backwards until it has ``limit + 1`` matches. A parallel
    plan (Gather Merge) gives each worker its own stretch of that walk, and every worker probes
    on past the page while the leader waits for the slowest one: twice the work of one process
    or more, worker start-up on every page, and seconds on a busy machine whose cores are
    taken. The setting is local to the transaction and restored afterwards, so counts and
    reports keep their workers (after an error the rollback restores it)."""
    if s.get_bind().dialect.name != "postgresql":
        yield
        return
    before = s.execute(text(
        "SELECT current_setting('max_parallel_workers_per_gather'), "
        "set_config('max_parallel_workers_per_gather', '0', true)")).scalar_one()
    yield
    s.execute(text("SELECT set_config('max_parallel_workers_per_gather', :v, true)"), {"v": before})
