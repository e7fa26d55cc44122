"""The statistics page: estimate the undocumented from the database's lists, by stratum.

A thin layer over ``figures.estimate_job``: the form submits a background job; its page
shows the progress, then the plain-language summary, diagnostics and trace plots.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from svidok.figures import estimate_job
from svidok.http.deps import PathId
from svidok.services import jobs

from ..deps import SignedIn, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, form_again, form_dict

router = APIRouter()


async def _form_page(request: Request, actor, values: dict, errors: dict, status: int = 200):
    core = request.app.state.svidok
    harms = [h for h in estimate_job.jobs_list(values.get("harm")) if h in core.vocab["harms"]] or ["killed"]
    data = await call(estimate_job.form_data, core, actor, harms)
    return render(request, "statistics/index.html", status, values={**estimate_job.DEFAULTS, **values},
                  errors=errors, **data)


@router.get("/statistics")
async def statistics_page(request: Request, actor: SignedIn, harm: list[str] = Query(["killed"])):
    return await _form_page(request, actor, {"harm": harm}, {})


@router.post("/statistics", dependencies=[Depends(csrf_checked)])
async def start_estimate(request: Request, actor: SignedIn):
    form = await form_dict(request)
    form["harm"] = estimate_job.jobs_list(form.get("harm"))
    form["lists"] = estimate_job.jobs_list(form.get("lists"))
    core = request.app.state.svidok
    # the job keeps its settings complete, so its page can say what was estimated
    async with form_again(lambda errors: _form_page(request, actor, form, errors, 422)):
        params = estimate_job.clean_params(core, form)
        job = await call(jobs.submit, core, actor, estimate_job.KIND, params)
    return redirect(request, f"/statistics/estimates/{job['id']}", _("Estimate started."))


@router.get("/statistics/estimates/{job_id}")
async def estimate_page(request: Request, job_id: PathId, actor: SignedIn, models: bool = False):
    job, data = await call(estimate_job.estimate_of, request.app.state.svidok, actor, job_id)
    return render(request, "statistics/estimate.html", job=job, data=data, show_models=models)


@router.get("/statistics/estimates/{job_id}/traces/{index}.svg")
async def trace_plot(request: Request, job_id: PathId, index: int, actor: SignedIn):
    labels = {"N": _("total N"), "alpha": _("alpha"), "classes": _("occupied classes"), "chain": _("chain"),
              "draw": _("draw")}
    svg = await call(estimate_job.trace_svg, request.app.state.svidok, actor, job_id, index, labels,
                     _("Traces of the chains"))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})
