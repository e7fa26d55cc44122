"""Reversible merges of person records.

A merge never edits or deletes a record: it sets ``merged_into_id`` of one cluster's
root to the other cluster's root and keeps a :class:`PersonMerge` saying what the
field held before. Undoing the merge puts that value back, so both records are
exactly as they were. Every merge and undo is written to the ledger. The steps are
:mod:`.reversible_merges`' (shared with incidents), for persons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import NotFound
from svidok.core.messages import M_
from svidok.storage.models import Person, PersonMerge

from .reversible_merges import MergeKind
from .reversible_merges import describe as _describe

if TYPE_CHECKING:
    from svidok.app import Svidok

PERSONS = MergeKind(record=Person, merge=PersonMerge, noun="person", members="persons", linked="linked to")


def root_of(session: Session, person_id: int) -> int:
    """The person a record is (transitively) merged into; itself when not merged."""
    return PERSONS.root_of(session, person_id)


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
    return PERSONS.merge_in(session, actor, person_a, person_b, pair_id=pair_id, reason=reason)


def undo_in(session: Session, actor: Actor, merge: PersonMerge, reason: str | None = None) -> None:
    """Put back what the merge changed; Conflict when it was undone or changed since."""
    PERSONS.undo_in(session, actor, merge, reason)


def _visible_person(session: Session, actor: Actor, person_id: int) -> Person:
    return access.require_visible(session.get(Person, person_id), actor, M_("person %(id)s", id=person_id))


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
            raise NotFound(M_("merge %(merge_id)s not found", merge_id=merge_id))
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
    return _describe(m)
