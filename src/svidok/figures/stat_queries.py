"""Statistical figures for briefs: disproportionality against the population, and estimates of
the undocumented with intervals (registered in the same query registry as the counts).
Disproportionality's victim counts come from the in-memory columns when its arguments allow
(``figures.columns``); estimates need every list's record of a person and always use the SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.stats.age_bands import SEXES, band_of, parse_bands
from svidok.stats.counts_table import CountsError, stratified_tables
from svidok.stats.disproportionality import compare_with_population
from svidok.stats.estimate_strata import estimate_by_stratum, json_safe, total_over_strata
from svidok.storage.models import Victim

from . import columns
from .estimate_input import STRATA as ESTIMATE_STRATA
from .estimate_input import visible_people
from .registry import QueryError, Result, query, run
from .victims import INCIDENT_FILTER, victim_base

if TYPE_CHECKING:
    from svidok.app import Svidok



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
    """Documented victims (linked persons) and the estimated total with a 95% interval, per stratum,
    and the total over strata ({"strata": [...], "total": {...}}; for LCMCR the total's interval
    comes from the strata's posterior draws added draw by draw)."""
    if stratify not in ESTIMATE_STRATA:
        raise QueryError(f"estimate: stratify={stratify!r} is not one of {', '.join(ESTIMATE_STRATA)}")
    if method not in ("loglinear", "lcmcr", "dga"):
        raise QueryError(f"estimate: method={method!r} is not one of loglinear, lcmcr, dga")
    incidents: set[int] = set()
    people = visible_people(app, s, actor, stratify, incidents=incidents, **kw)
    results = estimate_by_stratum(stratified_tables(people), method)
    strata = [json_safe(e.to_dict()) for e in results]
    for e in strata:
        e.pop("detail", None)
    total = json_safe(total_over_strata(results))
    return Result("estimate", {"strata": strata, "total": total}, len(incidents), "incident", "people")
