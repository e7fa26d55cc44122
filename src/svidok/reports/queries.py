"""The named queries a brief's figures are made of (all report SQL lives here).

Every query takes the session, the actor and keyword arguments (filter fields and query
parameters), honours need-to-know (``access.visibility_clause``) and returns a
:class:`Result`: the value, how many records it rests on, and which table it reads.
Breakdowns group in SQL by raw columns and bucket in Python (months, oblasts, age bands)
so that the same code runs on SQLite and PostgreSQL. The victim figures (``victims``,
``victims_by``, ``disproportionality``) take those raw groups from the in-memory victim columns
when their arguments allow (``queries_columns``), which gives the SQL's figures in milliseconds
instead of seconds on a big database; their SQL is still built, and answers otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from svidok.schemas.filters import IncidentFilter
from svidok.services import consent, incident_queries
from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.stats.age_bands import VOCAB_BANDS, age_group, band_of, parse_bands
from svidok.storage.models import (
    Act, CustodyEpisode, Displacement, HazardArea, Incident, Intervention, Person, Place, Qualification, Victim,
)

from . import queries_columns

INCIDENT_FILTER = set(IncidentFilter.model_fields)
#: Victim-level arguments: they select victims, not just the incidents that have such victims.
VICTIM_LEVEL = {"harm", "characteristic", "victim_status"}


class QueryError(ValueError):
    """A query was asked for with arguments it cannot take (the engine adds the template line)."""


@dataclass
class Result:
    kind: str  # number | breakdown | points | rows | comparison | estimate
    value: Any
    records: int  # how many records (incidents, episodes, …) the figure rests on
    entity: str  # the table the records are in, for the data date and the annex
    unit: str
    #: For record listings: confidentiality of each listed record (the public edition checks it).
    levels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    name: str
    entity: str
    description: str
    args: frozenset[str]
    fn: Callable[..., Result]


REGISTRY: dict[str, Query] = {}


def query(name: str, entity: str, args: set[str] | frozenset[str]):  # noqa: ANN201
    def deco(fn: Callable[..., Result]) -> Callable[..., Result]:
        REGISTRY[name] = Query(name, entity, (fn.__doc__ or "").strip().splitlines()[0], frozenset(args), fn)
        return fn
    return deco


def run(app, session: Session, actor: Actor, name: str, **kwargs: Any) -> Result:  # noqa: ANN001
    """Run a registered query; unknown names or arguments raise :class:`QueryError`."""
    q = REGISTRY.get(name)
    if q is None:
        raise QueryError(f"unknown query {name!r} (known: {', '.join(sorted(REGISTRY))})")
    unknown = set(kwargs) - q.args
    if unknown:
        raise QueryError(f"query {name!r} takes no argument {', '.join(sorted(map(repr, unknown)))} "
                         f"(it takes: {', '.join(sorted(q.args))})")
    # One rendering asks the same question several times (a chart and its table, a total and
    # its breakdown): answer each once per session.
    memo = session.info.setdefault("svidok_report_memo", {})
    key = (name, actor.username, repr(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))
    if key not in memo:
        memo[key] = q.fn(app, session, actor, **kwargs)
    return memo[key]


# -- shared pieces ------------------------------------------------------------------------
def _as_list(v: Any) -> list:
    return [] if v is None else list(v) if isinstance(v, list | tuple | set) else [v]


def _incident_conditions(app, s: Session, actor: Actor, kwargs: dict, acts_too: bool = True) -> list:  # noqa: ANN001
    """Need-to-know and the incident filter. Act- and victim-level fields become one IN subquery
    ("has an act of this kind with such a victim") — much faster on large tables than the
    correlated EXISTS of the incident list; with ``acts_too=False`` the caller applies them itself."""
    fields = {k: v for k, v in kwargs.items() if k in INCIDENT_FILTER and v is not None}
    single = {k: (v[0] if isinstance(v, list | tuple) and len(v) == 1 else v) for k, v in fields.items()}
    try:  # validate everything (vocabularies, dates, place) the way the incident list does
        f = IncidentFilter.model_validate({k: v for k, v in single.items() if not isinstance(v, list | tuple)})
    except ValidationError as exc:
        raise ValidationFailed([FieldError(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]) from None
    incident_queries.check_filter(app, s, f)
    core = f.model_copy(update={k: None for k in ACT_LEVEL | VICTIM_LEVEL})
    conds = incident_queries.conditions(app, s, actor, core)
    if acts_too and set(fields) & (ACT_LEVEL | VICTIM_LEVEL):
        act_conds = _act_conditions(app, fields)
        victim_conds = _victim_conditions(app, fields)
        if victim_conds:
            act_conds.append(Act.id.in_(select(Victim.act_id).where(*victim_conds)))
        conds.append(Incident.id.in_(select(Act.incident_id).where(Act.deleted_at.is_(None), *act_conds)))
    return conds


def _victim_conditions(app, kwargs: dict) -> list:  # noqa: ANN001
    conds = []
    harms = _as_list(kwargs.get("harm"))
    for h in harms:
        if h not in app.vocab["harms"]:
            raise ValidationFailed(FieldError("harm", f"unknown harm {h!r}"))
    if harms:
        conds.append(Victim.harm.in_(harms))
    if kwargs.get("characteristic"):
        app.vocab.check("victim_characteristics", kwargs["characteristic"])
        conds.append(Victim.characteristics.like(f"%|{kwargs['characteristic']}|%"))
    if kwargs.get("victim_status"):
        conds.append(Victim.status == kwargs["victim_status"])
    return conds


ACT_LEVEL = {"violation_type", "family", "means", "provision"}


def _act_conditions(app, kwargs: dict) -> list:  # noqa: ANN001
    """Act-level arguments applied to the victim's own act (not to any act of the incident)."""
    conds = []
    if kwargs.get("violation_type"):  # one code or a list of codes
        conds.append(Act.violation_type.in_([app.vocab.check("violation_types", v)
                                             for v in _as_list(kwargs["violation_type"])]))
    if kwargs.get("family"):
        fam = app.vocab.families()
        if kwargs["family"] not in fam:
            raise ValidationFailed(FieldError("family", f"unknown violation family {kwargs['family']!r} (known: {', '.join(sorted(fam))})"))
        conds.append(Act.violation_type.in_(fam[kwargs["family"]]))
    if kwargs.get("means"):
        conds.append(Act.means.in_([app.vocab.check("means", v) for v in _as_list(kwargs["means"])]))
    if kwargs.get("provision"):
        prov = app.vocab.check("legal_provisions", kwargs["provision"])
        conds.append(or_(Act.violation_type.in_(app.vocab.violation_types_for_provision(prov)),
                         exists().where(Qualification.act_id == Act.id, Qualification.provision == prov)))
    return conds


def _victim_base(app, s: Session, actor: Actor, kwargs: dict, *cols, each_list: bool = False):  # noqa: ANN001, ANN002, ANN202
    """Victims of acts matching the act-level fields, in incidents matching the rest.

    A person documented by several lists has one record per list, merged into one; only the
    surviving record's victim row counts, and withdrawn person records never do — unless
    ``each_list`` (estimation needs every list's record of a person).
    """
    copy = aliased(Person)  # an alias: callers may select from persons themselves
    duplicate = exists().where(copy.id == Victim.person_id,
                               or_(copy.merged_into_id.is_not(None), copy.deleted_at.is_not(None)))
    q = (
        select(*cols).select_from(Victim).join(Act, Act.id == Victim.act_id).join(Incident, Incident.id == Act.incident_id)
        .where(Act.deleted_at.is_(None), *_incident_conditions(app, s, actor, kwargs, acts_too=False),
               *_act_conditions(app, kwargs), *_victim_conditions(app, kwargs))
    )
    return q if each_list else q.where(or_(Victim.person_id.is_(None), ~duplicate))


def oblast_of(s: Session) -> dict[int, tuple[str, str, str]]:
    """place id -> (code, English name, Ukrainian name) of its oblast-level unit."""
    rows = s.execute(select(Place.id, Place.parent_id, Place.level, Place.code, Place.name_en, Place.name_uk)).all()
    by_id = {r.id: r for r in rows}
    out = {}
    for r in rows:
        cur = r
        while cur is not None and cur.level not in ("oblast", "country"):
            cur = by_id.get(cur.parent_id)
        if cur is not None and cur.level == "oblast":
            out[r.id] = (cur.code, cur.name_en, cur.name_uk)
    return out


def _bucket(s: Session, by: str, key: Any, app, lang: str = "en") -> tuple[str, str]:  # noqa: ANN001
    """(sort key, label) of a raw grouping value for a breakdown."""
    if key is None:
        return ("~", "unknown")
    if by == "month":
        return (key.strftime("%Y-%m"),) * 2
    if by == "year":
        return (str(key.year),) * 2
    return (str(key), str(key))


_VOCAB_OF = {"sex": "sex", "harm": "harms", "status": "person_status", "means": "means",
             "violation_type": "violation_types", "outcome": "detention_outcomes", "authority": "detaining_authorities",
             "kind": "displacement_kinds", "protection_status": "protection_statuses",
             "contamination": "contamination_types", "hazard_status": "hazard_statuses"}


def _label(app, by: str, code: str) -> str:  # noqa: ANN001
    vocab = _VOCAB_OF.get(by)
    if vocab and code not in ("unknown", None):
        try:
            return app.vocab.label(vocab, code)
        except Exception:  # noqa: BLE001 - a code outside the vocabulary keeps its code as label
            return code
    return code


def _group(app, s: Session, rows, by: str) -> list[tuple[str, str, int]]:  # noqa: ANN001
    """Rows of (raw key, n) -> [(key, label, n)] bucketed by ``by`` and ordered."""
    acc: dict[str, int] = {}
    if by == "oblast":
        obl = oblast_of(s)
        for k, n in rows:
            key = obl.get(k, ("unknown", "unknown", "unknown"))[1] if k is not None else "unknown"
            acc[key] = acc.get(key, 0) + int(n or 0)
    elif by in ("age_band", "age_group"):
        bands = parse_bands(VOCAB_BANDS)
        for (age, band), n in rows:
            key = (band_of(age, bands, band) or "unknown") if by == "age_band" else age_group(age, band)
            acc[key] = acc.get(key, 0) + int(n or 0)
    else:
        for k, n in rows:
            key = _bucket(s, by, k, app)[0]
            acc[key] = acc.get(key, 0) + int(n or 0)
    if by == "age_band":
        order = [b.code for b in parse_bands(VOCAB_BANDS)] + ["unknown"]
        keys = [k for k in order if k in acc]
    elif by == "age_group":
        keys = [k for k in ("child", "adult", "older", "unknown") if k in acc]
    elif by in ("month", "year"):
        keys = _periods(sorted(k for k in acc if k != "unknown"), by) + (["unknown"] if "unknown" in acc else [])
    else:
        keys = sorted(acc, key=lambda k: (k == "unknown", -acc[k], k))
    return [(k, _label(app, by, k), acc.get(k, 0)) for k in keys]


def _periods(keys: list[str], by: str) -> list[str]:
    """Every month (or year) from the first to the last: a period with nothing documented is a 0, not a gap."""
    if not keys:
        return []
    if by == "year":
        return [str(y) for y in range(int(keys[0]), int(keys[-1]) + 1)]
    (y, m), (y1, m1) = map(int, keys[0].split("-")), map(int, keys[-1].split("-"))
    out = []
    while (y, m) <= (y1, m1):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


VICTIM_BY = {"sex": Victim.sex, "harm": Victim.harm, "status": Victim.status, "means": Act.means,
             "violation_type": Act.violation_type, "oblast": Incident.place_id, "month": Incident.date_lo,
             "year": Incident.date_lo}


# -- incidents and victims ----------------------------------------------------------------
@query("incidents", "incident", INCIDENT_FILTER)
def incidents(app, s: Session, actor: Actor, **kw: Any) -> Result:  # noqa: ANN001
    """Number of incidents matching the filter."""
    n = s.scalar(select(func.count()).select_from(Incident).where(*_incident_conditions(app, s, actor, kw))) or 0
    return Result("number", n, n, "incident", "incidents")


@query("victims", "incident", INCIDENT_FILTER)
def victims(app, s: Session, actor: Actor, **kw: Any) -> Result:  # noqa: ANN001
    """Number of victims (persons and counted groups) of acts in the matching incidents."""
    q = _victim_base(app, s, actor, kw, func.coalesce(func.sum(Victim.count), 0), func.count(distinct(Incident.id)))
    row = queries_columns.total(app, s, actor, kw) or s.execute(q).one()
    return Result("number", int(row[0]), int(row[1]), "incident", "victims")


@query("victims_by", "incident", INCIDENT_FILTER | {"by"})
def victims_by(app, s: Session, actor: Actor, by: str = "sex", **kw: Any) -> Result:  # noqa: ANN001
    """Victims broken down by sex, age_band, age_group, oblast, month, year, means, violation_type, harm or status."""
    if by in ("age_band", "age_group"):
        cols = (Victim.age, Victim.age_band)
    elif by in VICTIM_BY:
        cols = (VICTIM_BY[by],)
    else:
        raise QueryError(f"victims_by: by={by!r} is not one of {', '.join([*VICTIM_BY, 'age_band', 'age_group'])}")
    q = _victim_base(app, s, actor, kw, *cols, func.sum(Victim.count)).group_by(*cols)
    raw = queries_columns.groups(app, s, actor, kw, by)
    if raw is None:
        raw = [((r[0], r[1]) if len(cols) == 2 else r[0], r[-1]) for r in s.execute(q).all()]
    n_inc = run(app, s, actor, "victims", **kw).records
    return Result("breakdown", _group(app, s, raw, by), n_inc, "incident", "victims")


@query("incidents_by", "incident", INCIDENT_FILTER | {"by"})
def incidents_by(app, s: Session, actor: Actor, by: str = "oblast", **kw: Any) -> Result:  # noqa: ANN001
    """Incidents broken down by oblast, month, year or verification_status."""
    col = {"oblast": Incident.place_id, "month": Incident.date_lo, "year": Incident.date_lo,
           "verification_status": Incident.verification_status}.get(by)
    if col is None:
        raise QueryError(f"incidents_by: by={by!r} is not one of oblast, month, year, verification_status")
    rows = s.execute(select(col, func.count()).where(*_incident_conditions(app, s, actor, kw)).group_by(col)).all()
    groups = _group(app, s, rows, by)
    return Result("breakdown", groups, sum(g[2] for g in groups), "incident", "incidents")


@query("incident_points", "incident", INCIDENT_FILTER | {"grid"})
def incident_points(app, s: Session, actor: Actor, grid: float = 0.1, **kw: Any) -> Result:  # noqa: ANN001
    """Incidents on a grid of ``grid`` degrees (lat, lon, incidents), at their own coordinates or
    else at their place's (a place without coordinates is drawn at the nearest enclosing one that has them)."""
    conds = _incident_conditions(app, s, actor, kw)
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


def place_coordinates(s: Session) -> dict[int, tuple[float, float]]:
    """place id -> (lat, lon) of the place or of the nearest enclosing place with coordinates."""
    rows = {r.id: r for r in s.execute(select(Place.id, Place.parent_id, Place.lat, Place.lon))}
    out: dict[int, tuple[float, float]] = {}
    for pid, r in rows.items():
        cur, hops = r, 0
        while cur is not None and (cur.lat is None or cur.lon is None) and hops < 20:
            cur, hops = rows.get(cur.parent_id), hops + 1
        if cur is not None and cur.lat is not None and cur.lon is not None:
            out[pid] = (cur.lat, cur.lon)
    return out


@query("incidents_by_oblast_map", "incident", INCIDENT_FILTER)
def incidents_by_oblast_map(app, s: Session, actor: Actor, **kw: Any) -> Result:  # noqa: ANN001
    """Incidents per oblast keyed by the oblast's code (for maps that must not show exact places)."""
    rows = s.execute(select(Incident.place_id, func.count()).where(*_incident_conditions(app, s, actor, kw))
                     .group_by(Incident.place_id)).all()
    obl = oblast_of(s)
    acc: dict[str, int] = {}
    for pid, n in rows:
        code = obl.get(pid, ("unknown",))[0] if pid is not None else "unknown"
        acc[code] = acc.get(code, 0) + n
    return Result("breakdown", [(k, k, v) for k, v in sorted(acc.items())], sum(acc.values()), "incident", "incidents")


@query("incident_list", "incident", INCIDENT_FILTER | {"limit", "only_public"})
def incident_list(app, s: Session, actor: Actor, limit: int = 20, only_public: bool = False, **kw: Any) -> Result:  # noqa: ANN001
    """The matching incidents, newest first: id, date, oblast, title (a record listing).

    ``only_public``: only public records none of whose sources refused publication.
    """
    conds = _incident_conditions(app, s, actor, kw)
    if only_public:  # public records whose sources allow publication
        conds += [Incident.confidentiality == "public", consent.publishable_clause()]
    rows = s.execute(select(Incident.id, Incident.date_start, Incident.place_id, Incident.title, Incident.confidentiality)
                     .where(*conds).order_by(Incident.date_lo.desc(), Incident.id.desc()).limit(limit)).all()
    total = s.scalar(select(func.count()).select_from(Incident).where(*conds)) or 0
    obl = oblast_of(s)
    out = [(r.id, r.date_start, obl.get(r.place_id, ("", "—"))[1], r.title) for r in rows]
    return Result("rows", out, total, "incident", "incidents", levels=[r.confidentiality for r in rows])


def data_as_of(s: Session, entity: str, actor: Actor) -> Any:
    """When the records behind a figure, as the actor may see them, last changed (latest ``updated_at``):
    a record the actor may not see does not move it (it would betray that one was added)."""
    model = {"incident": Incident, "custody_episode": CustodyEpisode, "displacement": Displacement,
             "hazard_area": HazardArea, "intervention": Intervention}[entity]
    return s.scalar(select(func.max(model.updated_at)).where(access.visibility_clause(model, actor)))


__all__ = ["REGISTRY", "Query", "QueryError", "Result", "run", "data_as_of", "oblast_of"]

# The other areas register their queries on import (they use the pieces above).
from . import queries_records, queries_stats  # noqa: E402, F401
