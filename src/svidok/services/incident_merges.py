"""Reversible merges of incidents found to be one (the same attack reported twice).

As with persons (:mod:`.merges`; both take their steps from :mod:`.reversible_merges`),
a merge edits nothing but ``merged_into_id`` of the merged incident's root and keeps what it held before in an :class:`IncidentMerge`;
undoing puts it back. Figures and briefs count only incidents not merged into another
(``figures.victims.incident_conditions``), so a merged incident counts once; its acts,
victims and sources stay where they were and its page says where it went.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.storage.models import Incident, IncidentMerge

from .reversible_merges import MergeKind
from .reversible_merges import describe as _describe

INCIDENTS = MergeKind(record=Incident, merge=IncidentMerge, noun="incident", members="incidents",
                      linked="merged into")


def root_of(session: Session, incident_id: int) -> int:
    """The incident a report is (transitively) merged into; itself when not merged."""
    return INCIDENTS.root_of(session, incident_id)


def merged_into_this(session: Session, incident_id: int) -> list[int]:
    """Reports merged directly into the incident (active merges), oldest first."""
    return list(session.scalars(select(Incident.id).where(Incident.merged_into_id == incident_id,
                                                          Incident.deleted_at.is_(None)).order_by(Incident.id)))


def merge_in(session: Session, actor: Actor, a: int, b: int, *, pair_id: int | None = None,
             reason: str | None = None) -> IncidentMerge | None:
    """Link two incidents' groups inside the caller's transaction; the older (lower root id)
    survives. None when they are one already."""
    return INCIDENTS.merge_in(session, actor, a, b, pair_id=pair_id, reason=reason)


def undo_in(session: Session, actor: Actor, merge: IncidentMerge, reason: str | None = None) -> None:
    """Put back what the merge changed; Conflict when it was undone or changed since."""
    INCIDENTS.undo_in(session, actor, merge, reason)


def describe(m: IncidentMerge) -> dict:
    return _describe(m)
