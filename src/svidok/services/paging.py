"""Newest-first pages keyed by id: the cursor is the last id of the previous page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def newest_first(s: Session, query: Select, id_column: Any, after: int | None, limit: int,
                 *, scalars: bool = True) -> tuple[list, int | None]:
    """Up to ``limit`` rows of ``query`` with ids below ``after``, newest first, and the id to
    continue from (None on the last page). One extra row is fetched to know whether there is more."""
    if after is not None:
        query = query.where(id_column < after)
    q = query.order_by(id_column.desc()).limit(limit + 1)
    rows = list(s.scalars(q) if scalars else s.execute(q))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, rows[-1].id
