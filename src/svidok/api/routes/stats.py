"""/api/v1/stats: civilian harm breakdowns, the disproportionality test and charts (SVG).

Every figure counts only what the caller may see (need-to-know) and never withdrawn records.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Response
from pydantic import BaseModel, Field

from svidok.core.errors import FieldError, ValidationFailed
from svidok.figures.breakdowns import BYS, breakdown, by_band_and_sex
from svidok.http.deps import ActorDep, AppDep
from svidok.schemas.common import Code
from svidok.schemas.filters import IncidentFilter
from svidok.stats.age_bands import VOCAB_BANDS

router = APIRouter(prefix="/api/v1/stats", tags=["statistics"])

By = Literal["sex", "age_band", "age_group", "status", "oblast", "occupation", "month", "means", "violation_type"]
assert set(By.__args__) == set(BYS)


class HarmFilter(IncidentFilter):
    """The incident filter; ``harm`` (repeatable) is the harms counted, killed and injured by default."""

    harm: list[Code] = Field(["killed", "injured"], min_length=1, max_length=10)  # type: ignore[assignment]

    def incident_filter(self) -> IncidentFilter:
        return IncidentFilter.model_validate(self.model_dump(exclude={"harm", "by", "bands", "lang"}, exclude_none=True))


class BreakdownQuery(HarmFilter):
    by: By = Field(description="the field to break down by")


class DisproportionQuery(HarmFilter):
    by: Literal["age", "sex", "age_sex"] = "age"
    bands: str = Field("0-17,18-59,60+", max_length=100, description="age bands, contiguous from 0, last one open")


class ChartQuery(HarmFilter):
    lang: Literal["en", "uk"] = "en"


@router.get("/breakdown")
def get_breakdown(q: Annotated[BreakdownQuery, Query()], app: AppDep, actor: ActorDep) -> dict:
    """People killed and injured by one field (rows with English and Ukrainian labels), with how many lack it."""
    return breakdown(app, actor, q.by, q.harm, q.incident_filter()).to_dict()


@router.get("/breakdown.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "the breakdown as CSV"}})
def get_breakdown_csv(q: Annotated[BreakdownQuery, Query()], app: AppDep, actor: ActorDep) -> Response:
    """The same breakdown as a CSV file: a chart's data, for a spreadsheet."""
    body = breakdown(app, actor, q.by, q.harm, q.incident_filter()).to_csv()
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="svidok-{q.by}.csv"'})


@router.get("/disproportionality")
def get_disproportionality(q: Annotated[DisproportionQuery, Query()], app: AppDep,
                           actor: ActorDep) -> dict:
    """Are children, older people, women or men over-represented among the victims, against the population?"""
    from svidok.stats.age_bands import parse_bands
    from svidok.stats.counts_table import CountsError
    from svidok.stats.disproportionality import compare_with_population

    try:
        parse_bands(q.bands)
    except CountsError as exc:
        raise ValidationFailed(FieldError("bands", str(exc))) from None
    counts = by_band_and_sex(app, actor, q.harm, q.incident_filter(), q.bands)
    report = compare_with_population(counts, None, q.bands, q.by).to_dict()
    return _finite(report)


def _finite(v):
    """NaN and infinity are not JSON: they become null."""
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_finite(x) for x in v]
    return v


class CountsRow(BaseModel):
    pattern: list[Literal[0, 1]] = Field(min_length=2, max_length=20, description="1 = on the list, in list order")
    count: int = Field(ge=0, le=10**12)


class EstimateIn(BaseModel):
    """A capture-pattern table and the method: how many people are undocumented?"""

    lists: list[str] = Field(min_length=2, max_length=20)
    rows: list[CountsRow] = Field(min_length=1, max_length=100_000)
    method: Literal["loglinear", "lcmcr", "dga"] = "loglinear"
    criterion: Literal["aic", "bic"] = "aic"
    max_order: int | None = Field(None, ge=1, le=5)
    models: int = Field(10, ge=0, le=1000, description="log-linear, dga: how many ranked models to return")
    seed: int = Field(1, ge=0, le=2**32 - 1)
    chains: int = Field(4, ge=1, le=16)
    samples: int = Field(1000, ge=10, le=20_000)
    burnin: int = Field(10_000, ge=0, le=1_000_000)
    thinning: int = Field(100, ge=1, le=1000)
    classes: int = Field(10, ge=1, le=50)
    delta: float | None = Field(None, gt=0, le=100, description="dga: prior observations per cell (default 1/2^lists)")
    max_missing: int | None = Field(None, ge=0, le=10**9, description="dga: largest undocumented count on the grid")
    prior: Literal["improper", "uniform"] = Field("improper", description="dga: prior on N, 1/N or flat")
    diagnostics: bool = Field(False, description="lcmcr: traces of N, alpha and occupied classes")
    bootstrap: int = Field(0, ge=0, le=999, description="log-linear: bootstrap replicates, model chosen in each")


@router.post("/estimate")
def post_estimate(data: EstimateIn, actor: ActorDep) -> dict:
    """Multiple systems estimate of the total (documented + undocumented) from overlapping lists' counts."""
    from svidok.stats.counts_table import CountsError, table_from_patterns
    from svidok.stats.estimate_strata import estimate_table

    if data.method == "lcmcr" and data.chains * (data.burnin + data.samples * data.thinning) > 1_000_000:
        raise ValidationFailed(FieldError("samples", "chains x (burnin + samples x thinning) must be at most "
                                                     "1,000,000 sweeps here (the CLI has no such limit)"))
    if data.method == "loglinear":
        opts: dict = {"criterion": data.criterion, "max_order": data.max_order}
    elif data.method == "dga":
        opts = {"delta": data.delta, "max_missing": data.max_missing, "prior": data.prior, "top": data.models}
    else:
        opts = {"seed": data.seed, "chains": data.chains, "samples": data.samples, "burnin": data.burnin,
                "thinning": data.thinning, "k_max": data.classes}
    try:
        table = table_from_patterns(data.lists, ((r.pattern, r.count) for r in data.rows))
        return estimate_table(table, data.method, diagnostics=data.diagnostics, models=data.models,
                              bootstrap=data.bootstrap if data.method == "loglinear" else 0, **opts)
    except CountsError as exc:
        raise ValidationFailed(FieldError("rows", str(exc))) from None


class DesignRow(BaseModel):
    pattern: list[Literal[0, 1]] = Field(min_length=2, max_length=12, description="capture history, in list order")
    values: dict[str, float] = Field(min_length=1, max_length=20, description="design column -> value")


class ClosedpIn(BaseModel):
    """Counts read as capture occasions (the lists' order matters for Mb), and optionally a design of one's own."""

    lists: list[str] = Field(min_length=2, max_length=12)
    rows: list[CountsRow] = Field(min_length=1, max_length=4095)
    design: list[DesignRow] | None = Field(None, max_length=4095,
                                           description="one row per capture history (all 2^lists - 1)")
    design_name: str = Field("custom", max_length=60)


class ClosedModelOut(BaseModel):
    model: str
    abundance: float | None = Field(description="the total N, documented included (null: not estimable)")
    stderr: float | None
    deviance: float | None
    df: int
    aic: float | None
    bic: float | None
    coefficients: dict[str, float | None]
    warnings: list[str]


class ClosedpOut(BaseModel):
    method: Literal["closedp"]
    observed: int
    lists: list[str]
    models: list[ClosedModelOut]


@router.post("/closedp")
def post_closedp(data: ClosedpIn, actor: ActorDep) -> ClosedpOut:
    """Rcapture's closed-population models (M0, Mt, Mh and Mth with Chao, Poisson2, Darroch and Gamma3.5,
    Mb, Mbh) on a counts table, and a design matrix of one's own if given (Rcapture's ``closedpCI.t``)."""
    from svidok.stats import estimate_closedp as cp
    from svidok.stats.counts_table import CountsError, table_from_patterns
    from svidok.stats.estimate_strata import json_safe

    try:
        table = table_from_patterns(data.lists, ((r.pattern, r.count) for r in data.rows))
    except CountsError as exc:
        raise ValidationFailed(FieldError("rows", str(exc))) from None
    try:
        models = cp.closedp(table)
        if data.design is not None:
            columns = cp.design_columns(table, ((r.pattern, r.values) for r in data.design))
            models.append(cp.closedp_custom(table, columns, name=data.design_name))
    except (CountsError, ValueError) as exc:
        raise ValidationFailed(FieldError("design" if data.design is not None else "rows", str(exc))) from None
    return ClosedpOut.model_validate(json_safe({"method": "closedp", "observed": table.observed,
                                                "lists": list(table.lists), "models": [m.to_dict() for m in models]}))


_TITLES = {
    ("pyramid", "en"): "Documented victims and population by age and sex",
    ("pyramid", "uk"): "Задокументовані жертви та населення за віком і статтю",
    ("by-month", "en"): "Documented victims by month",
    ("by-month", "uk"): "Задокументовані жертви за місяцями",
}


@router.get("/charts/{name}.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}, "description": "the chart as SVG"}})
def get_chart(name: Literal["pyramid", "by-month"], q: Annotated[ChartQuery, Query()], app: AppDep,
              actor: ActorDep) -> Response:
    """Population pyramid of victims against the population, or victims by month, as SVG."""
    import vl_convert as vlc

    from svidok.stats import charts
    from svidok.stats.age_bands import parse_bands, read_population_csv

    title = _TITLES[(name, q.lang)]
    if name == "pyramid":
        counts = by_band_and_sex(app, actor, q.harm, q.incident_filter(), VOCAB_BANDS)
        known = {k: v for k, v in counts.items() if k[0] is not None and k[1] is not None}
        pop = read_population_csv().by_band(parse_bands(VOCAB_BANDS))
        chart = charts.population_pyramid(known, pop, VOCAB_BANDS, title=title, lang=q.lang)
    else:
        b = breakdown(app, actor, "month", q.harm, q.incident_filter())
        chart = charts.time_series([(r.key, r.total) for r in b.rows], title=title, lang=q.lang)
    svg = vlc.vegalite_to_svg(chart.to_json())
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


def install(api: FastAPI, core) -> None:
    api.include_router(router)
    from svidok.figures.harm_facts import warm_up

    warm_up(core)  # a big database's columns are read in the background, so the first chart is quick
