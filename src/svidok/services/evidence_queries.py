"""Listing and counting evidence items by filter, with exactly the need-to-know of ``evidence.get``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.storage.models import EvidenceItem, Incident

from . import paging
from .incident_queries import decode_cursor, encode_cursor


@dataclass(frozen=True)
class EvidenceFilter:
    """What the evidence list narrows by; every field is optional."""

    incident_id: int | None = None
    case_id: int | None = None
    media_type: str | None = None  #: a prefix: "image/", "video/", "application/pdf"
    acquired_from: date | None = None
    acquired_to: date | None = None  #: inclusive
    q: str | None = None  #: text in the original file name

    def check(self) -> None:
        if self.acquired_from and self.acquired_to and self.acquired_from > self.acquired_to:
            raise ValidationFailed(FieldError("acquired_to", M_("the end of the date range is before its start")))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def conditions(actor: Actor, f: EvidenceFilter) -> list:
    """WHERE clauses: the actor's need-to-know (``core.access``, as ``evidence.get``) and the filter."""
    f.check()
    out = [access.visibility_clause(EvidenceItem, actor)]
    if f.incident_id is not None:
        out.append(EvidenceItem.incident_id == f.incident_id)
    if f.case_id is not None:
        out.append(EvidenceItem.case_id == f.case_id)
    if f.media_type:
        out.append(EvidenceItem.media_type.like(_escape_like(f.media_type.strip().lower()) + "%", escape="\\"))
    if f.acquired_from:
        out.append(EvidenceItem.acquired_at >= _day_start(f.acquired_from))
    if f.acquired_to:
        out.append(EvidenceItem.acquired_at < _day_start(f.acquired_to + timedelta(days=1)))
    if f.q and f.q.strip():
        pattern = "%" + _escape_like(f.q.strip().lower()) + "%"
        out.append(func.lower(EvidenceItem.original_name).like(pattern, escape="\\"))
    return out


def _incident_titles(s: Session, actor: Actor, ids: set[int]) -> dict[int, tuple[str, dict | None]]:
    """Titles of the items' incidents, with their other-language titles (an item is never visible
    when its incident is not)."""
    if not ids:
        return {}
    q = select(Incident.id, Incident.title, Incident.title_i18n).where(Incident.id.in_(ids),
                                                                       access.visibility_clause(Incident, actor))
    return {i: (t, t18) for i, t, t18 in s.execute(q).all()}


def listing(app, actor: Actor, f: EvidenceFilter, cursor: str | None = None, limit: int = 50) -> dict:
    """One page of evidence items, newest first, with an opaque cursor to the next page."""
    after = decode_cursor(cursor)
    with app.db.session() as s:
        q = select(EvidenceItem).where(*conditions(actor, f))
        rows, next_id = paging.newest_first(s, q, EvidenceItem.id, after, limit)
        titles = _incident_titles(s, actor, {r.incident_id for r in rows if r.incident_id})
        items = [
            {"id": r.id, "original_name": r.original_name, "media_type": r.media_type, "size": r.size,
             "sha256": r.sha256, "incident_id": r.incident_id,
             "incident_title": titles.get(r.incident_id, (None, None))[0],
             "incident_title_i18n": titles.get(r.incident_id, (None, None))[1],
             "source_id": r.source_id, "case_id": r.case_id, "confidentiality": r.confidentiality,
             "acquired_by": r.acquired_by, "acquired_at": r.acquired_at, "created_at": r.created_at}
            for r in rows
        ]
        return {"items": items, "next_cursor": encode_cursor(next_id) if next_id else None}


def count(app, actor: Actor, f: EvidenceFilter) -> int:
    """How many items match — only among those the actor may see."""
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(EvidenceItem).where(*conditions(actor, f))) or 0
