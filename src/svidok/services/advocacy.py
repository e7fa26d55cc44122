"""Advocacy: where each intervention stands (validated status changes with history), views by
target and by theme, and what changed since the last letter to a target."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.storage.models import (
    Act,
    CustodyEpisode,
    Displacement,
    HazardArea,
    Incident,
    Intervention,
    InterventionStatus,
    Recommendation,
    Victim,
)

from . import history, records

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Which status may follow which. A letter is sent once; an addressee may acknowledge it, act on
#: it or ignore it; an action may later be reversed (and a reversal undone by a new action).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("sent",),
    "sent": ("acknowledged", "acted_on", "ignored"),
    "acknowledged": ("acted_on", "ignored"),
    "ignored": ("acknowledged", "acted_on"),
    "acted_on": ("reversed",),
    "reversed": ("acted_on",),
}


def _intervention(s: Session, actor: Actor, ident: int) -> Intervention:
    obj = s.get(Intervention, ident)
    if obj is None or obj.deleted_at is not None:
        raise NotFound(M_("intervention %(ident)s not found", ident=ident))
    return access.require_visible(obj, actor, M_("intervention %(id)s", id=ident))


def set_status(app: Svidok, actor: Actor, ident: int, status: str, note: str | None = None,
               at: datetime | None = None, version: int | None = None) -> dict:
    """Move an intervention to ``status`` (if the transition is allowed) and record it in its history."""
    access.require_writer(actor)
    if status not in app.vocab["intervention_statuses"]:
        known = ", ".join(app.vocab["intervention_statuses"].terms)
        raise ValidationFailed(FieldError("status", M_("unknown status %(status)r (known: %(known)s)", status=status, known=known)))
    with app.db.session() as s:
        obj = _intervention(s, actor, ident)
        if version is not None and obj.version != version:
            raise Conflict(M_("intervention %(ident)s was changed by someone else (you read version %(version)s, it is now %(version2)s); reload and try again", ident=ident, version=version, version2=obj.version))
        allowed = TRANSITIONS.get(obj.status, ())
        if status not in allowed:
            hint = f"from {obj.status!r} it may become {', '.join(allowed)}" if allowed else f"{obj.status!r} is final"
            raise ValidationFailed(FieldError("status", M_("intervention %(ident)s is %(status)r; cannot become %(status2)r (%(hint)s)", ident=ident, status=obj.status, status2=status, hint=hint)))
        now = datetime.now(UTC)
        when = _aware(at) if at else now
        if when > now:
            raise ValidationFailed(FieldError("at", M_("%(value)s is in the future", value=when.isoformat())))
        if when.date() < obj.date:
            raise ValidationFailed(FieldError("at", M_("%(value)s is before the intervention's date %(value2)s", value=when.date().isoformat(), value2=obj.date.isoformat())))
        before = records.to_dict(s, records.KINDS["intervention"], obj)
        obj.status = status
        obj.version += 1
        obj.updated_at = datetime.now(UTC)
        s.add(InterventionStatus(intervention_id=ident, status=status, at=when, note=note))
        s.flush()
        after = records.to_dict(s, records.KINDS["intervention"], obj)
        history.record(s, actor, "intervention", obj, "update", before, after=after, reason=f"status: {status}")
        return after


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _visible(s: Session, actor: Actor, target: str | None = None) -> list[Intervention]:
    q = select(Intervention).where(access.visibility_clause(Intervention, actor))
    if target is not None:
        q = q.where(Intervention.target == target)
    return list(s.scalars(q.order_by(Intervention.date, Intervention.id)))


def _recs(s: Session, ids: list[int]) -> dict[int, list[Recommendation]]:
    out: dict[int, list[Recommendation]] = defaultdict(list)
    if ids:
        for r in s.scalars(select(Recommendation).where(Recommendation.intervention_id.in_(ids)).order_by(Recommendation.id)):
            out[r.intervention_id].append(r)
    return out


def _brief(i: Intervention, recs: list[Recommendation]) -> dict:
    return {"id": i.id, "title": i.title, "date": i.date.isoformat(), "target": i.target, "target_kind": i.target_kind,
            "status": i.status, "recommendations": len(recs), "themes": sorted({r.theme for r in recs})}


def by_target(app: Svidok, actor: Actor) -> list[dict]:
    """One row per target: its interventions (oldest first), the count per status and the latest letter."""
    with app.db.session() as s:
        items = _visible(s, actor)
        recs = _recs(s, [i.id for i in items])
        groups: dict[str, list[Intervention]] = defaultdict(list)
        for i in items:
            groups[i.target].append(i)
        out = []
        for target, its in sorted(groups.items()):
            statuses: dict[str, int] = defaultdict(int)
            for i in its:
                statuses[i.status] += 1
            out.append({"target": target, "target_kind": its[-1].target_kind, "interventions": [_brief(i, recs[i.id]) for i in its],
                        "by_status": dict(statuses), "last": _brief(its[-1], recs[its[-1].id])})
        return out


def by_theme(app: Svidok, actor: Actor) -> list[dict]:
    """One row per theme of the vocabulary: its recommendations, to whom, and where they stand."""
    with app.db.session() as s:
        items = {i.id: i for i in _visible(s, actor)}
        recs = _recs(s, list(items))
        out = []
        for theme in app.vocab["intervention_themes"].terms:
            rows = [(items[iid], r) for iid, rs in recs.items() for r in rs if r.theme == theme]
            statuses: dict[str, int] = defaultdict(int)
            for i, _ in rows:
                statuses[i.status] += 1
            out.append({
                "theme": theme, "label": app.vocab.label("intervention_themes", theme),
                "recommendations": [{"intervention_id": i.id, "date": i.date.isoformat(), "target": i.target,
                                     "status": i.status, "text": r.text, "support": r.support or []}
                                    for i, r in sorted(rows, key=lambda x: (x[0].date, x[1].id))],
                "targets": sorted({i.target for i, _ in rows}), "by_status": dict(statuses),
            })
        return out


def _new_records(s: Session, actor: Actor, app, since: datetime) -> dict[str, int]:
    """Records documented (created) after ``since``, counted per advocacy theme."""
    fam = app.vocab.families()

    def incidents(*conds: Any) -> int:
        q = select(func.count()).select_from(Incident).where(access.visibility_clause(Incident, actor), Incident.created_at > since)
        if conds:
            q = q.where(Incident.id.in_(select(Act.incident_id).where(Act.deleted_at.is_(None), *conds)))
        return s.scalar(q) or 0

    def count(model: Any) -> int:
        return s.scalar(select(func.count()).select_from(model).where(access.visibility_clause(model, actor), model.created_at > since)) or 0

    at_risk = select(Victim.act_id).where(Victim.characteristics.like("%|child|%") | Victim.characteristics.like("%|older_person|%")
                                          | Victim.characteristics.like("%|indigenous|%"))
    return {
        "humanitarian_access": incidents(Act.violation_type.in_(fam.get("humanitarian", []))),
        "detainees_and_pows": count(CustodyEpisode),
        "at_risk_groups": incidents(Act.id.in_(at_risk)),
        "refugees_and_protection": count(Displacement),
        "mine_action": count(HazardArea),
        "accountability": incidents(),
        "occupied_territories": incidents(Act.violation_type.in_(fam.get("occupation", []))),
    }


def since_last_letter(app: Svidok, actor: Actor, target: str) -> dict:
    """What changed since the last letter to ``target``: its status history since it was sent, records
    documented since, and how its recommendations differ from the letter before it."""
    with app.db.session() as s:
        its = _visible(s, actor, target)
        if not its:
            raise NotFound(M_("no intervention to target %(target)r", target=target))
        last = its[-1]
        prev = its[-2] if len(its) > 1 else None
        recs = _recs(s, [i.id for i in its])
        hist = s.scalars(select(InterventionStatus).where(InterventionStatus.intervention_id == last.id)
                         .order_by(InterventionStatus.id)).all()
        since = datetime.combine(last.date, datetime.min.time(), tzinfo=UTC)
        key = lambda r: (r.theme, " ".join(r.text.split()).lower())  # noqa: E731 - the identity of a recommendation
        now_keys = {key(r): r for r in recs[last.id]}
        before_keys = {key(r): r for r in recs[prev.id]} if prev else {}
        return {
            "target": target,
            "last": _brief(last, recs[last.id]),
            "previous": _brief(prev, recs[prev.id]) if prev else None,
            "status_history": [{"status": h.status, "at": h.at.isoformat(), "note": h.note} for h in hist],
            "documented_since": {"since": last.date.isoformat(), "by_theme": _new_records(s, actor, app, since)},
            "recommendations": {
                "new": [{"theme": r.theme, "text": r.text} for k, r in now_keys.items() if k not in before_keys],
                "repeated": [{"theme": r.theme, "text": r.text} for k, r in now_keys.items() if k in before_keys],
                "dropped": [{"theme": r.theme, "text": r.text} for k, r in before_keys.items() if k not in now_keys],
            },
            "days_since_last": (date.today() - last.date).days,
        }
