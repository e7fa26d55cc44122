"""Pages: who could claim to the Register of Damage (figures); one person's claim assessment, with
the family members recorded with consent and the claim dossier prepared as a background job.

Routes parse the form and call ``services.claims`` (family members) or submit the
``claim_dossier`` job (``reports.job_kinds``); the dossier is downloaded from the job.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.figures import claims as claim_figures
from svidok.http.deps import PathId
from svidok.services import claims, jobs

from ..deps import SignedIn, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, form_again, form_dict, job_of_kind, listed, text, whole

router = APIRouter()

DOSSIER_JOB = "claim_dossier"


@router.get("/claims")
async def claims_figures_page(request: Request, actor: SignedIn):
    figures = await call(claim_figures.current, request.app.state.svidok, actor)
    return render(request, "claims/figures.html", figures=figures)


def _dossier_jobs(app, actor, person_id: int) -> list[dict]:
    """The actor's own recent dossier jobs for this person (an administrator's: everyone's)."""
    items = jobs.list_jobs(app, actor, kind=DOSSIER_JOB, limit=50)["items"]
    return [j for j in items if (j["params"] or {}).get("person_id") == person_id][:10]


def _page_data(app, actor, person_id: int) -> dict:
    a = claims.assess(app, actor, person_id)
    return {"a": a, "dossiers": _dossier_jobs(app, actor, person_id) if actor.can_write else []}


async def _page(
    request: Request,
    actor,
    person_id: int,
    status: int = 200,
    values: dict | None = None,
    errors: dict | None = None,
    message: str | None = None,
    form: str | None = None,
):
    core = request.app.state.svidok
    data = await call(_page_data, core, actor, person_id)
    return render(
        request,
        "claims/person.html",
        status=status,
        relationships=claims.categories(core).relationships,
        values=values or {},
        errors=errors or {},
        message=message,
        form=form,
        **data,
    )


@router.get("/persons/{person_id}/claims")
async def person_claims_page(person_id: PathId, request: Request, actor: SignedIn):
    return await _page(request, actor, person_id)


@router.post("/persons/{person_id}/claims/relatives", dependencies=[Depends(csrf_checked)])
async def add_family_member(person_id: PathId, request: Request, actor: SignedIn):
    form = await form_dict(request)
    async with form_again(lambda errors: _page(request, actor, person_id, 422, values=form, errors=errors,
            form="family", message=_("The family member was not recorded: correct the fields marked below."))):
        await call(
            claims.add_relative,
            request.app.state.svidok,
            actor,
            person_id,
            relationship=text(form.get("relationship")) or "",
            name=text(form.get("name")),
            consent=form.get("consent") == "yes",
            consent_date=text(form.get("consent_date")) or "",
            contact=text(form.get("contact")),
            consent_scope=text(form.get("consent_scope")),
            representative=text(form.get("representative")),
            notes=text(form.get("notes")),
        )
    return redirect(request, f"/persons/{person_id}/claims#family", _("The family member was recorded."))


@router.post("/claims/relatives/{ident}/withdraw", dependencies=[Depends(csrf_checked)])
async def withdraw_family_member(ident: PathId, request: Request, actor: SignedIn):
    form = await form_dict(request)
    person_id = await call(claims.withdraw_relative, request.app.state.svidok, actor, ident, text(form.get("reason")) or "")
    return redirect(request, f"/persons/{person_id}/claims#family", _("The family member was withdrawn."))


def _dossier_params(person_id: int, form: dict) -> dict:
    """The dossier form's choices as the job's parameters (no box ticked: the default of the service)."""
    params: dict = {"person_id": person_id, "categories": listed(form.get("categories")) or None, "purpose": text(form.get("purpose"))}
    if form.get("evidence_listed"):
        chosen = listed(form.get("evidence"))
        ids = [whole(v) for v in chosen]
        if None in ids:
            raise ValidationFailed(FieldError("evidence", M_("evidence numbers only")))
        params["evidence_ids"] = ids
    return params


@router.post("/persons/{person_id}/claims/dossier", dependencies=[Depends(csrf_checked)])
async def make_dossier(person_id: PathId, request: Request, actor: SignedIn):
    form = await form_dict(request)
    async with form_again(lambda errors: _page(request, actor, person_id, 422, values=form, errors=errors,
            form="dossier", message=_("The dossier was not started: correct the fields marked below."))):
        job = await call(jobs.submit, request.app.state.svidok, actor, DOSSIER_JOB, _dossier_params(person_id, form))
    return redirect(request, f"/persons/{person_id}/claims/dossiers/{job['id']}", _("The dossier is being prepared."))


@router.get("/persons/{person_id}/claims/dossiers/{job_id}")
async def dossier_job(person_id: PathId, job_id: PathId, request: Request, actor: SignedIn):
    job = await job_of_kind(request, actor, job_id, {DOSSIER_JOB}, person_id=person_id)
    return render(request, "claims/dossier_job.html", job=job, person_id=person_id)
