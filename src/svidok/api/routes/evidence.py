"""/api/v1/evidence and /api/v1/bundles: upload, download, custody, assessments, proofs."""

import tempfile
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from svidok.core.errors import RangeNotSatisfiable
from svidok.core.validation import check_texts
from svidok.evidence.byte_ranges import parse_range
from svidok.http.deps import ActorDep, AppDep, PathId
from svidok.http.downloads import CHUNK, download_headers, preview_headers
from svidok.schemas.common import Id, TextChecked
from svidok.schemas.public import EvidencePublic
from svidok.services import evidence, evidence_queries, evidence_reading, jobs, ledger_sealing

from .jobs import submitted

router = APIRouter(prefix="/api/v1", tags=["evidence"])


class Purpose(TextChecked):
    purpose: str = Field(min_length=3, max_length=500)
    action: Literal["transfer", "export", "access"] = "transfer"


class AssessmentIn(TextChecked):
    kind: str = Field(min_length=1, max_length=60, description="a verification_methods term")
    method: str = Field(min_length=1, max_length=5000)
    result: str = Field(min_length=1, max_length=5000)
    confidence: Literal["low", "medium", "high"]


class BundleIn(TextChecked):
    incident_ids: list[Id] = Field(default_factory=list, max_length=1000)
    case_id: Id | None = None
    evidence_ids: list[Id] = Field(default_factory=list, max_length=10000)
    purpose: str = Field(min_length=3, max_length=500, description="for whom and why")


class GraphicIn(TextChecked):
    graphic: bool = Field(description="true: mark the item graphic; false: take the mark away")
    reason: str | None = Field(None, max_length=500, description="why (kept in the item's history)")


def _fields(incident_id, source_id, case_id, confidentiality, acquired_by, acquired_at, acquisition_method,
            acquisition_device, acquisition_url, acquisition_person, graphic=None):
    values = dict(incident_id=incident_id, source_id=source_id, case_id=case_id, confidentiality=confidentiality,
                  acquired_by=acquired_by, acquired_at=acquired_at, acquisition_method=acquisition_method,
                  acquisition_device=acquisition_device, acquisition_url=acquisition_url,
                  acquisition_person=acquisition_person, graphic=graphic)
    return {k: v for k, v in values.items() if v is not None}


@router.post("/evidence", status_code=201, response_model=EvidencePublic)
def upload_evidence(
    file: Annotated[UploadFile, File(description="the file; spooled to disk, never held in memory")],
    incident_id: Annotated[Id | None, Form()] = None,
    source_id: Annotated[Id | None, Form()] = None,
    case_id: Annotated[Id | None, Form()] = None,
    confidentiality: Annotated[str, Form(max_length=40)] = "restricted",
    acquired_by: Annotated[str | None, Form(max_length=200)] = None,
    acquired_at: Annotated[datetime | None, Form()] = None,
    acquisition_method: Annotated[str | None, Form(max_length=100)] = None,
    acquisition_device: Annotated[str | None, Form(max_length=200)] = None,
    acquisition_url: Annotated[str | None, Form(max_length=2000)] = None,
    acquisition_person: Annotated[str | None, Form(max_length=200)] = None,
    purpose: Annotated[str | None, Form(max_length=500)] = None,
    graphic: Annotated[bool | None, Form(description="graphic content: blurred for users who ask for it")] = None,
    sha256: Annotated[str | None, Header(alias="X-Content-SHA256", pattern=r"^[0-9a-fA-F]{64}$")] = None,
    *, app: AppDep, actor: ActorDep,
) -> dict:
    """Store a file by SHA-256 with its acquisition record; a declared hash that does not match is refused."""
    check_texts(file=file.filename, confidentiality=confidentiality, acquired_by=acquired_by,
                acquisition_method=acquisition_method, acquisition_device=acquisition_device,
                acquisition_url=acquisition_url, acquisition_person=acquisition_person, purpose=purpose)
    return evidence.ingest(
        app, actor, file.file, original_name=file.filename, media_type=file.content_type,
        expected_sha256=sha256.lower() if sha256 else None, max_size=app.settings.max_upload_bytes, purpose=purpose,
        **_fields(incident_id, source_id, case_id, confidentiality, acquired_by, acquired_at, acquisition_method,
                  acquisition_device, acquisition_url, acquisition_person, graphic),
    )


@router.put("/evidence/raw", status_code=201, response_model=EvidencePublic)
async def upload_evidence_raw(
    request: Request,
    original_name: Annotated[str, Query(min_length=1, max_length=500)],
    incident_id: Annotated[Id | None, Query()] = None,
    confidentiality: Annotated[str, Query(max_length=40)] = "restricted",
    acquired_by: Annotated[str | None, Query(max_length=200)] = None,
    acquisition_method: Annotated[str | None, Query(max_length=100)] = None,
    acquisition_url: Annotated[str | None, Query(max_length=2000)] = None,
    sha256: Annotated[str | None, Header(alias="X-Content-SHA256", pattern=r"^[0-9a-fA-F]{64}$")] = None,
    *, app: AppDep, actor: ActorDep,
) -> dict:
    """The request body is the file, streamed to disk in 1 MiB chunks (for multi-gigabyte video)."""
    from starlette.concurrency import run_in_threadpool

    declared = request.headers.get("content-length")
    with tempfile.NamedTemporaryFile(dir=app.settings.data_dir, prefix=".upload-") as tmp:
        async for chunk in request.stream():
            tmp.write(chunk)
        tmp.flush()
        tmp.seek(0)
        return await run_in_threadpool(
            evidence.ingest, app, actor, tmp, original_name=original_name,
            media_type=request.headers.get("content-type"), expected_sha256=sha256.lower() if sha256 else None,
            expected_size=int(declared) if declared and declared.isdigit() else None,
            max_size=app.settings.max_upload_bytes,
            **_fields(incident_id, None, None, confidentiality, acquired_by, None, acquisition_method, None,
                      acquisition_url, None),
        )


class EvidenceQuery(BaseModel):
    """Filters of the evidence list (query parameters)."""

    incident_id: Id | None = None
    case_id: Id | None = None
    media_type: str | None = Field(None, max_length=100, description='a prefix: "image/", "video/", "application/pdf"')
    acquired_from: date | None = Field(None, description="acquired on or after this day (UTC)")
    acquired_to: date | None = Field(None, description="acquired on or before this day (UTC)")
    q: str | None = Field(None, max_length=200, description="text in the original file name")

    def to_filter(self) -> evidence_queries.EvidenceFilter:
        return evidence_queries.EvidenceFilter(**self.model_dump(exclude={"cursor", "limit"}))


class EvidencePage(EvidenceQuery):
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=500)


@router.get("/evidence")
def list_evidence(page: Annotated[EvidencePage, Query()], app: AppDep, actor: ActorDep) -> dict:
    """Evidence items you may see, newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
    return evidence_queries.listing(app, actor, page.to_filter(), page.cursor, page.limit)


@router.get("/evidence/count")
def count_evidence(f: Annotated[EvidenceQuery, Query()], app: AppDep, actor: ActorDep) -> dict:
    """How many items match the filters, among those you may see."""
    return {"count": evidence_queries.count(app, actor, f.to_filter())}


@router.get("/evidence/public-key")
def installation_public_key(app: AppDep, actor: ActorDep) -> dict:
    """The Ed25519 public key that signs tree heads and bundles."""
    return evidence.public_key(app)


class DownloadIn(BaseModel):
    purpose: str | None = Field(None, max_length=500, description="why you download it (recorded)")


@router.get("/evidence/{evidence_id}", response_model=EvidencePublic)
def get_evidence(evidence_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    """The item with its custody history and assessments (a plain read: it writes no custody event;
    `POST …/custody` with `"action": "access"` records a deliberate look)."""
    return evidence.get(app, actor, evidence_id)


@router.post("/evidence/{evidence_id}/graphic", response_model=EvidencePublic)
def mark_graphic(evidence_id: PathId, data: GraphicIn, app: AppDep, actor: ActorDep) -> dict:
    """Mark the item graphic, or take the mark away (writers; a new version in the item's history)."""
    return evidence.mark_graphic(app, actor, evidence_id, data.graphic, data.reason)


@router.post("/evidence/{evidence_id}/download")
def download_evidence(evidence_id: PathId, data: DownloadIn | None = None,
                      *, app: AppDep, actor: ActorDep) -> StreamingResponse:
    """The original bytes, hashed while they are served. A POST: the download is recorded in the chain of
    custody (with the hash actually read) once the last byte is sent; a stored file that no longer matches
    its SHA-256 is cut short before its last chunk and recorded as a failed verification."""
    dl = evidence_reading.download(app, actor, evidence_id, data.purpose if data else None, chunk=CHUNK)
    return StreamingResponse(iter(dl), media_type=dl.info["media_type"], headers=download_headers(dl.info),
                             background=BackgroundTask(dl.close))


@router.post("/evidence/{evidence_id}/view")
def view_evidence(evidence_id: PathId, data: DownloadIn | None = None,
                  *, app: AppDep, actor: ActorDep) -> dict:
    """Record an access in the chain of custody and return a token for ``GET /evidence/{id}/file?token=…``
    (byte ranges, for an hour): a video or PDF then plays from the page without a download."""
    return evidence_reading.start_viewing(app, actor, evidence_id, data.purpose if data else None)


@router.get("/evidence/{evidence_id}/file")
def read_evidence_range(evidence_id: PathId, token: Annotated[str | None, Query(max_length=2000)] = None,
                      range_header: Annotated[str | None, Header(alias="Range")] = None,
                      *, app: AppDep, actor: ActorDep) -> StreamingResponse:
    """Byte ranges of the original for playback and previews (``Range:``), under a viewing token from
    ``POST /evidence/{id}/view`` (which recorded the access); these GETs write nothing."""
    byte_range = parse_range(range_header)
    try:
        fh, info = evidence_reading.open_file(app, actor, evidence_id, token, byte_range=byte_range)
    except RangeNotSatisfiable as exc:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{exc.size}", "Accept-Ranges": "bytes"})

    def chunks():
        with fh:
            while block := fh.read(CHUNK):
                yield block

    start, end = info["range"]
    headers = {**download_headers(info), "Content-Length": str(end - start), "Accept-Ranges": "bytes",
               **preview_headers(info)}
    if byte_range is None:
        return StreamingResponse(chunks(), media_type=info["media_type"], headers=headers)
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{info['size']}"
    return StreamingResponse(chunks(), status_code=206, media_type=info["media_type"], headers=headers)


@router.post("/evidence/{evidence_id}/custody")
def record_custody(evidence_id: PathId, data: Purpose, app: AppDep, actor: ActorDep) -> dict:
    return evidence.transfer(app, actor, evidence_id, data.purpose, data.action)


@router.post("/evidence/{evidence_id}/assessments", status_code=201)
def add_assessment(evidence_id: PathId, data: AssessmentIn, app: AppDep, actor: ActorDep) -> dict:
    return evidence.assess(app, actor, evidence_id, **data.model_dump())


@router.get("/evidence/{evidence_id}/proof")
def inclusion_proof(evidence_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    """RFC 9162 inclusion proof of the item's acquisition entry in the latest signed tree head."""
    return ledger_sealing.inclusion_proof(app, actor, evidence_id)


@router.post("/bundles", status_code=202)
def create_bundle(data: BundleIn, app: AppDep, actor: ActorDep) -> JSONResponse:
    """A self-contained, signed case bundle (tar) for a prosecutor, made by a background job (202
    with the job); download it from /api/v1/jobs/{id}/result and verify it offline with the public key."""
    return submitted(jobs.submit(app, actor, "bundle", data.model_dump()))


def install(api: FastAPI, core) -> None:
    api.include_router(router)
