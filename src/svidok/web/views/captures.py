"""Pages for web captures: the "Preserve a link" form, a batch's progress, one capture.

Until the job layer runs batches, a batch started from the web runs in a thread of the
server; if the server stops first, ``svidok captures resume N`` finishes it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from svidok.core.errors import NotFound, ValidationFailed
from svidok.http.deps import PathId
from svidok.services import captures, evidence, incidents

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, errors_by_field, text

if TYPE_CHECKING:
    from svidok.app import Svidok

router = APIRouter()


def _start(core: Svidok, actor, batch_id: int) -> None:
    threading.Thread(target=captures.run_batch, args=(core, actor, batch_id), name=f"capture-batch-{batch_id}",
                     daemon=True).start()


@router.post("/captures/incidents/{incident_id}", dependencies=[Depends(csrf_checked)])
async def preserve(incident_id: PathId, request: Request, actor: Writer):
    """Preserve the links typed into the incident page (one a line)."""
    core = request.app.state.svidok
    form = await request.form()
    incident = await call(incidents.get, core, actor, incident_id)  # need-to-know before anything else
    urls = [u.strip() for u in (text(form.get("urls")) or "").splitlines() if u.strip()]
    try:
        b = await call(lambda: captures.create_batch(
            core, actor, urls, incident_id=incident_id, confidentiality=incident["confidentiality"],
            case_id=incident["case_id"], purpose=text(form.get("purpose"))))
    except ValidationFailed as exc:
        history = await call(incidents.history_of, core, actor, incident_id)
        return render(request, "incidents/show.html", status=422, incident=incident, history=list(reversed(history)),
                      capture_errors=errors_by_field(exc), capture_urls=form.get("urls") or "")
    _start(core, actor, b["id"])
    return redirect(request, f"/captures/batches/{b['id']}", _("Preserving %(n)s link(s).") % {"n": b["total"]})


@router.post("/captures/{capture_id}/again", dependencies=[Depends(csrf_checked)])
async def again(capture_id: PathId, request: Request, actor: Writer):
    """Capture a capture's URL once more (both are kept; the new one shows what changed)."""
    core = request.app.state.svidok
    c = await call(captures.get, core, actor, capture_id)
    b = await call(captures.batch, core, actor, c["batch_id"])
    new = await call(lambda: captures.create_batch(core, actor, [c["url"]], incident_id=b["incident_id"],
                                                   source_id=b["source_id"]))
    _start(core, actor, new["id"])
    return redirect(request, f"/captures/batches/{new['id']}", _("Preserving %(n)s link(s).") % {"n": 1})


@router.get("/captures/batches/{batch_id}")
async def batch_page(batch_id: PathId, request: Request, actor: SignedIn):
    b = await call(captures.batch, request.app.state.svidok, actor, batch_id)
    return render(request, "captures/batch.html", batch=b)


@router.get("/captures/{capture_id}")
async def capture_page(capture_id: PathId, request: Request, actor: SignedIn):
    c = await call(captures.get, request.app.state.svidok, actor, capture_id)
    return render(request, "captures/show.html", capture=c,
                  shot=next((a for a in c["artefacts"] or [] if a["role"] == "screenshot"), None))


@router.get("/captures/{capture_id}/screenshot")
async def screenshot(capture_id: PathId, request: Request, actor: SignedIn):
    """The capture's screenshot, shown on the page (a GET: it records nothing; downloads of it are recorded)."""
    core = request.app.state.svidok
    c = await call(captures.get, core, actor, capture_id)
    shot = next((a for a in c["artefacts"] or [] if a["role"] == "screenshot"), None)
    if shot is None:
        raise NotFound(f"capture {capture_id} has no screenshot")
    fh, _info = await call(evidence.open_preview, core, actor, shot["evidence_id"])

    def chunks():
        with fh:
            while data := fh.read(1 << 20):
                yield data
    return StreamingResponse(chunks(), media_type="image/png",
                             headers={"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"})

