"""Reversible merges of incidents found to be one (the same attack reported twice).

As with persons (:mod:`.merges`), a merge edits nothing but ``merged_into_id`` of the
merged incident's root and keeps what it held before in an :class:`IncidentMerge`;
undoing puts it back. Figures and briefs count only incidents not merged into another
(``figures.victims.incident_conditions``), so a merged incident counts once; its acts,
victims and sources stay where they were and its page says where it went.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import Conflict
from svidok.storage.models import Incident, IncidentMerge

from . import history, ledger

_MAX_DEPTH = 10_000


def root_of(session: Session, incident_id: int) -> int:
    """The incident a report is (transitively) merged into; itself when not merged."""
    seen = [incident_id]
    current = incident_id
    while True:
        nxt = session.scalar(select(Incident.merged_into_id).where(Incident.id == current))
        if nxt is None:
            return current
        if nxt in seen or len(seen) > _MAX_DEPTH:
            raise Conflict(f"incident {incident_id}: merge links form a cycle ({seen})")
        seen.append(nxt)
        current = nxt


def merged_into_this(session: Session, incident_id: int) -> list[int]:
    """Reports merged directly into the incident (active merges), oldest first."""
    return list(session.scalars(select(Incident.id).where(Incident.merged_into_id == incident_id,
                                                          Incident.deleted_at.is_(None)).order_by(Incident.id)))


def merge_in(session: Session, actor: Actor, a: int, b: int, *, pair_id: int | None = None,
             reason: str | None = None) -> IncidentMerge | None:
    """Link two incidents' groups inside the caller's transaction; the older (lower root id)
    survives. None when they are one already."""
    ra, rb = root_of(session, a), root_of(session, b)
    if ra == rb:
        return None
    survivor, merged = min(ra, rb), max(ra, rb)
    previous = session.scalar(select(Incident.merged_into_id).where(Incident.id == merged))
    session.execute(update(Incident).where(Incident.id == merged).values(merged_into_id=survivor))
    m = IncidentMerge(pair_id=pair_id, survivor_id=survivor, merged_id=merged, previous_merged_into_id=previous,
                      merged_by=actor.username, reason=reason)
    session.add(m)
    session.flush()
    ledger.append(session, actor.username, "incident.merge", "incident", merged, {
        "merge_id": m.id, "survivor_id": survivor, "merged_id": merged, "previous_merged_into_id": previous,
        "pair_id": pair_id, "incidents": [a, b], "reason": reason})
    return m


def undo_in(session: Session, actor: Actor, merge: IncidentMerge, reason: str | None = None) -> None:
    """Put back what the merge changed; Conflict when it was undone or changed since."""
    if merge.undone_at is not None:
        raise Conflict(f"merge {merge.id} was already undone by {merge.undone_by}")
    now = session.scalar(select(Incident.merged_into_id).where(Incident.id == merge.merged_id))
    if now != merge.survivor_id:
        raise Conflict(f"merge {merge.id}: incident {merge.merged_id} is now merged into {now}, "
                       f"not {merge.survivor_id}; undo the later merge first")
    session.execute(update(Incident).where(Incident.id == merge.merged_id)
                    .values(merged_into_id=merge.previous_merged_into_id))
    merge.undone_by, merge.undone_at, merge.undo_reason = actor.username, datetime.now(UTC), reason
    session.flush()
    ledger.append(session, actor.username, "incident.unmerge", "incident", merge.merged_id, {
        "merge_id": merge.id, "survivor_id": merge.survivor_id, "merged_id": merge.merged_id,
        "restored_merged_into_id": merge.previous_merged_into_id, "reason": reason})


def describe(m: IncidentMerge) -> dict:
    out = history.snapshot(m)
    out["active"] = m.undone_at is None
    return out
