"""Queries over deprivation of liberty, displacement, hazard areas and interventions (registered
in the same registry as the incident queries of ``queries.py``; need-to-know on every table)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.domain import dates
from svidok.services import places
from svidok.storage.models import (
    CustodyEpisode,
    Displacement,
    HazardArea,
    Incident,
    Intervention,
    Person,
    Recommendation,
    Victim,
)
from svidok.storage.models.custody import HazardCasualty

from .grouping import VOCAB_OF, group
from .places import oblast_of
from .registry import QueryError, Result, query
from .victims import as_list, victim_base

if TYPE_CHECKING:
    from svidok.app import Svidok

# -- deprivation of liberty ---------------------------------------------------------------
CUSTODY_ARGS = {"date_from", "date_to", "place", "person_status", "outcome", "authority", "acknowledged",
                "monitor_access", "incommunicado", "forced_labour", "no_proof_of_life_days", "as_of"}


def _custody_conditions(app: Svidok, s: Session, actor: Actor, kw: dict) -> list:
    conds = [access.visibility_clause(CustodyEpisode, actor)]
    if kw.get("date_from"):
        conds.append(func.coalesce(CustodyEpisode.date_to_hi, date(9999, 12, 31)) >= dates.parse(kw["date_from"]).lo)
    if kw.get("date_to"):
        conds.append(CustodyEpisode.date_from_lo <= dates.parse(kw["date_to"]).hi)
    if kw.get("place"):
        conds.append(places.descendants_clause(s, CustodyEpisode.facility_place_id, kw["place"]))
    for name in ("outcome", "authority"):
        values = as_list(kw.get(name))
        vocab = VOCAB_OF[name]
        for v in values:
            app.vocab.check(vocab, v)
        if values:
            conds.append(getattr(CustodyEpisode, name).in_(values))
    for flag in ("acknowledged", "monitor_access", "incommunicado", "forced_labour"):
        if kw.get(flag) is not None:
            conds.append(getattr(CustodyEpisode, flag).is_(bool(kw[flag])))
    if kw.get("person_status"):
        app.vocab.check("person_status", kw["person_status"])
        conds.append(CustodyEpisode.person_id.in_(select(Person.id).where(Person.status == kw["person_status"])))
    if kw.get("no_proof_of_life_days") is not None:
        as_of = dates.parse(kw["as_of"]).hi if kw.get("as_of") else date.today()
        cutoff = date.fromordinal(as_of.toordinal() - int(kw["no_proof_of_life_days"]))
        conds.append(CustodyEpisode.outcome.in_(("in_custody", "unknown")))
        conds.append((CustodyEpisode.last_proof_of_life.is_(None)) | (CustodyEpisode.last_proof_of_life < cutoff))
    return conds


@query("custody", "custody_episode", CUSTODY_ARGS)
def custody(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Custody episodes (one person held by one authority) matching the filter."""
    n = s.scalar(select(func.count()).select_from(CustodyEpisode).where(*_custody_conditions(app, s, actor, kw))) or 0
    return Result("number", n, n, "custody_episode", "episodes")


@query("custody_people", "custody_episode", CUSTODY_ARGS)
def custody_people(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Distinct persons with a matching custody episode."""
    conds = _custody_conditions(app, s, actor, kw)
    n = s.scalar(select(func.count(distinct(CustodyEpisode.person_id))).where(*conds)) or 0
    eps = s.scalar(select(func.count()).select_from(CustodyEpisode).where(*conds)) or 0
    return Result("number", n, eps, "custody_episode", "people")


@query("custody_by", "custody_episode", CUSTODY_ARGS | {"by"})
def custody_by(app: Svidok, s: Session, actor: Actor, by: str = "outcome", **kw: Any) -> Result:
    """Custody episodes broken down by outcome, authority, oblast (of the facility), person_status or year."""
    cols = {"outcome": CustodyEpisode.outcome, "authority": CustodyEpisode.authority,
            "oblast": CustodyEpisode.facility_place_id, "year": CustodyEpisode.date_from_lo, "person_status": Person.status}
    col = cols.get(by)
    if col is None:
        raise QueryError(f"custody_by: by={by!r} is not one of {', '.join(cols)}")
    q = select(col, func.count()).select_from(CustodyEpisode)
    if by == "person_status":
        q = q.join(Person, Person.id == CustodyEpisode.person_id)
    rows = s.execute(q.where(*_custody_conditions(app, s, actor, kw)).group_by(col)).all()
    groups = group(app, s, rows, "status" if by == "person_status" else by)
    return Result("breakdown", groups, sum(g[2] for g in groups), "custody_episode", "episodes")


# -- displacement -------------------------------------------------------------------------
DISPLACEMENT_ARGS = {"date_from", "date_to", "place", "kind", "protection_status", "to_country"}


def _displacement_conditions(app: Svidok, s: Session, actor: Actor, kw: dict) -> list:
    conds = [access.visibility_clause(Displacement, actor)]
    if kw.get("date_from"):
        conds.append(Displacement.date_hi >= dates.parse(kw["date_from"]).lo)
    if kw.get("date_to"):
        conds.append(Displacement.date_lo <= dates.parse(kw["date_to"]).hi)
    if kw.get("place"):
        conds.append(places.descendants_clause(s, Displacement.from_place_id, kw["place"]))
    for name in ("kind", "protection_status"):
        values = as_list(kw.get(name))
        for v in values:
            app.vocab.check(VOCAB_OF[name], v)
        if values:
            conds.append(getattr(Displacement, name).in_(values))
    if kw.get("to_country"):
        conds.append(Displacement.to_country.in_(as_list(kw["to_country"])))
    return conds


@query("displaced", "displacement", DISPLACEMENT_ARGS)
def displaced(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """People displaced, deported or transferred (persons and counted groups)."""
    conds = _displacement_conditions(app, s, actor, kw)
    n, recs = s.execute(select(func.coalesce(func.sum(Displacement.group_count), 0), func.count()).where(*conds)).one()
    return Result("number", int(n), int(recs), "displacement", "people")


@query("displaced_by", "displacement", DISPLACEMENT_ARGS | {"by"})
def displaced_by(app: Svidok, s: Session, actor: Actor, by: str = "kind", **kw: Any) -> Result:
    """Displaced people broken down by kind, protection_status, to_country, oblast (of origin) or year."""
    cols = {"kind": Displacement.kind, "protection_status": Displacement.protection_status,
            "to_country": Displacement.to_country, "oblast": Displacement.from_place_id, "year": Displacement.date_lo}
    col = cols.get(by)
    if col is None:
        raise QueryError(f"displaced_by: by={by!r} is not one of {', '.join(cols)}")
    conds = _displacement_conditions(app, s, actor, kw)
    rows = s.execute(select(col, func.sum(Displacement.group_count)).where(*conds).group_by(col)).all()
    recs = s.scalar(select(func.count()).select_from(Displacement).where(*conds)) or 0
    return Result("breakdown", group(app, s, rows, by), recs, "displacement", "people")


# -- mines and explosive remnants ---------------------------------------------------------
HAZARD_ARGS = {"place", "contamination", "hazard_status"}


def _hazard_conditions(app: Svidok, s: Session, actor: Actor, kw: dict) -> list:
    conds = [access.visibility_clause(HazardArea, actor)]
    if kw.get("place"):
        conds.append(places.descendants_clause(s, HazardArea.place_id, kw["place"]))
    for name, col in (("contamination", HazardArea.contamination), ("hazard_status", HazardArea.status)):
        values = as_list(kw.get(name))
        for v in values:
            app.vocab.check(VOCAB_OF[name], v)
        if values:
            conds.append(col.in_(values))
    return conds


@query("hazard_areas", "hazard_area", HAZARD_ARGS)
def hazard_areas(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Hazard areas (suspected, confirmed or cleared contamination)."""
    n = s.scalar(select(func.count()).select_from(HazardArea).where(*_hazard_conditions(app, s, actor, kw))) or 0
    return Result("number", n, n, "hazard_area", "areas")


@query("hazard_by", "hazard_area", HAZARD_ARGS | {"by"})
def hazard_by(app: Svidok, s: Session, actor: Actor, by: str = "contamination", **kw: Any) -> Result:
    """Hazard areas broken down by contamination, hazard_status or oblast."""
    col = {"contamination": HazardArea.contamination, "hazard_status": HazardArea.status, "oblast": HazardArea.place_id}.get(by)
    if col is None:
        raise QueryError(f"hazard_by: by={by!r} is not one of contamination, hazard_status, oblast")
    rows = s.execute(select(col, func.count()).where(*_hazard_conditions(app, s, actor, kw)).group_by(col)).all()
    groups = group(app, s, rows, by)
    return Result("breakdown", groups, sum(g[2] for g in groups), "hazard_area", "areas")


@query("hazard_points", "hazard_area", HAZARD_ARGS | {"grid"})
def hazard_points(app: Svidok, s: Session, actor: Actor, grid: float = 0.1, **kw: Any) -> Result:
    """Hazard areas gathered on a grid of ``grid`` degrees (lat, lon, areas)."""
    cell_lat, cell_lon = func.round(HazardArea.lat / grid), func.round(HazardArea.lon / grid)
    rows = s.execute(select(cell_lat, cell_lon, func.count()).where(*_hazard_conditions(app, s, actor, kw))
                     .group_by(cell_lat, cell_lon)).all()
    pts = [(float(a) * grid, float(b) * grid, int(n)) for a, b, n in rows]
    return Result("points", pts, sum(p[2] for p in pts), "hazard_area", "areas")


@query("hazard_casualties", "hazard_area", HAZARD_ARGS | {"harm"})
def hazard_casualties(app: Svidok, s: Session, actor: Actor, harm: Any = ("killed", "injured"), **kw: Any) -> Result:
    """Victims of incidents linked to the matching hazard areas (default: killed and injured)."""
    linked = select(HazardCasualty.incident_id).join(HazardArea, HazardArea.id == HazardCasualty.hazard_id).where(
        *_hazard_conditions(app, s, actor, kw))
    row = s.execute(victim_base(app, s, actor, {"harm": list(as_list(harm))},
                                 func.coalesce(func.sum(Victim.count), 0), func.count(distinct(Incident.id)))
                    .where(Incident.id.in_(linked))).one()
    return Result("number", int(row[0]), int(row[1]), "incident", "victims")


# -- advocacy -----------------------------------------------------------------------------
@query("recommendations", "intervention", {"intervention_id", "theme"})
def recommendations(app: Svidok, s: Session, actor: Actor, intervention_id: int | None = None, theme: str | None = None) -> Result:
    """Recommendations of an intervention (theme, text, supporting records)."""
    q = (select(Recommendation.id, Recommendation.theme, Recommendation.text, Recommendation.support, Intervention.confidentiality)
         .join(Intervention, Intervention.id == Recommendation.intervention_id)
         .where(access.visibility_clause(Intervention, actor)))
    if intervention_id is not None:
        q = q.where(Intervention.id == intervention_id)
    if theme:
        app.vocab.check("intervention_themes", theme)
        q = q.where(Recommendation.theme == theme)
    rows = s.execute(q.order_by(Recommendation.id)).all()
    out = [(r.id, r.theme, r.text, r.support or []) for r in rows]
    return Result("rows", out, len(out), "intervention", "recommendations", levels=[r.confidentiality for r in rows])


def supporting_levels(s: Session, actor: Actor, support: list[dict]) -> list[tuple[dict, str | None]]:
    """Each support entry with the confidentiality of the record it names (None: not a visible record)."""
    models = {"incident": Incident, "custody_episode": CustodyEpisode, "displacement": Displacement,
              "hazard_area": HazardArea, "person": Person}
    out = []
    for entry in support:
        model = models.get(entry.get("entity", ""))
        level = None
        if model is not None and isinstance(entry.get("id"), int):
            level = s.scalar(select(model.confidentiality).where(model.id == entry["id"],
                                                                 access.visibility_clause(model, actor)))
        out.append((entry, level))
    return out


@query("hazards_by_oblast_map", "hazard_area", {"place", "contamination", "hazard_status"})
def hazards_by_oblast_map(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Hazard areas per oblast keyed by the oblast's code (for maps that must not show exact places)."""
    rows = s.execute(select(HazardArea.place_id, func.count()).where(*_hazard_conditions(app, s, actor, kw))
                     .group_by(HazardArea.place_id)).all()
    obl = oblast_of(s)
    acc: dict[str, int] = {}
    for pid, n in rows:
        code = obl.get(pid, ("unknown",))[0] if pid is not None else "unknown"
        acc[code] = acc.get(code, 0) + n
    return Result("breakdown", [(k, k, v) for k, v in sorted(acc.items())], sum(acc.values()), "hazard_area", "areas")
