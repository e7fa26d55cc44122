"""Evidence upload from the incident page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from svidok.services import incidents, web_evidence
from svidok.services.errors import ValidationFailed

from ..deps import csrf_checked, writer
from ..i18n import _
from ..render import redirect, render
from .common import call, errors_by_field, text

router = APIRouter()


def max_upload_bytes(settings) -> int:  # noqa: ANN001
    return int(getattr(settings, "max_upload_bytes", None) or web_evidence.DEFAULT_MAX_BYTES)


@router.post("/incidents/{incident_id}/evidence", dependencies=[Depends(csrf_checked)])
async def upload(incident_id: int, request: Request, actor=Depends(writer)):  # noqa: ANN001, ANN201
    core = request.app.state.svidok
    form = await request.form()
    upload_ = form.get("file")
    acquisition = {k: text(form.get(k)) for k in ("method", "device", "url", "person")}
    try:
        if not isinstance(upload_, UploadFile) or not upload_.filename:
            raise ValidationFailed(web_evidence.FieldError("file", "choose a file to upload"))
        item = await call(web_evidence.add_to_incident, core, actor, incident_id, upload_.file, upload_.filename,
                          upload_.content_type, upload_.size, acquisition, max_upload_bytes(core.settings))
    except ValidationFailed as exc:
        incident = await call(incidents.get, core, actor, incident_id)
        history = await call(incidents.history_of, core, actor, incident_id)
        return render(request, "incidents/show.html", status=422, incident=incident, history=list(reversed(history)),
                      evidence_errors=errors_by_field(exc))
    return redirect(request, f"/incidents/{incident_id}#evidence",
                    _("File %(name)s added (SHA-256 %(sha)s).") % {"name": item["original_name"], "sha": item["sha256"][:16] + "…"})
