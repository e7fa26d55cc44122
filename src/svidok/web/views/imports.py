"""Imports: upload a spreadsheet with a mapping (chosen, uploaded, or written and edited on the
page, starting from a shipped one), an ACLED or Uwazi export, or ODK/KoboToolbox submissions;
see the dry run (what would be added, each bad row with its field and reason), then import it;
both runs are ``import`` jobs with progress.

The file is checked before anything is queued (``services.import_uploads.stage``): a file of the
wrong type, over the size limit, unreadable, or that the mapping does not fit is refused with
what to change, and nothing is kept. Writers only, as ``svidok import``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.interop import builtin
from svidok.services import import_uploads, jobs

from ..deps import Writer, csrf_checked
from ..i18n import N_, _, reason
from ..render import PageError, redirect, render
from .common import call, errors_by_field, job_of_kind

router = APIRouter()
#: An import run's states, as its list shows them (``ImportRun.status``).
RUN_STATUSES = {"running": N_("Running"), "finished": N_("Finished")}


#: The kinds of file, as the page offers them.
KINDS = {"spreadsheet": N_("Own spreadsheet (CSV, .xlsx)"), "acled": N_("ACLED export (CSV)"),
         "uwazi": N_("Uwazi export (CSV)"), "odk": N_("ODK or Kobo forms (JSON, CSV)")}


async def _page(request: Request, actor, status: int = 200, **extra):
    core = request.app.state.svidok
    runs = await call(import_uploads.runs, core, actor)
    recent = (await call(jobs.list_jobs, core, actor, kind="import", limit=20))["items"]
    return render(request, "imports/index.html", status=status, runs=runs, recent=recent, mappings=builtin.names(),
                  run_statuses=RUN_STATUSES, kinds=KINDS, limit=int(core.settings.max_upload_bytes),
                  **{"values": {}, "errors": {}, **extra})


def _refused(exc: ValidationFailed) -> dict:
    """The page's view of a refusal: the first problem beside each field, every problem in the list,
    and the edited mapping's problems with their lines."""
    return {"errors": errors_by_field(exc), "problems": [reason(e.reason) for e in exc.errors if e.field != "mapping_text"],
            "mapping_problems": [{"line": e.row, "reason": reason(e.reason)} for e in exc.errors if e.field == "mapping_text"]}


@router.get("/imports")
async def imports_page(request: Request, actor: Writer):
    start = request.query_params.get("start")
    if not start:
        return await _page(request, actor)
    try:  # start an edited mapping from a shipped one
        text = import_uploads.shipped_mapping(start)
    except ValidationFailed as exc:
        return await _page(request, actor, 404, **_refused(exc))
    kind = start if start in KINDS else "spreadsheet"
    return await _page(request, actor, values={"mapping_text": text, "kind": kind}, editing=True)


@router.post("/imports", dependencies=[Depends(csrf_checked)])
async def upload(request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await request.form()
    file, mapping_file = form.get("file"), form.get("mapping_file")
    mapping_name = form.get("mapping") if isinstance(form.get("mapping"), str) else None
    kind = form.get("kind") if isinstance(form.get("kind"), str) and form.get("kind") else "spreadsheet"
    mapping_text = form.get("mapping_text") if isinstance(form.get("mapping_text"), str) else ""
    values = {"mapping": mapping_name, "kind": kind, "mapping_text": mapping_text}
    try:
        if isinstance(mapping_file, UploadFile) and mapping_file.filename:
            mapping_text = await mapping_file.read(import_uploads.MAX_MAPPING_BYTES + 1)
        if form.get("action") == "check_mapping":  # the edited mapping only, before any file
            if not (mapping_text or "").strip():
                raise ValidationFailed(FieldError("mapping_text", M_("write a mapping, or start from a shipped one")))
            checked = await call(import_uploads.check_mapping, mapping_text)
            return await _page(request, actor, values=values, editing=True,
                               message=_("The mapping %(name)s is valid: choose the file and check it.") % {"name": checked.name})
        name = file.filename if isinstance(file, UploadFile) else ""
        data = file.file if isinstance(file, UploadFile) else None
        media = [(f.filename, f.file) for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]
        staged = await call(lambda: import_uploads.stage(core, actor, name or "", data, kind=kind, mapping_name=mapping_name,
                                                         mapping_text=mapping_text, attachments=media))
        job = await call(jobs.submit, core, actor, "import",
                         {"path": staged["path"], "mapping": staged["mapping"], "dry_run": True, "kind": staged["kind"],
                          "file": staged["file"], "mapping_name": staged["mapping_name"],
                          **({"attachments": staged["attachments"]} if "attachments" in staged else {})})
    except ValidationFailed as exc:
        return await _page(request, actor, 422, values=values, editing=bool(values["mapping_text"].strip()),
                           message=_("Nothing was imported: correct what is marked below and upload again."),
                           **_refused(exc))
    return redirect(request, f"/imports/jobs/{job['id']}", _("The file is being checked; nothing is saved yet."))


@router.get("/imports/jobs/{job_id}")
async def import_job(job_id: PathId, request: Request, actor: Writer):
    job = await job_of_kind(request, actor, job_id, {"import"})
    return render(request, "imports/job.html", job=job, report=job["result"] or {})


@router.post("/imports/jobs/{job_id}/apply", dependencies=[Depends(csrf_checked)])
async def apply(job_id: PathId, request: Request, actor: Writer):
    """Import the file of a finished dry run for real (the same staged file and mapping)."""
    job = await job_of_kind(request, actor, job_id, {"import"})
    params = job["params"] or {}
    if not params.get("dry_run") or job["status"] != "done":
        raise PageError(409, _("Only a finished check can be imported."))
    real = await call(jobs.submit, request.app.state.svidok, actor, "import", {**params, "dry_run": False})
    return redirect(request, f"/imports/jobs/{real['id']}", _("The import has started."))
