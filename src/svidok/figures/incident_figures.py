"""Figures about incidents and their victims: counts, breakdowns, map points, record listings.

Breakdowns group in SQL by raw columns and bucket in Python (months, oblasts, age bands)
so that the same code runs on SQLite and PostgreSQL. The victim figures (``victims``,
``victims_by``) take those raw groups from the in-memory victim columns when their arguments
allow (:mod:`svidok.figures.columns`), which gives the SQL's figures in milliseconds instead
of seconds on a big database; their SQL is still built, and answers otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session, aliased

from svidok.core.actors import Actor
from svidok.services import consent
from svidok.storage.models import Incident, ShareLink, Victim

from . import columns
from .grouping import group
from .places import oblast_of, place_coordinates
from .registry import QueryError, Result, query, run
from .victims import INCIDENT_FILTER, VICTIM_BY, incident_conditions, victim_base

if TYPE_CHECKING:
    from svidok.app import Svidok


def not_a_known_copy():
    """SQL condition on ``Incident``: not linked as the same incident as another live record by a
    ``share_links`` row (links recorded before ``svidok share link`` became an incident merge;
    merges themselves are left out by ``merged_into_id``, like every merged incident).
    """
    twin = aliased(Incident)
    linked = (select(ShareLink.record_id).join(twin, twin.id == ShareLink.same_as_id)
              .where(ShareLink.entity == "incident", twin.deleted_at.is_(None)))
    return Incident.id.not_in(linked)


@query("incidents", "incident", INCIDENT_FILTER)
def incidents(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Number of incidents matching the filter (an incident known to two organisations, linked, counts once)."""
    conds = [*incident_conditions(app, s, actor, kw), not_a_known_copy()]
    n = s.scalar(select(func.count()).select_from(Incident).where(*conds)) or 0
    return Result("number", n, n, "incident", "incidents")


@query("victims", "incident", INCIDENT_FILTER)
def victims(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Number of victims (persons and counted groups) of acts in the matching incidents."""
    q = victim_base(app, s, actor, kw, func.coalesce(func.sum(Victim.count), 0), func.count(distinct(Incident.id)))
    row = columns.total(app, s, actor, kw) or s.execute(q).one()
    return Result("number", int(row[0]), int(row[1]), "incident", "victims")


@query("victims_by", "incident", INCIDENT_FILTER | {"by"})
def victims_by(app: Svidok, s: Session, actor: Actor, by: str = "sex", **kw: Any) -> Result:
    """Victims broken down by sex, age_band, age_group, oblast, month, year, means, violation_type, harm or status."""
    if by in ("age_band", "age_group"):
        cols = (Victim.age, Victim.age_band)
    elif by in VICTIM_BY:
        cols = (VICTIM_BY[by],)
    else:
        raise QueryError(f"victims_by: by={by!r} is not one of {', '.join([*VICTIM_BY, 'age_band', 'age_group'])}")
    q = victim_base(app, s, actor, kw, *cols, func.sum(Victim.count)).group_by(*cols)
    raw = columns.groups(app, s, actor, kw, by)
    if raw is None:
        raw = [((r[0], r[1]) if len(cols) == 2 else r[0], r[-1]) for r in s.execute(q).all()]
    n_inc = run(app, s, actor, "victims", **kw).records
    return Result("breakdown", group(app, s, raw, by), n_inc, "incident", "victims")


@query("incidents_by", "incident", INCIDENT_FILTER | {"by"})
def incidents_by(app: Svidok, s: Session, actor: Actor, by: str = "oblast", **kw: Any) -> Result:
    """Incidents broken down by oblast, month, year or verification_status."""
    col = {"oblast": Incident.place_id, "month": Incident.date_lo, "year": Incident.date_lo,
           "verification_status": Incident.verification_status}.get(by)
    if col is None:
        raise QueryError(f"incidents_by: by={by!r} is not one of oblast, month, year, verification_status")
    rows = s.execute(select(col, func.count()).where(*incident_conditions(app, s, actor, kw)).group_by(col)).all()
    groups = group(app, s, rows, by)
    return Result("breakdown", groups, sum(g[2] for g in groups), "incident", "incidents")


@query("incident_points", "incident", INCIDENT_FILTER | {"grid"})
def incident_points(app: Svidok, s: Session, actor: Actor, grid: float = 0.1, **kw: Any) -> Result:
    """Incidents on a grid of ``grid`` degrees (lat, lon, incidents), at their own coordinates or
    else at their place's (a place without coordinates is drawn at the nearest enclosing one that has them)."""
    conds = incident_conditions(app, s, actor, kw)
    # One pass over the matching incidents: a grid cell for those with coordinates, the place for those without.
    located, unlocated = Incident.lat.is_not(None) & Incident.lon.is_not(None), Incident.lat.is_(None)
    cell_lat, cell_lon = case((located, func.round(Incident.lat / grid))), case((located, func.round(Incident.lon / grid)))
    place = case((unlocated, Incident.place_id))
    rows = s.execute(select(cell_lat, cell_lon, place, unlocated, func.count()).where(*conds)
                     .group_by(cell_lat, cell_lon, place, unlocated)).all()
    own = [(a, b, n) for a, b, _, no_lat, n in rows if not no_lat and a is not None]  # (a latitude alone is not drawn)
    acc: dict[tuple[float, float], int] = {(round(float(a) * grid, 6), round(float(b) * grid, 6)): int(n) for a, b, n in own}
    by_place = [(pid, n) for _, _, pid, no_lat, n in rows if no_lat]
    coords = place_coordinates(s)
    for pid, n in by_place:
        c = coords.get(pid)
        if c is None:
            continue  # no place or no coordinates anywhere above it: it cannot be drawn (the legend counts only drawn ones)
        key = (round(round(c[0] / grid) * grid, 6), round(round(c[1] / grid) * grid, 6))
        acc[key] = acc.get(key, 0) + int(n)
    pts = [(a, b, n) for (a, b), n in acc.items()]
    return Result("points", pts, sum(p[2] for p in pts), "incident", "incidents")


@query("incidents_by_oblast_map", "incident", INCIDENT_FILTER)
def incidents_by_oblast_map(app: Svidok, s: Session, actor: Actor, **kw: Any) -> Result:
    """Incidents per oblast keyed by the oblast's code (for maps that must not show exact places)."""
    rows = s.execute(select(Incident.place_id, func.count()).where(*incident_conditions(app, s, actor, kw))
                     .group_by(Incident.place_id)).all()
    obl = oblast_of(s)
    acc: dict[str, int] = {}
    for pid, n in rows:
        code = obl.get(pid, ("unknown",))[0] if pid is not None else "unknown"
        acc[code] = acc.get(code, 0) + n
    return Result("breakdown", [(k, k, v) for k, v in sorted(acc.items())], sum(acc.values()), "incident", "incidents")


@query("incident_list", "incident", INCIDENT_FILTER | {"limit", "only_public"})
def incident_list(app: Svidok, s: Session, actor: Actor, limit: int = 20, only_public: bool = False, **kw: Any) -> Result:
    """The matching incidents, newest first: id, date, oblast, title (a record listing).

    ``only_public``: only public records none of whose sources refused publication.
    """
    conds = incident_conditions(app, s, actor, kw)
    if only_public:  # public records whose sources allow publication
        conds += [Incident.confidentiality == "public", consent.publishable_clause()]
    rows = s.execute(select(Incident.id, Incident.date_start, Incident.place_id, Incident.title, Incident.confidentiality)
                     .where(*conds).order_by(Incident.date_lo.desc(), Incident.id.desc()).limit(limit)).all()
    total = s.scalar(select(func.count()).select_from(Incident).where(*conds)) or 0
    obl = oblast_of(s)
    out = [(r.id, r.date_start, obl.get(r.place_id, ("", "—"))[1], r.title) for r in rows]
    return Result("rows", out, total, "incident", "incidents", levels=[r.confidentiality for r in rows])


