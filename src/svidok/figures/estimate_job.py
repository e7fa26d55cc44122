"""The statistics page's estimates: a background job (kind ``estimate``) that estimates the
undocumented by stratum from the linked victim records the job's owner may see, and what the
page reads back (the job's summary file, trace plots).

The job writes everything it computed (each stratum's result with its model tables or
traces, the total) to ``estimate.json`` in its folder, downloadable from the job page; the job
row keeps only the headline, so listing jobs stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, NotFound, ServiceError, ValidationFailed
from svidok.core.messages import M_
from svidok.services import jobs
from svidok.services.jobs import register

from .estimate_input import STRATA, list_sizes, visible_list_sizes, visible_people

if TYPE_CHECKING:
    from svidok.app import Svidok

KIND = "estimate"
#: The methods the page offers per stratum (closedp gives a table of models, not one estimate).
PAGE_METHODS = ("loglinear", "lcmcr", "dga")
#: One stratum's LCMCR run at most this many sweeps (all chains), as in the API.
MAX_SWEEPS = 1_000_000
_BOUNDS = {"min_records": (1, 100_000), "chains": (1, 8), "samples": (100, 5_000), "burnin": (0, 100_000),
           "thinning": (1, 1_000), "classes": (2, 50), "seed": (0, 2**32 - 1)}
DEFAULTS = {"method": "loglinear", "stratify": "none", "harm": ["killed"], "lists": [], "min_records": 20,
            "chains": 4, "samples": 1000, "burnin": 10_000, "thinning": 100, "classes": 10, "seed": 1}


class EstimateFailed(ServiceError):
    title = "Cannot estimate"


def _whole(params: dict, name: str) -> int:
    lo, hi = _BOUNDS[name]
    value = params.get(name, DEFAULTS[name])
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValidationFailed(FieldError(name, M_("a whole number"))) from None
    if not lo <= n <= hi:
        raise ValidationFailed(FieldError(name, M_("must be %(lo)s to %(hi)s", lo=f"{lo:,}", hi=f"{hi:,}")))
    return n


def clean_params(app: Svidok, params: dict) -> dict:
    """The job's parameters checked and completed with the defaults (raises ValidationFailed)."""
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    method = params.get("method") or DEFAULTS["method"]
    if method not in PAGE_METHODS:
        errors.append(FieldError("method", M_("must be one of %(items)s", items=", ".join(PAGE_METHODS))))
    stratify = params.get("stratify") or DEFAULTS["stratify"]
    if stratify not in STRATA:
        errors.append(FieldError("stratify", M_("must be one of %(items)s", items=", ".join(STRATA))))
    harms = [h for h in jobs_list(params.get("harm")) if h] or list(DEFAULTS["harm"])
    for h in harms:
        if h not in app.vocab["harms"]:
            errors.append(FieldError("harm", M_("unknown harm %(h)r", h=h)))
    out.update(method=method, stratify=stratify, harm=harms,
               lists=sorted({str(x) for x in jobs_list(params.get("lists")) if x})[:50])
    for name in _BOUNDS:
        try:
            out[name] = _whole(params, name)
        except ValidationFailed as exc:
            errors += exc.errors
    if not errors and method == "lcmcr" and out["chains"] * (out["burnin"] + out["samples"] * out["thinning"]) > MAX_SWEEPS:
        errors.append(FieldError("samples", M_("chains x (burn-in + samples x thinning) must be at most %(most)s "
                                               "sweeps per stratum here (the command line has no such limit)",
                                               most=f"{MAX_SWEEPS:,}")))
    if errors:
        raise ValidationFailed(errors)
    return out


def jobs_list(value: Any) -> list:
    return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]


def _check(app: Svidok, actor: Actor, params: dict) -> None:
    clean_params(app, params)


def _options(p: dict) -> dict:
    if p["method"] == "lcmcr":
        return {"seed": p["seed"], "chains": p["chains"], "samples": p["samples"], "burnin": p["burnin"],
                "thinning": p["thinning"], "k_max": p["classes"]}
    if p["method"] == "dga":
        return {"seed": p["seed"]}
    return {"criterion": "aic"}


def run_estimate(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """Read the owner's visible linked victims, estimate each stratum, write ``estimate.json``."""
    from svidok.stats.counts_table import CountsError, stratified_tables
    from svidok.stats.estimate_strata import estimate_by_stratum, json_safe, total_over_strata

    p = clean_params(app, params)
    ctx.progress(message="reading the linked victim records")
    with app.db.session() as s:
        people = visible_people(app, s, actor, p["stratify"], lists=p["lists"] or None, harm=p["harm"])
    sizes = list_sizes(people)
    if not people:
        raise EstimateFailed(M_("no linked victim records that you may see match these choices"))
    if len(sizes) < 2:
        raise EstimateFailed(M_("every record comes from one list (%(items)s): estimating the undocumented needs people documented by at least two independently collected lists", items=", ".join(sizes)))
    tables = stratified_tables(people)

    def progress(done: int, total: int, stratum) -> None:
        ctx.progress(done=done, total=total, message=f"estimating stratum {done + 1} of {total}: {stratum}")

    try:
        results = estimate_by_stratum(tables, p["method"], p["min_records"], progress=progress,
                                      traces=p["method"] == "lcmcr", **_options(p))
    except (CountsError, ValueError) as exc:
        raise EstimateFailed(str(exc)) from None
    ctx.progress(done=len(tables), total=len(tables), message="writing the summary")
    total = total_over_strata(results)
    out = json_safe({"params": p, "lists": sizes, "strata": [r.to_dict() for r in results], "total": total})
    final = ctx.output_dir / "estimate.json"
    part = final.with_name(".part-" + final.name)
    part.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    os.replace(part, final)  # a killed job leaves no half file
    return {"file": str(final), "strata": len(results), "estimate": out["total"]["estimate"],
            "lower": out["total"]["lower"], "upper": out["total"]["upper"]}


register(KIND, run_estimate, resumable=True, check=_check)


# -- what the page reads ----------------------------------------------------------------------

def list_sizes_now(app: Svidok, actor: Actor, harms: list[str]) -> dict[str, int] | None:
    """People documented by each list (for these harms), counted in SQL and kept in the shared
    figure cache per clearance and harms (``figures.cached``): the form must not count 2 million
    victims on a visit. None while a first count runs in the background (the page says so)."""
    from . import cached

    def compute() -> dict:
        with app.db.session() as s:
            return {"sizes": visible_list_sizes(app, s, actor, harm=harms)}

    # A short wait: a first visit answers at once rather than hold the request for the count.
    # Hashed: cache keys are at most 200 characters, and every harm may be chosen.
    name = "list-sizes:" + hashlib.sha256(",".join(sorted(set(harms))).encode()).hexdigest()[:24]
    figures = cached.current(app, actor, name, compute, wait=0.2)
    return None if figures is None else figures["sizes"]


def form_data(app: Svidok, actor: Actor, harms: list[str]) -> dict:
    """The lists the actor can choose from (people documented by each, for these harms; None
    while first counted) and their earlier estimates."""
    sizes = list_sizes_now(app, actor, harms)
    earlier = jobs.list_jobs(app, actor, kind=KIND, limit=20)["items"]
    return {"list_sizes": sizes, "earlier": earlier, "strata": STRATA, "methods": PAGE_METHODS}


def estimate_of(app: Svidok, actor: Actor, job_id: int) -> tuple[dict, dict | None]:
    """(the job, its summary once done); another user's job is not found (jobs' need-to-know)."""
    job = jobs.get(app, actor, job_id)
    if job["kind"] != KIND:
        raise NotFound(M_("no estimate %(job_id)s", job_id=job_id))
    if job["status"] != "done":
        return job, None
    path = Path((job["result"] or {}).get("file") or "")
    root = (app.settings.data_dir / "jobs").resolve()
    if not path.resolve().is_relative_to(root) or not path.is_file():
        raise NotFound(M_("the summary of estimate %(job_id)s is no longer there", job_id=job_id))
    return job, json.loads(path.read_text(encoding="utf-8"))


def trace_svg(app: Svidok, actor: Actor, job_id: int, index: int, labels: dict[str, str], title: str) -> str:
    """The trace plots of stratum ``index`` of an LCMCR estimate, as SVG."""
    import vl_convert as vlc

    from svidok.stats.charts import trace_chart

    _job, data = estimate_of(app, actor, job_id)
    strata = (data or {}).get("strata") or []
    if not 0 <= index < len(strata):
        raise NotFound(M_("estimate %(job_id)s has no stratum %(index)s", job_id=job_id, index=index))
    traces = ((strata[index].get("detail") or {}).get("traces"))
    if not traces:
        raise NotFound(M_("estimate %(job_id)s, stratum %(index)s: no traces (only the latent-class model has them)", job_id=job_id, index=index))
    return vlc.vegalite_to_svg(trace_chart(traces, labels, title=f"{title}: {strata[index]['stratum']}").to_json())
