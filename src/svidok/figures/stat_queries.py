"""Statistical figures for briefs: disproportionality against the population, and estimates of
the undocumented with intervals (registered in the same query registry as the counts).
Disproportionality's victim counts come from the in-memory columns when its arguments allow
(``figures.columns``); estimates need every list's record of a person and always use the SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.stats.age_bands import SEXES, band_of, parse_bands
from svidok.stats.counts_table import CountsError
from svidok.stats.disproportionality import compare_with_population
from svidok.stats.estimate_strata import estimate_people, json_safe
from svidok.storage.models import Incident, Person, Victim

from . import columns
from .places import oblast_of
from .registry import QueryError, Result, query, run
from .victims import INCIDENT_FILTER, victim_base

if TYPE_CHECKING:
    from svidok.app import Svidok

DIRECT_ENTRY = "direct entry"


@query("disproportionality", "incident", INCIDENT_FILTER | {"by", "bands"})
def disproportionality(app: Svidok, s: Session, actor: Actor, by: str = "age", bands: str = "0-17,18-59,60+",
                       **kw: Any) -> Result:
    """Victims by age and sex against the population: shares, rate ratios with 95% intervals, verdicts."""
    if by not in ("age", "sex", "age_sex"):
        raise QueryError(f"disproportionality: by={by!r} is not one of age, sex, age_sex")
    try:
        band_list = parse_bands(bands)
    except CountsError as exc:
        raise QueryError(f"disproportionality: {exc}") from None
    cols = (Victim.age, Victim.age_band, Victim.sex)
    q = victim_base(app, s, actor, kw, *cols, func.sum(Victim.count)).group_by(*cols)
    rows = columns.groups(app, s, actor, kw, "age_sex")
    if rows is None:
        rows = [((age, band, sex), n) for age, band, sex, n in s.execute(q).all()]
    counts: dict[tuple[str | None, str | None], int] = {}
    for (age, band, sex), n in rows:
        key = (band_of(age, band_list, band), sex if sex in SEXES else None)
        counts[key] = counts.get(key, 0) + int(n)
    report = compare_with_population(counts, bands=bands, by=by)
    return Result("comparison", report, run(app, s, actor, "victims", **kw).records, "incident", "victims")


@query("estimate", "incident", INCIDENT_FILTER | {"stratify", "method"})
def estimate(app: Svidok, s: Session, actor: Actor, stratify: str = "none", method: str = "loglinear",
             **kw: Any) -> Result:
    """Documented victims (linked persons) and the estimated total with a 95% interval, per stratum."""
    if stratify not in ("none", "oblast", "year", "sex", "harm"):
        raise QueryError(f"estimate: stratify={stratify!r} is not one of none, oblast, year, sex, harm")
    rows = s.execute(
        victim_base(app, s, actor, kw, Person.id, Person.merged_into_id, Person.import_source, Incident.date_lo,
                     Incident.place_id, Victim.sex, Victim.harm, Incident.id, each_list=True)
        .join(Person, Person.id == Victim.person_id).where(access.visibility_clause(Person, actor))
    ).all()
    parent = dict(s.execute(select(Person.id, Person.merged_into_id)).all())

    def root(pid: int) -> int:
        seen = 0
        while parent.get(pid) is not None and seen < 10_000:
            pid, seen = parent[pid], seen + 1
        return pid

    obl = oblast_of(s) if stratify == "oblast" else {}
    lists: dict[int, set[str]] = {}
    first: dict[int, tuple] = {}
    for r in rows:
        person = root(r[0])
        lists.setdefault(person, set()).add(r[2] or DIRECT_ENTRY)
        key = {"none": "all", "year": str(r[3].year), "sex": r[5], "harm": r[6],
               "oblast": obl.get(r[4], ("", "unknown"))[1]}[stratify]
        if person not in first or r[3] < first[person][0]:
            first[person] = (r[3], key)
    people = [(first[p][1], frozenset(v)) for p, v in lists.items()]
    estimates = [json_safe(e.to_dict()) for e in estimate_people(people, method=method)]
    for e in estimates:
        e.pop("detail", None)
    return Result("estimate", estimates, len({r[7] for r in rows}), "incident", "people")

