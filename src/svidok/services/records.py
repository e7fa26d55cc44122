"""Create, read, list and change the simpler records: organisations, cases, custody
episodes, displacements, hazard areas and interventions (one generic use case each)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import ROLE_CLEARANCE, Actor
from svidok.core.errors import Conflict, ValidationFailed
from svidok.core.messages import M_
from svidok.core.validation import Checker
from svidok.domain import dates
from svidok.schemas import others
from svidok.storage.models import (
    Case,
    CaseGrant,
    CustodyEpisode,
    Displacement,
    HazardArea,
    Intervention,
    InterventionStatus,
    Organisation,
    Person,
    ProofOfLife,
    Recommendation,
)

from . import history, ledger, paging, places

if TYPE_CHECKING:
    from svidok.app import Svidok


@dataclass(frozen=True)
class Kind:
    entity: str
    model: type
    schema: type[BaseModel]
    prepare: Callable[[Any, Session, Any, Checker], dict]
    children: Callable[[Session, Any, Any], None] | None = None
    describe: Callable[[Session, Any], dict] | None = None


def _place(s: Session, c: Checker, ref: Any, field: str) -> int | None:
    if ref is None or ref == "":  # an empty place field means "no place" (was a 500 the fuzzer found)
        return None
    try:
        return places.resolve(s, ref, field).id  # type: ignore[union-attr]
    except ValidationFailed as exc:
        c.errors.extend(exc.errors)
        return None


def _conf(c: Checker, d: Any) -> None:
    c.term("confidentiality", d.confidentiality, "confidentiality")
    c.exists(Case, d.case_id, "case_id", "case")


def _organisation(app: Svidok, s, d: others.OrganisationIn, c: Checker) -> dict:
    c.exists(Organisation, d.parent_id, "parent_id", "organisation")
    return d.model_dump()


def _case(app: Svidok, s, d: others.CaseIn, c: Checker) -> dict:
    return d.model_dump()


def _custody(app: Svidok, s, d: others.CustodyEpisodeIn, c: Checker) -> dict:
    c.exists(Person, d.person_id, "person_id", "person")
    c.term("detaining_authorities", d.authority, "authority")
    c.term("detention_outcomes", d.outcome, "outcome")
    c.exists(Organisation, d.authority_org_id, "authority_org_id", "organisation")
    c.exists(CustodyEpisode, d.transferred_from_id, "transferred_from_id", "custody episode")
    c.not_future(d.date_from, "date_from")
    c.not_future(d.date_to, "date_to")
    c.order(d.date_from, d.date_to, "date_to")
    for i, p in enumerate(d.proofs_of_life):
        c.term("proof_of_life_kinds", p.kind, f"proofs_of_life[{i}].kind")
        c.not_future(p.date, f"proofs_of_life[{i}].date")
    _conf(c, d)
    values = d.model_dump(exclude={"facility", "proofs_of_life"})
    values["facility_place_id"] = _place(s, c, d.facility, "facility")
    values["date_from_lo"] = dates.parse(d.date_from).lo
    values["date_to_hi"] = dates.parse(d.date_to).hi if d.date_to else None
    pol = [dates.parse(p.date).hi for p in d.proofs_of_life]
    values["last_proof_of_life"] = max(pol) if pol else None
    return values


def _custody_children(s: Session, obj: CustodyEpisode, d: others.CustodyEpisodeIn) -> None:
    s.execute(delete(ProofOfLife).where(ProofOfLife.episode_id == obj.id))
    for p in d.proofs_of_life:
        pd = dates.parse(p.date)
        s.add(ProofOfLife(episode_id=obj.id, kind=p.kind, date=pd.to_iso(), date_lo=pd.lo, date_hi=pd.hi, note=p.note))


def _displacement(app: Svidok, s, d: others.DisplacementIn, c: Checker) -> dict:
    c.exists(Person, d.person_id, "person_id", "person")
    c.term("displacement_kinds", d.kind, "kind")
    c.term("protection_statuses", d.protection_status, "protection_status")
    c.not_future(d.date, "date")
    _conf(c, d)
    values = d.model_dump(exclude={"from_place", "to_place"})
    values["from_place_id"] = _place(s, c, d.from_place, "from_place")
    values["to_place_id"] = _place(s, c, d.to_place, "to_place")
    pd = dates.parse(d.date)
    values["date_lo"], values["date_hi"] = pd.lo, pd.hi
    return values


def _hazard(app: Svidok, s, d: others.HazardAreaIn, c: Checker) -> dict:
    c.term("contamination_types", d.contamination, "contamination")
    c.term("hazard_statuses", d.status, "status")
    if d.geometry is not None and d.geometry.get("type") not in ("Polygon", "MultiPolygon"):
        c.add("geometry", "must be a GeoJSON Polygon or MultiPolygon")
    _conf(c, d)
    values = d.model_dump(exclude={"place"})
    values["place_id"] = _place(s, c, d.place, "place")
    return values


def _intervention(app: Svidok, s, d: others.InterventionIn, c: Checker) -> dict:
    c.term("intervention_statuses", d.status, "status")
    for i, r in enumerate(d.recommendations):
        c.term("intervention_themes", r.theme, f"recommendations[{i}].theme")
    _conf(c, d)
    values = d.model_dump(exclude={"recommendations"})
    values["date"] = dates.parse(d.date).exact_lo
    return values


def _intervention_children(s: Session, obj: Intervention, d: others.InterventionIn) -> None:
    s.execute(delete(Recommendation).where(Recommendation.intervention_id == obj.id))
    for r in d.recommendations:
        s.add(Recommendation(intervention_id=obj.id, theme=r.theme, text=r.text, support=r.support))
    last = s.scalar(select(InterventionStatus.status).where(InterventionStatus.intervention_id == obj.id)
                    .order_by(InterventionStatus.id.desc()).limit(1))
    if last != obj.status:
        s.add(InterventionStatus(intervention_id=obj.id, status=obj.status))


def _describe_custody(s: Session, obj: CustodyEpisode) -> dict:
    pols = s.scalars(select(ProofOfLife).where(ProofOfLife.episode_id == obj.id).order_by(ProofOfLife.date_lo))
    return {"proofs_of_life": [{"kind": p.kind, "date": p.date, "note": p.note} for p in pols]}


def _describe_intervention(s: Session, obj: Intervention) -> dict:
    recs = s.scalars(select(Recommendation).where(Recommendation.intervention_id == obj.id).order_by(Recommendation.id))
    hist = s.scalars(select(InterventionStatus).where(InterventionStatus.intervention_id == obj.id).order_by(InterventionStatus.id))
    return {
        "recommendations": [{"theme": r.theme, "text": r.text, "support": r.support} for r in recs],
        "status_history": [{"status": h.status, "at": h.at.isoformat(), "note": h.note} for h in hist],
    }


KINDS: dict[str, Kind] = {
    "organisation": Kind("organisation", Organisation, others.OrganisationIn, _organisation),
    "case": Kind("case", Case, others.CaseIn, _case),
    "custody_episode": Kind("custody_episode", CustodyEpisode, others.CustodyEpisodeIn, _custody,
                            _custody_children, _describe_custody),
    "displacement": Kind("displacement", Displacement, others.DisplacementIn, _displacement),
    "hazard_area": Kind("hazard_area", HazardArea, others.HazardAreaIn, _hazard),
    "intervention": Kind("intervention", Intervention, others.InterventionIn, _intervention,
                         _intervention_children, _describe_intervention),
}


def _visible(model, actor: Actor):
    return access.readable(model, actor)


#: How a missing record is named ("case 7 not found"), in words the interface translates.
_NAMED = {
    "organisation": lambda i: M_("organisation %(id)s", id=i), "case": lambda i: M_("case %(id)s", id=i),
    "custody_episode": lambda i: M_("custody episode %(id)s", id=i),
    "displacement": lambda i: M_("displacement %(id)s", id=i), "hazard_area": lambda i: M_("hazard area %(id)s", id=i),
    "intervention": lambda i: M_("intervention %(id)s", id=i),
}


def _require(s: Session, kind: Kind, actor: Actor, ident: int):
    return access.require_visible(s.get(kind.model, ident), actor, _NAMED[kind.entity](ident))


def to_dict(s: Session, kind: Kind, obj: Any) -> dict:
    out = history.snapshot(obj)
    if kind.describe:
        out.update(kind.describe(s, obj))
    return out


def _unique_case_code(s: Session, entity: str, data: BaseModel, ident: int | None) -> None:
    if entity != "case":
        return
    q = select(Case.id).where(Case.code == data.code)  # type: ignore[attr-defined]
    if ident is not None:
        q = q.where(Case.id != ident)
    if s.scalar(q) is not None:
        raise Conflict(M_("a case with code %(code)r exists", code=data.code))  # type: ignore[attr-defined]


def _grant_creator(s: Session, actor: Actor, case: Case) -> None:
    """Whoever opens a case file may work in it (up to their role's clearance); others need a grant."""
    if actor.is_admin or actor.user_id is None:
        return
    level = ROLE_CLEARANCE[actor.role]
    s.add(CaseGrant(case_id=case.id, user_id=actor.user_id, level=level))
    ledger.append(s, actor.username, "case.grant", "case", case.id, {"user": actor.username, "level": level})


def create(app: Svidok, actor: Actor, entity: str, data: BaseModel) -> dict:
    kind = KINDS[entity]
    access.require_writer(actor)
    with app.db.session() as s:
        c = Checker(app.vocab, s, actor)
        values = kind.prepare(app, s, data, c)
        c.raise_if_any()
        _unique_case_code(s, entity, data, None)
        obj = kind.model(**values, created_by=actor.username)
        s.add(obj)
        s.flush()
        if kind.children:
            kind.children(s, obj, data)
        if entity == "case":
            _grant_creator(s, actor, obj)
        s.flush()
        s.refresh(obj)
        history.record(s, actor, entity, obj, "create", None, after=to_dict(s, kind, obj))
        return to_dict(s, kind, obj)


def update(app: Svidok, actor: Actor, entity: str, ident: int, data: BaseModel, version: int) -> dict:
    """Replace a record's content; ``version`` must be the one the caller read."""
    kind = KINDS[entity]
    access.require_writer(actor)
    with app.db.session() as s:
        obj = _require(s, kind, actor, ident)
        if obj.version != version:
            raise Conflict(M_("%(entity)s %(ident)s was changed by someone else (you read version %(version)s, it is now %(version2)s); reload and save again", entity=entity, ident=ident, version=version, version2=obj.version))
        before = to_dict(s, kind, obj)
        c = Checker(app.vocab, s, actor)
        values = kind.prepare(app, s, data, c)
        c.raise_if_any()
        _unique_case_code(s, entity, data, ident)
        for k, v in values.items():
            setattr(obj, k, v)
        obj.version += 1
        obj.updated_at = func.now()
        if kind.children:
            kind.children(s, obj, data)
        s.flush()
        s.refresh(obj)
        history.record(s, actor, entity, obj, "update", before, after=to_dict(s, kind, obj))
        return to_dict(s, kind, obj)


def get(app: Svidok, actor: Actor, entity: str, ident: int) -> dict:
    kind = KINDS[entity]
    with app.db.session() as s:
        return to_dict(s, kind, _require(s, kind, actor, ident))


def listing(app: Svidok, actor: Actor, entity: str, after: int | None = None, limit: int = 50,
            person_id: int | None = None) -> tuple[list[dict], int | None]:
    kind = KINDS[entity]
    m = kind.model
    with app.db.session() as s:
        q = select(m).where(_visible(m, actor))
        if person_id is not None and hasattr(m, "person_id"):
            q = q.where(m.person_id == person_id)
        rows, next_id = paging.newest_first(s, q, m.id, after, limit)
        return [to_dict(s, kind, r) for r in rows], next_id


def remove(app: Svidok, actor: Actor, entity: str, ident: int, reason: str) -> None:
    kind = KINDS[entity]
    access.require_writer(actor)
    with app.db.session() as s:
        obj = _require(s, kind, actor, ident)
        before = history.snapshot(obj)
        obj.deleted_at = func.now()
        obj.deleted_reason = reason
        obj.version += 1
        s.flush()
        s.refresh(obj)
        history.record(s, actor, entity, obj, "delete", before, reason=reason)




def history_of(app: Svidok, actor: Actor, entity: str, ident: int) -> list[dict]:
    """The record's versions, newest last, each with what changed (for its page)."""
    kind = KINDS[entity]
    with app.db.session() as s:
        _require(s, kind, actor, ident)
        return [{"version": v.version, "op": v.op, "at": v.at.isoformat(), "actor": v.actor, "reason": v.reason,
                 "changes": {k: {"before": b, "after": a} for k, (b, a) in history.diff(v.before, v.after).items()}}
                for v in history.versions(s, kind.entity, ident)]
