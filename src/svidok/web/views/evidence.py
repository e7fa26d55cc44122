"""Evidence upload from the incident page (through ``svidok.services.evidence.ingest``).

The page refuses, before anything is stored, a file that is empty, larger than the
limit, or of a type a documenter does not upload (judged from its first bytes).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.core.validation import check_texts
from svidok.evidence.media_types import OCTET_STREAM, sniff_media_type
from svidok.http.deps import PathId
from svidok.http.downloads import CHUNK, download_headers
from svidok.services import evidence, evidence_reading, evidence_video, incidents

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, form_again, text

router = APIRouter()
#: Media a documenter uploads: photos, video, audio, documents, web archives.
ACCEPTED_PREFIXES = ("image/", "video/", "audio/")
ACCEPTED_TYPES = {"application/pdf", "text/plain", "application/warc", "application/zip", "text/csv",
                  "application/json", "message/rfc822"}


def max_upload_bytes(settings) -> int:
    """The installation's one upload limit (``SVIDOK_MAX_UPLOAD_BYTES``, see config.py)."""
    return int(settings.max_upload_bytes)


def check_upload(upload: object, limit: int) -> str:
    """The file's media type, or ValidationFailed naming the problem (nothing stored yet)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(FieldError("file", M_("choose a file to upload")))
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(FieldError("file", M_("the file is %(size)s bytes; the limit is %(limit)s bytes", size=upload.size, limit=limit)))
    head = upload.file.read(4096)
    upload.file.seek(0)
    if not head:
        raise ValidationFailed(FieldError("file", M_("the file is empty")))
    media_type = sniff_media_type(head, upload.filename)
    if media_type == OCTET_STREAM or not (media_type.startswith(ACCEPTED_PREFIXES) or media_type in ACCEPTED_TYPES):
        raise ValidationFailed(FieldError("file", M_("unknown or unsupported file type (%(media_type)s); accepted: photos, video, audio, PDF, plain text, web archives", media_type=media_type)))
    return media_type


async def ingest_upload(core, actor, file: UploadFile, media_type: str, incident: dict, form,
                        purpose: str) -> dict:
    """Store a checked upload as evidence of ``incident`` (its confidentiality and case), with how it
    was obtained from the form's optional method, device and url fields."""
    limit = max_upload_bytes(core.settings)
    fields = {"acquisition_method": text(form.get("method")) or "web upload",
              "acquisition_device": text(form.get("device")), "acquisition_url": text(form.get("url")),
              "acquired_by": actor.username}
    check_texts(file=file.filename, method=fields["acquisition_method"], device=fields["acquisition_device"],
                url=fields["acquisition_url"])
    return await call(lambda: evidence.ingest(
        core, actor, file.file, original_name=file.filename, media_type=media_type, max_size=limit,
        purpose=purpose, incident_id=incident["id"], confidentiality=incident["confidentiality"],
        case_id=incident["case_id"], graphic=form.get("graphic") == "on",
        **{k: v for k, v in fields.items() if v is not None}))


@router.post("/upload/incidents/{incident_id}/evidence", dependencies=[Depends(csrf_checked)])
async def upload(incident_id: PathId, request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await request.form()
    incident = await call(incidents.get, core, actor, incident_id)  # need-to-know before anything else
    limit = max_upload_bytes(core.settings)
    file = form.get("file")

    async def again(errors: dict[str, str]):
        history = await call(incidents.history_of, core, actor, incident_id)
        return render(request, "incidents/show.html", status=422, incident=incident, history=list(reversed(history)),
                      evidence_errors=errors)

    async with form_again(again):
        media_type = check_upload(file, limit)
        item = await ingest_upload(core, actor, file, media_type, incident, form, "uploaded through the web form")
    return redirect(request, f"/incidents/{incident_id}#evidence",
                    _("File %(name)s added (SHA-256 %(sha)s).") % {"name": file.filename, "sha": item["sha256"][:16] + "…"})


@router.post("/evidence/{evidence_id}/download", dependencies=[Depends(csrf_checked)])
async def download(evidence_id: PathId, request: Request, actor: SignedIn):
    """The original file, from the incident page's download button (a form POST: it writes custody)."""
    core = request.app.state.svidok
    dl = await call(evidence_reading.download, core, actor, evidence_id, "downloaded from the web page", CHUNK)
    return StreamingResponse(iter(dl), media_type=dl.info["media_type"], headers=download_headers(dl.info),
                             background=BackgroundTask(dl.close))


@router.get("/evidence/{evidence_id}/contact-sheet.png")
async def contact_sheet(evidence_id: PathId, request: Request, actor: SignedIn):
    """A video's keyframes tiled with their times (reading the original is an access in its custody)."""
    png = await call(evidence_video.contact_sheet, request.app.state.svidok, actor, evidence_id,
                     "keyframes viewed on the incident page")
    return Response(png, media_type="image/png",
                    headers={"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, no-store"})
