"""/api/v1/imports: a spreadsheet and its mapping, imported — or updated in place — as a job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Form, UploadFile

from svidok.http.deps import ActorDep, AppDep
from svidok.services import import_jobs

router = APIRouter(prefix="/api/v1", tags=["imports"])


@router.post("/imports", status_code=202)
def submit_import(
    file: Annotated[UploadFile, File(description="the spreadsheet (CSV or XLSX)")],
    mapping: Annotated[UploadFile, File(description="the mapping (YAML, see docs/import.md)")],
    dry_run: Annotated[bool, Form()] = False,
    update: Annotated[bool, Form(description="update in place the records an earlier import of this mapping created")] = False,
    withdraw_missing: Annotated[str | None, Form(max_length=2000, description="with update: withdraw rows missing "
                                                                              "from the file, with this reason")] = None,
    *, app: AppDep, actor: ActorDep,
) -> dict:
    """Queue the import; follow it at /api/v1/jobs/{id}: its result is the report (changed fields per row on --update)."""
    text = mapping.file.read(1 << 20).decode("utf-8-sig", errors="replace")
    return import_jobs.submit_upload(app, actor, file.file, file.filename, text, dry_run=dry_run, update=update,
                                     withdraw_missing=withdraw_missing)


def install(api: FastAPI, core: Any) -> None:
    api.include_router(router)
