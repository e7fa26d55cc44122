"""Reversible merges of records of one kind (persons, incidents), in one place.

A merge never edits or deletes a record: it sets ``merged_into_id`` of one group's root
to the other group's root and keeps a merge row (:class:`PersonMerge`,
:class:`IncidentMerge`) saying what the field held before. Undoing the merge puts that
value back, so both records are exactly as they were. Every merge and undo is written to
the ledger as ``<kind>.merge`` / ``<kind>.unmerge``.

:mod:`.merges` (persons) and :mod:`.incident_merges` keep their own public functions;
they are this module's steps with their :class:`MergeKind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import Conflict
from svidok.core.messages import M_

from . import history, ledger

#: Longest chain of merges followed before the data is declared broken (a cycle).
MAX_DEPTH = 10_000


@dataclass(frozen=True)
class MergeKind:
    """What is merged: the record model (with ``id`` and ``merged_into_id``), the model
    of its merges, and the words the ledger and the errors use."""

    record: Any
    merge: Any
    #: "person" / "incident": the ledger's entity and the first part of its action.
    noun: str
    #: The ledger field listing the two records a merge was asked for ("persons").
    members: str
    #: How a merged record's link is described when an undo finds it changed.
    linked: str

    def root_of(self, session: Session, record_id: int) -> int:
        """The record one is (transitively) merged into; itself when not merged."""
        seen = [record_id]
        current = record_id
        while True:
            nxt = session.scalar(select(self.record.merged_into_id).where(self.record.id == current))
            if nxt is None:
                return current
            if nxt in seen or len(seen) > MAX_DEPTH:
                raise Conflict(M_("%(noun)s %(record_id)s: merge links form a cycle (%(seen)s)", noun=self.noun, record_id=record_id, seen=seen))
            seen.append(nxt)
            current = nxt

    def merge_in(
        self, session: Session, actor: Actor, a: int, b: int, *, pair_id: int | None = None, reason: str | None = None
    ) -> Any | None:
        """Link the groups of two records inside the caller's transaction; the older (lower
        root id) survives. None when they are one already (nothing to do)."""
        ra, rb = self.root_of(session, a), self.root_of(session, b)
        if ra == rb:
            return None
        survivor, merged = min(ra, rb), max(ra, rb)
        rec = self.record
        previous = session.scalar(select(rec.merged_into_id).where(rec.id == merged))
        session.execute(update(rec).where(rec.id == merged).values(merged_into_id=survivor))
        m = self.merge(
            pair_id=pair_id,
            survivor_id=survivor,
            merged_id=merged,
            previous_merged_into_id=previous,
            merged_by=actor.username,
            reason=reason,
        )
        session.add(m)
        session.flush()
        ledger.append(
            session,
            actor.username,
            f"{self.noun}.merge",
            self.noun,
            merged,
            {
                "merge_id": m.id,
                "survivor_id": survivor,
                "merged_id": merged,
                "previous_merged_into_id": previous,
                "pair_id": pair_id,
                self.members: [a, b],
                "reason": reason,
            },
        )
        return m

    def undo_in(self, session: Session, actor: Actor, merge: Any, reason: str | None = None) -> None:
        """Put back what the merge changed; Conflict when it was undone or changed since."""
        if merge.undone_at is not None:
            raise Conflict(M_("merge %(id)s was already undone by %(undone_by)s", id=merge.id, undone_by=merge.undone_by))
        rec = self.record
        now = session.scalar(select(rec.merged_into_id).where(rec.id == merge.merged_id))
        if now != merge.survivor_id:
            raise Conflict(
                M_("merge %(id)s: %(noun)s %(merged_id)s is now %(linked)s %(now)s, not %(survivor_id)s; undo the later merge first", id=merge.id, noun=self.noun, merged_id=merge.merged_id, linked=self.linked, now=now, survivor_id=merge.survivor_id)
            )
        session.execute(update(rec).where(rec.id == merge.merged_id).values(merged_into_id=merge.previous_merged_into_id))
        merge.undone_by, merge.undone_at, merge.undo_reason = actor.username, datetime.now(UTC), reason
        session.flush()
        ledger.append(
            session,
            actor.username,
            f"{self.noun}.unmerge",
            self.noun,
            merge.merged_id,
            {
                "merge_id": merge.id,
                "survivor_id": merge.survivor_id,
                "merged_id": merge.merged_id,
                "restored_merged_into_id": merge.previous_merged_into_id,
                "reason": reason,
            },
        )

    def of_pair(self, session: Session, pair_id: int, *, active_only: bool = False) -> list[Any]:
        """The merges a review pair made, oldest first (``active_only``: those not undone)."""
        q = select(self.merge).where(self.merge.pair_id == pair_id)
        if active_only:
            q = q.where(self.merge.undone_at.is_(None))
        return list(session.scalars(q.order_by(self.merge.id)))


def describe(m: Any) -> dict:
    """A merge as JSON-ready data, with ``active`` (not undone)."""
    out = history.snapshot(m)
    out["active"] = m.undone_at is None
    return out
