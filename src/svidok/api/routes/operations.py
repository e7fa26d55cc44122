"""/api/v1/imports, /api/v1/verify, /api/v1/backups: long work started over the API, each a
background job answered at once (202, the job, ``Location`` its URL under /api/v1/jobs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, File, Form, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field

from svidok.core.errors import FieldError, ValidationFailed
from svidok.http.deps import ActorDep, AppDep
from svidok.schemas.common import TextChecked
from svidok.services import jobs
from svidok.services.jobs import starts

from .jobs import submitted

router = APIRouter(prefix="/api/v1", tags=["jobs"])
MAX_MAPPING_BYTES = 256_000


@router.post("/imports", status_code=202)
def start_import(
    file: Annotated[UploadFile, File(description="the spreadsheet (.csv, .tsv, .xlsx); spooled to disk")],
    mapping: Annotated[UploadFile | None, File(description="the mapping (YAML), or name a shipped one")] = None,
    mapping_name: Annotated[str | None, Form(max_length=60, description="a shipped mapping: acled, odk, uwazi")] = None,
    dry_run: Annotated[bool, Form(description="check every row, write nothing")] = False,
    update: Annotated[bool, Form(description="update in place the records an earlier import of this mapping "
                                             "created (new versions; the report lists the changed fields)")] = False,
    withdraw_missing: Annotated[str | None, Form(max_length=2000, description="with update: withdraw rows missing "
                                                                              "from the file, with this reason")] = None,
    *, app: AppDep, actor: ActorDep,
) -> JSONResponse:
    """Import a spreadsheet through a mapping as a job (writers; a dry run checks only), or update in place."""
    text = None
    if mapping is not None:
        raw = mapping.file.read(MAX_MAPPING_BYTES + 1)
        if len(raw) > MAX_MAPPING_BYTES:
            raise ValidationFailed(FieldError("mapping", f"larger than {MAX_MAPPING_BYTES} bytes"))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(FieldError("mapping", "not UTF-8 text")) from None
    return submitted(starts.start_import(app, actor, file.file, file.filename, mapping_text=text,
                                         mapping_name=mapping_name, dry_run=dry_run,
                                         update=update, withdraw_missing=withdraw_missing))


class VerifyIn(TextChecked):
    model_config = {"extra": "forbid"}
    check_files: bool = Field(True, description="re-hash every evidence file (slow on terabytes)")


@router.post("/verify", status_code=202)
def start_verify(data: VerifyIn, app: AppDep, actor: ActorDep) -> JSONResponse:
    """``svidok verify`` as a job (administrators): ledger, signed heads, evidence files."""
    return submitted(jobs.submit(app, actor, "verify", {"check_files": data.check_files}))


class BackupIn(TextChecked):
    model_config = {"extra": "forbid"}
    passphrase: str = Field(min_length=12, max_length=1000, description="seals the keys in the backup")


@router.post("/backups", status_code=202)
def start_backup(data: BackupIn, app: AppDep, actor: ActorDep) -> JSONResponse:
    """A backup (database, evidence, sealed keys) into the job's folder on the server (administrators)."""
    return submitted(starts.start_backup(app, actor, data.passphrase))


def install(api: FastAPI, core) -> None:
    api.include_router(router)
