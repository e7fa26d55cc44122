"""Partners (administrators): this installation's exchange keys, partners with their public keys and
sharing rules, a package for a partner written as a background job and downloaded, and a package
received checked first (dry run: new, changed, withdrawn, conflicting) and then imported as a job.

Routes parse forms and call ``services.sharing``, ``services.share_keys`` and the
``share_export`` / ``share_import`` job kinds (``services.jobs.share_kinds``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.services import jobs, share_keys, sharing
from svidok.services.jobs import starts

from ..deps import Administrator, csrf_checked
from ..i18n import _
from ..render import PageError, redirect, render
from .common import call, form_again, form_dict, job_of_kind, text

router = APIRouter()

#: The incident filter's fields the rule form offers (others already in a rule are kept as they are).
FILTER_FIELDS = ("date_from", "date_to", "place", "family", "violation_type")
SHARE_JOBS = ("share_export", "share_import")


def _list_data(app, actor) -> dict:
    return {
        "partners": sharing.partners(app, actor),
        "own": sharing.public_keys(app) if sharing.identity(app) is not None else None,
        "recent": [j for k in SHARE_JOBS for j in jobs.list_jobs(app, actor, kind=k, limit=10)["items"]],
    }


async def _list(request: Request, actor, status: int = 200, **extra):
    data = await call(_list_data, request.app.state.svidok, actor)
    data["recent"].sort(key=lambda j: j["id"], reverse=True)
    return render(request, "partners/list.html", status=status, **{"values": {}, "errors": {}, "form": None, **data, **extra})


@router.get("/partners")
async def partners_page(request: Request, actor: Administrator):
    return await _list(request, actor)


@router.post("/partners/own-keys", dependencies=[Depends(csrf_checked)])
async def make_own_keys(request: Request, actor: Administrator):
    form = await form_dict(request)
    async with form_again(lambda errors: _list(request, actor, 422, values=form, errors=errors, form="own",
            message=_("The keys were not made: correct the fields marked below."))):
        await call(sharing.create_keys, request.app.state.svidok, actor, text(form.get("organisation")) or "")
    return redirect(request, "/partners", _("This installation's exchange keys were made. Send the public keys to your partners."))


@router.post("/partners", dependencies=[Depends(csrf_checked)])
async def add_partner(request: Request, actor: Administrator):
    form = await form_dict(request)
    async with form_again(lambda errors: _list(request, actor, 422, values=form, errors=errors, form="add",
            message=_("The partner was not added: correct the fields marked below."))):
        await call(
            sharing.add_partner,
            request.app.state.svidok,
            actor,
            text(form.get("name")) or "",
            text(form.get("organisation")) or "",
            text(form.get("encryption_key")) or "",
            text(form.get("signing_key")) or "",
            text(form.get("notes")),
        )
    return redirect(
        request, f"/partners/{form['name'].strip()}", _("The partner was added. Compare its key ids with the partner by another channel.")
    )


async def _detail(request: Request, actor, name: str, status: int = 200, **extra):
    core = request.app.state.svidok
    p = await call(sharing.partner, core, actor, name)
    rule = p["rule"] or {}
    values = {
        **{k: (rule.get("filter") or {}).get(k) for k in FILTER_FIELDS},
        **{k: rule.get(k) for k in ("ceiling", "consent", "coordinates", "evidence", "victim_names")},
    }
    return render(
        request,
        "partners/detail.html",
        status=status,
        p=p,
        levels=sharing.LEVELS,
        consents=sharing.CONSENTS,
        coordinates=sharing.COORDINATES,
        evidence_modes=sharing.EVIDENCE,
        **{"values": values, "errors": {}, "form": None, **extra},
    )


@router.get("/partners/{name}")
async def partner_page(name: str, request: Request, actor: Administrator):
    return await _detail(request, actor, name)


def _rule_args(form: dict, current: dict) -> dict:
    flt = {k: v for k, v in (current or {}).items() if k not in FILTER_FIELDS}
    flt.update({k: text(form.get(k)) for k in FILTER_FIELDS if text(form.get(k))})
    return {
        "filter": flt,
        "ceiling": text(form.get("ceiling")),
        "consent": text(form.get("consent")),
        "coordinates": text(form.get("coordinates")),
        "evidence": text(form.get("evidence")),
        "victim_names": form.get("victim_names") == "yes",
    }


@router.post("/partners/{name}/rule", dependencies=[Depends(csrf_checked)])
async def change_rule(name: str, request: Request, actor: Administrator):
    core = request.app.state.svidok
    form = await form_dict(request)
    current = (await call(sharing.partner, core, actor, name))["rule"] or {}
    async with form_again(lambda errors: _detail(request, actor, name, 422, values=form, errors=errors, form="rule",
            message=_("The rule was not changed: correct the fields marked below."))):
        await call(lambda: sharing.set_rule(core, actor, name, **_rule_args(form, current.get("filter") or {})))
    return redirect(request, f"/partners/{name}", _("The sharing rule was changed (recorded in the ledger)."))


@router.post("/partners/{name}/keys", dependencies=[Depends(csrf_checked)])
async def replace_keys(name: str, request: Request, actor: Administrator):
    form = await form_dict(request)
    async with form_again(lambda errors: _detail(request, actor, name, 422, values=form, errors=errors, form="keys",
            message=_("The keys were not replaced: correct the fields marked below."))):
        await call(
            lambda: share_keys.rotate_partner_keys(
                request.app.state.svidok,
                actor,
                name,
                encryption_key=text(form.get("encryption_key")),
                signing_key=text(form.get("signing_key")),
                reason=text(form.get("reason")) or "",
            )
        )
    return redirect(request, f"/partners/{name}", _("The partner's keys were replaced; the old ones are kept as retired."))


@router.post("/partners/{name}/export", dependencies=[Depends(csrf_checked)])
async def export_package(name: str, request: Request, actor: Administrator):
    job = await call(jobs.submit, request.app.state.svidok, actor, "share_export", {"partner": name})
    return redirect(request, f"/partners/jobs/{job['id']}", _("The package is being written."))


@router.post("/partners/import", dependencies=[Depends(csrf_checked)])
async def upload_package(request: Request, actor: Administrator):
    core = request.app.state.svidok
    form = await request.form()
    file = form.get("file")
    async with form_again(lambda errors: _list(request, actor, 422, errors=errors, form="import",
            message=_("Nothing was imported: correct what is marked below."))):
        if not isinstance(file, UploadFile) or not file.filename:
            raise ValidationFailed(FieldError("file", M_("choose the package file a partner sent")))
        job = await call(starts.start_share_import, core, actor, file.file, file.filename, True)
    return redirect(request, f"/partners/jobs/{job['id']}", _("The package is being checked; nothing is saved yet."))


@router.get("/partners/jobs/{job_id}")
async def share_job(job_id: PathId, request: Request, actor: Administrator):
    job = await job_of_kind(request, actor, job_id, SHARE_JOBS)
    return render(request, "partners/job.html", job=job, r=job["result"] or {})


@router.post("/partners/jobs/{job_id}/import", dependencies=[Depends(csrf_checked)])
async def import_checked(job_id: PathId, request: Request, actor: Administrator):
    job = await job_of_kind(request, actor, job_id, SHARE_JOBS)
    if job["kind"] != "share_import" or not job["params"].get("dry_run") or job["status"] != "done":
        raise PageError(409, _("Only a package whose check has finished can be imported from here."))
    new = await call(jobs.submit, request.app.state.svidok, actor, "share_import", {**job["params"], "dry_run": False})
    return redirect(request, f"/partners/jobs/{new['id']}", _("The package is being imported."))
