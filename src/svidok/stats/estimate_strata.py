"""Estimates per stratum (place, period, victim group), refusing strata the data cannot support.

The database side only has to produce, per stratum, the set of lists (sources, datasets) that
document each linked person: ``stratified_tables`` turns those into capture-pattern tables and
``estimate_by_stratum`` estimates each one, with a plain warning where it cannot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from .counts_table import CountsError, CountsTable, stratified_tables
from .methods import METHODS, MIN_RECORDS

#: Strata estimated but with fewer documented people than this get a warning in the summary.
SMALL_STRATUM = 100


def min_lists(method: str) -> int:
    return 3 if method in ("lcmcr", "dga") else 2


def check_table(table: CountsTable, method: str, min_records: int = MIN_RECORDS) -> tuple[CountsTable, list[str]]:
    """Drop lists empty here; raise ``CountsError`` if the table cannot support an estimate.

    Returns the (possibly reduced) table and warnings."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    warnings: list[str] = []
    if table.observed == 0:
        raise CountsError("no documented people in this stratum")
    with_records = [name for name, n in table.list_totals().items() if n > 0]
    if len(with_records) < min_lists(method):
        raise CountsError(
            f"too few lists with records: {len(with_records)} (need {min_lists(method)} for {method})"
        )
    reduced, dropped = table.drop_empty_lists()
    if dropped:
        warnings.append(f"left out list(s) with nobody documented here: {', '.join(dropped)}")
    if method == "dga" and reduced.n_lists > 5:
        raise CountsError(f"model averaging (dga) handles 3 to 5 lists, this table has {reduced.n_lists}: merge or "
                          "leave out lists")
    if reduced.observed < min_records:
        raise CountsError(f"too few records: {reduced.observed} documented people (need {min_records})")
    pats = reduced.patterns()
    if reduced.cells[pats.sum(axis=1) >= 2].sum() == 0:
        raise CountsError(
            "no person is on more than one list: without overlaps the lists say nothing about "
            "who is missing, so no estimate is possible"
        )
    if reduced.n_lists == 2:
        warnings.append("two lists only: the estimate assumes the lists are independent, which cannot be checked")
    return reduced, warnings


def run_method(table: CountsTable, method: str, **options: Any):
    """Estimate with one method; each method's module is imported only when used (start-up time)."""
    if method == "loglinear":
        from .estimate_loglinear import estimate_loglinear

        return estimate_loglinear(table, **options)
    if method == "dga":
        from .estimate_dga import estimate_dga

        return estimate_dga(table, **options)
    if method != "lcmcr":  # closedp, which gives a table of models
        raise ValueError(f"{method} gives a table of models, not one estimate per stratum: use it on a counts file")
    from .estimate_lcmcr import estimate_lcmcr

    return estimate_lcmcr(table, **options)


def estimate_table(table: CountsTable, method: str, *, diagnostics: bool = False, models: int = 10,
                   bootstrap: int = 0, **options: Any) -> dict:
    """One table's estimate as a JSON-ready dict: checks, the method, its warnings; with
    ``diagnostics`` (LCMCR) the traces of N, alpha and occupied classes; ``models`` ranked models
    (log-linear)."""
    reduced, warnings = check_table(table, method, min_records=1)
    if method == "lcmcr" and diagnostics:
        options = {**options, "keep_draws": True}
    result = run_method(reduced, method, **options)
    d = result.to_dict(traces=True) if method == "lcmcr" and diagnostics else result.to_dict()
    if method == "loglinear":
        d["ranking"] = d["ranking"][:models]
        if bootstrap:
            from .estimate_bootstrap import bootstrap_interval

            d["bootstrap"] = bootstrap_interval(reduced, options.get("criterion", "aic"), options.get("max_order"),
                                                reps=bootstrap)
            warnings += d["bootstrap"]["warnings"]
    d["warnings"] = warnings + d["warnings"]
    return json_safe(d)


@dataclass
class StratumEstimate:
    stratum: Hashable
    observed: int
    lists: list[str]
    result: dict | None
    warnings: list[str] = field(default_factory=list)
    #: LCMCR only: the pooled posterior draws of N (for the total over strata).
    draws: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        d = {"stratum": self.stratum, "observed": self.observed, "lists": self.lists}
        if self.result is not None:
            d.update({k: self.result[k] for k in ("estimate", "lower", "upper")})
            if "median" in self.result:
                d["median"] = self.result["median"]
            d["detail"] = self.result
        else:
            d.update({"estimate": None, "lower": None, "upper": None})
        d["warnings"] = self.warnings
        return d


def estimate_by_stratum(
    tables: Mapping[Hashable, CountsTable],
    method: str = "loglinear",
    min_records: int = MIN_RECORDS,
    progress: Callable[[int, int, Hashable], None] | None = None,
    traces: bool = False,
    **options: Any,
) -> list[StratumEstimate]:
    """Estimate each stratum; strata that cannot be estimated get ``result=None`` and the reason.

    ``progress(done, total, stratum)`` is called before each stratum; with ``traces`` an LCMCR
    result keeps its traces of N, alpha and occupied classes (``result["traces"]``)."""
    out = []
    order = sorted(tables, key=lambda s: (s is None, str(s)))
    for i, stratum in enumerate(order):
        if progress is not None:
            progress(i, len(order), stratum)
        table = tables[stratum]
        try:
            reduced, warnings = check_table(table, method, min_records)
        except CountsError as exc:
            out.append(StratumEstimate(stratum, table.observed, list(table.lists), None, [f"not estimated: {exc}"]))
            continue
        if method in ("lcmcr", "dga"):
            options = {**options, "keep_draws": True}
        result = run_method(reduced, method, **options)
        if reduced.observed < SMALL_STRATUM:
            warnings.append(f"small stratum ({reduced.observed} documented): the interval is wide and rests on "
                            "the model's assumptions")
        draws = getattr(result, "draws", None)
        d = result.to_dict(traces=True) if traces and method == "lcmcr" else result.to_dict()
        out.append(
            StratumEstimate(stratum, table.observed, list(reduced.lists), d, warnings + result.warnings,
                            draws.ravel() if draws is not None else None)
        )
    return out


def total_over_strata(results: list[StratumEstimate], level: float = 0.95) -> dict:
    """The total over strata, with an interval made the right way (never by adding interval ends).

    LCMCR: the strata's posterior draws are added draw by draw (the strata are estimated
    independently), and the interval is read off the summed draws. Log-linear: the estimates
    are added and the interval is a normal one from the summed variances (the strata treated as
    independent). Strata not estimated add their documented count, a floor, and are named."""
    estimated = [r for r in results if r.result is not None]
    skipped = [r for r in results if r.result is None]
    floor = sum(r.observed for r in skipped)
    out: dict[str, Any] = {"observed": sum(r.observed for r in results), "strata": len(results),
                           "estimated_strata": len(estimated), "not_estimated_documented": floor, "level": level}
    notes = []
    if not estimated:
        out.update({"estimate": None, "lower": None, "upper": None})
        notes.append("no stratum could be estimated")
    elif all(r.draws is not None for r in estimated):
        size = min(r.draws.size for r in estimated)
        total = np.zeros(size, dtype=np.int64)
        for r in estimated:
            total += r.draws[:size]
        tail = (1 - level) / 2
        lo, med, hi = np.quantile(total, [tail, 0.5, 1 - tail])
        out.update({"estimate": float(med) + floor, "lower": float(lo) + floor, "upper": float(hi) + floor,
                    "interval": "posterior (strata's draws added)"})
    else:
        est = sum(r.result["estimate"] for r in estimated)
        var = sum((r.result.get("stderr") or 0.0) ** 2 for r in estimated)
        z = NormalDist().inv_cdf((1 + level) / 2)
        half = z * math.sqrt(var)
        out.update({"estimate": est + floor, "lower": max(est - half, sum(r.observed for r in estimated)) + floor,
                    "upper": est + half + floor, "interval": "normal, from the strata's standard errors"})
        if any(not math.isfinite(r.result["upper"]) for r in estimated):
            notes.append("some strata have no upper limit: the total's upper limit understates the uncertainty")
    if skipped:
        notes.append(f"{len(skipped)} strata not estimated ({floor:,} documented people) are counted as documented "
                     "only: the total is too low by their undocumented")
    out["notes"] = notes
    return out


def estimate_people(
    people: Iterable[tuple[Hashable, Iterable[str]]],
    method: str = "loglinear",
    min_records: int = MIN_RECORDS,
    **options: Any,
) -> list[StratumEstimate]:
    """From (stratum, lists documenting one person) pairs straight to per-stratum estimates."""
    return estimate_by_stratum(stratified_tables(people), method, min_records, **options)


def json_safe(value: Any) -> Any:
    """NaN and infinity are not JSON: unbounded or undefined figures become ``null``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return json_safe(value.item())
    return value
