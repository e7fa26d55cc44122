"""Reversible merges of person records.

A merge never edits or deletes a record: it sets ``merged_into_id`` of one cluster's
root to the other cluster's root and keeps a :class:`PersonMerge` saying what the
field held before. Undoing the merge puts that value back, so both records are
exactly as they were. Every merge and undo is written to the ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Conflict, NotFound
from svidok.storage.models import Person, PersonMerge

from . import history, ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Longest chain of merges followed before the data is declared broken (a cycle).
_MAX_DEPTH = 10_000


def root_of(session: Session, person_id: int) -> int:
    """The person a record is (transitively) merged into; itself when not merged."""
    seen = [person_id]
    current = person_id
    while True:
        nxt = session.scalar(select(Person.merged_into_id).where(Person.id == current))
        if nxt is None:
            return current
        if nxt in seen or len(seen) > _MAX_DEPTH:
            raise Conflict(f"person {person_id}: merge links form a cycle ({seen})")
        seen.append(nxt)
        current = nxt


def cluster_ids(session: Session, root_id: int) -> set[int]:
    """The root and every record merged into it, directly or through other records."""
    out, frontier = {root_id}, [root_id]
    while frontier:
        children = set(session.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier)))) - out
        out |= children
        frontier = list(children)
    return out


def merge_in(session: Session, actor: Actor, person_a: int, person_b: int, *, pair_id: int | None = None,
             reason: str | None = None) -> PersonMerge | None:
    """Link the clusters of two persons inside the caller's transaction.

    The older cluster (lower root id) survives. Returns None when the two are already
    one cluster (nothing to do).
    """
    ra, rb = root_of(session, person_a), root_of(session, person_b)
    if ra == rb:
        return None
    survivor, merged = min(ra, rb), max(ra, rb)
    previous = session.scalar(select(Person.merged_into_id).where(Person.id == merged))
    session.execute(update(Person).where(Person.id == merged).values(merged_into_id=survivor))
    m = PersonMerge(pair_id=pair_id, survivor_id=survivor, merged_id=merged, previous_merged_into_id=previous,
                    merged_by=actor.username, reason=reason)
    session.add(m)
    session.flush()
    ledger.append(session, actor.username, "person.merge", "person", merged, {
        "merge_id": m.id, "survivor_id": survivor, "merged_id": merged, "previous_merged_into_id": previous,
        "pair_id": pair_id, "persons": [person_a, person_b], "reason": reason})
    return m


def undo_in(session: Session, actor: Actor, merge: PersonMerge, reason: str | None = None) -> None:
    """Put back what the merge changed; Conflict when it was undone or changed since."""
    if merge.undone_at is not None:
        raise Conflict(f"merge {merge.id} was already undone by {merge.undone_by}")
    now = session.scalar(select(Person.merged_into_id).where(Person.id == merge.merged_id))
    if now != merge.survivor_id:
        raise Conflict(f"merge {merge.id}: person {merge.merged_id} is now linked to {now}, "
                       f"not {merge.survivor_id}; undo the later merge first")
    session.execute(update(Person).where(Person.id == merge.merged_id)
                    .values(merged_into_id=merge.previous_merged_into_id))
    merge.undone_by, merge.undone_at, merge.undo_reason = actor.username, datetime.now(UTC), reason
    session.flush()
    ledger.append(session, actor.username, "person.unmerge", "person", merge.merged_id, {
        "merge_id": merge.id, "survivor_id": merge.survivor_id, "merged_id": merge.merged_id,
        "restored_merged_into_id": merge.previous_merged_into_id, "reason": reason})


def _visible_person(session: Session, actor: Actor, person_id: int) -> Person:
    return access.require_visible(session.get(Person, person_id), actor, f"person {person_id}")


def merge(app: Svidok, actor: Actor, person_a: int, person_b: int, reason: str | None = None) -> dict | None:
    """Merge two persons by hand (outside the review queue); see :func:`merge_in`."""
    access.require_writer(actor)
    with app.db.session() as s:
        _visible_person(s, actor, person_a), _visible_person(s, actor, person_b)
        m = merge_in(s, actor, person_a, person_b, reason=reason)
        return describe(m) if m else None


def undo(app: Svidok, actor: Actor, merge_id: int, reason: str | None = None) -> dict:
    access.require_writer(actor)
    with app.db.session() as s:
        m = s.get(PersonMerge, merge_id)
        if m is None:
            raise NotFound(f"merge {merge_id} not found")
        _visible_person(s, actor, m.survivor_id), _visible_person(s, actor, m.merged_id)
        undo_in(s, actor, m, reason)
        return describe(m)


def merges_of(app: Svidok, actor: Actor, person_id: int) -> list[dict]:
    """Every merge that touched the person, oldest first (including undone ones)."""
    with app.db.session() as s:
        _visible_person(s, actor, person_id)
        rows = s.scalars(select(PersonMerge).where(
            (PersonMerge.survivor_id == person_id) | (PersonMerge.merged_id == person_id)).order_by(PersonMerge.id))
        return [describe(m) for m in rows]


def describe(m: PersonMerge) -> dict:
    out = history.snapshot(m)
    out["active"] = m.undone_at is None
    return out
