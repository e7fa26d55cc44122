"""Briefs: choose a template, its edition, format and parameters; render it as a background job
(``brief``, see ``svidok.reports.job_kinds``); follow its progress and download the file.

The brief is rendered over the records its requester may see, exactly as ``POST /api/v1/briefs``.
A failure is explained in the requester's terms (``job.result.brief_error``), not the template author's.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.reports import engine
from svidok.reports.editions import DEFAULT_THRESHOLD
from svidok.services import jobs

from ..deps import SignedIn, csrf_checked
from ..i18n import N_, _
from ..render import PageError, redirect, render
from .common import call, form_again, form_dict, job_of_kind, text, whole

router = APIRouter()

#: What a figure counts, as the person reading the failure would say it.
ENTITY_WORDS = {"incident": N_("incidents"), "custody_episode": N_("custody records"),
                "displacement": N_("displacement records"), "hazard_area": N_("hazard areas"),
                "intervention": N_("interventions and their recommendations")}

#: The shipped templates' parameters, as the form labels them.
PARAM_LABELS = {"place": N_("Territory"), "since": N_("From"), "until": N_("Until"), "as_of": N_("As of"),
                "silence_days": N_("Days without proof of life"), "intervention": N_("Intervention number"),
                "month": N_("Month")}


def _templates() -> list[engine.BriefTemplate]:
    return [t for t in engine.list_templates() if not t.name.startswith("_")]


def _template(name: str | None) -> engine.BriefTemplate:
    for t in _templates():
        if t.name == name:
            return t
    raise PageError(404, _("There is no brief template of that name."))


def explain(job: dict) -> str | None:
    """A failed brief job's reason in the requester's terms (None when it did not fail)."""
    if job["status"] != "failed":
        return None
    why = (job.get("result") or {}).get("brief_error") or {}
    what = _(ENTITY_WORDS.get(why.get("entity") or "", N_("records")))
    if why.get("cause") == "empty":
        return _("This brief needs %(what)s that you may not see, or that do not exist for the parameters you chose, "
                 "so it cannot be made for you. Ask an administrator for access to the cases it covers, or change "
                 "the period or place.") % {"what": what}
    if why.get("cause") == "not_public":
        return _("The public edition of this brief would show %(what)s that are not public. Choose the internal "
                 "edition, or ask the brief's author to limit it to public records.") % {"what": what}
    if (job.get("error") or "").startswith("Invalid input"):
        return _("This brief could not be made with the parameters given. Check them and try again; if it fails "
                 "again, tell the brief's author (details below).")
    return _("The brief could not be made because of a problem on the server. Try again later; the details below "
             "help an administrator.")


def _mine(request: Request, actor) -> list[dict]:
    return jobs.list_jobs(request.app.state.svidok, actor, kind="brief", limit=20)["items"]


@router.get("/briefs")
async def brief_list(request: Request, actor: SignedIn):
    recent = await call(_mine, request, actor)
    titles = {t.name: t for t in _templates()}
    return render(request, "briefs/list.html", templates=list(titles.values()), recent=recent, titles=titles)


def _form(request: Request, tpl: engine.BriefTemplate, status: int = 200, values: dict | None = None,
          errors: dict | None = None, message: str | None = None):
    defaults = {f"p_{k}": v for k, v in tpl.defaults().items()}
    values = {"edition": "internal", "format": "pdf", "threshold": DEFAULT_THRESHOLD, **defaults, **(values or {})}
    return render(request, "briefs/form.html", status=status, tpl=tpl, params=tpl.meta.get("params") or {},
                  param_labels=PARAM_LABELS,
                  values=values, errors=errors or {}, message=message)


@router.get("/briefs/{name}")
async def brief_form(name: str, request: Request, actor: SignedIn):
    return _form(request, _template(name))


@router.post("/briefs/{name}", dependencies=[Depends(csrf_checked)])
async def brief_make(name: str, request: Request, actor: SignedIn):
    tpl = _template(name)
    form = await form_dict(request)
    params = {k: text(form.get(f"p_{k}")) for k in tpl.defaults()}
    async with form_again(lambda errors: _form(request, tpl, 422, values=form, errors=errors,
            message=_("The brief was not started: correct the fields marked below."))):
        errors = []
        for k, v in params.items():
            if v is None:
                errors.append(FieldError(f"p_{k}", M_("required")))
            elif isinstance(tpl.defaults()[k], int):
                if whole(v) is None:
                    errors.append(FieldError(f"p_{k}", M_("a whole number")))
                else:
                    params[k] = whole(v)
        threshold = whole(form.get("threshold"), 100)
        if threshold is None:
            errors.append(FieldError("threshold", M_("a whole number from 1 to 100")))
        if form.get("edition") not in ("internal", "public"):
            errors.append(FieldError("edition", M_("internal or public")))
        if form.get("format") not in ("pdf", "html"):
            errors.append(FieldError("format", M_("PDF or HTML")))
        if errors:
            raise ValidationFailed(errors)
        job = await call(jobs.submit, request.app.state.svidok, actor, "brief", {
            "template": tpl.name, "edition": form["edition"], "format": form["format"], "threshold": threshold,
            "band": form.get("small_counts") == "band", "params": params})
    return redirect(request, f"/briefs/jobs/{job['id']}", _("The brief is being made."))


@router.get("/briefs/jobs/{job_id}")
async def brief_job(job_id: PathId, request: Request, actor: SignedIn):
    job = await job_of_kind(request, actor, job_id, {"brief"})
    tpl = next((t for t in _templates() if t.name == (job["params"] or {}).get("template")), None)
    return render(request, "briefs/job.html", job=job, tpl=tpl, explanation=explain(job))
