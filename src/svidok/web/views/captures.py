"""Pages for web captures: the "Preserve a link" forms, a batch's progress, one capture.

A batch started from the web is captured by a background job (``services.jobs``, kind
``capture``); the batch page shows its progress and each capture's files, hashes and
trusted timestamps as they are kept.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from svidok.core.errors import FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.services import captures, evidence_reading, incidents

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, errors_by_field, form_again, text
from .evidence_pages import evidence_list

router = APIRouter()


def _urls(form) -> list[str]:
    return [u.strip() for u in (text(form.get("urls")) or "").splitlines() if u.strip()]


def _started(request: Request, b: dict):
    return redirect(request, f"/captures/batches/{b['id']}", _("Preserving %(n)s link(s).") % {"n": b["total"]})


@router.post("/captures/incidents/{incident_id}", dependencies=[Depends(csrf_checked)])
async def preserve(incident_id: PathId, request: Request, actor: Writer):
    """Preserve the links typed into the incident page (one a line)."""
    core = request.app.state.svidok
    form = await request.form()
    incident = await call(incidents.get, core, actor, incident_id)  # need-to-know before anything else

    async def again(errors: dict[str, str]):
        history = await call(incidents.history_of, core, actor, incident_id)
        return render(request, "incidents/show.html", status=422, incident=incident, history=list(reversed(history)),
                      capture_errors=errors, capture_urls=form.get("urls") or "")

    async with form_again(again):
        b = await call(lambda: captures.preserve(
            core, actor, _urls(form), incident_id=incident_id, confidentiality=incident["confidentiality"],
            case_id=incident["case_id"], purpose=text(form.get("purpose"))))
    return _started(request, b)


@router.post("/captures", dependencies=[Depends(csrf_checked)])
async def preserve_from_evidence(request: Request, actor: Writer):
    """Preserve the links typed into the evidence list's form, linked to an incident if one is named."""
    core = request.app.state.svidok
    form = await request.form()
    links: dict = {}
    raw_incident = text(form.get("incident_id"))
    try:
        if raw_incident is not None:
            if not raw_incident.isdigit() or int(raw_incident) < 1:
                raise ValidationFailed(FieldError("incident_id", _("a record number (1 or more)")))
            try:
                incident = await call(incidents.get, core, actor, int(raw_incident))
            except NotFound:
                raise ValidationFailed(FieldError("incident_id", _("no such incident"))) from None
            links = {"incident_id": incident["id"], "case_id": incident["case_id"],
                     "confidentiality": incident["confidentiality"]}
        b = await call(lambda: captures.preserve(core, actor, _urls(form), purpose=text(form.get("purpose")), **links))
    except ValidationFailed as exc:
        request.state.preserve_form = {"errors": errors_by_field(exc), "urls": form.get("urls") or "",
                                       "incident_id": raw_incident or ""}
        return await evidence_list(request, actor)
    return _started(request, b)


@router.post("/captures/{capture_id}/again", dependencies=[Depends(csrf_checked)])
async def again(capture_id: PathId, request: Request, actor: Writer):
    """Capture a capture's URL once more (both are kept; the new one shows what changed)."""
    core = request.app.state.svidok
    c = await call(captures.get, core, actor, capture_id)
    b = await call(captures.batch, core, actor, c["batch_id"])
    new = await call(lambda: captures.preserve(core, actor, [c["url"]], incident_id=b["incident_id"],
                                               source_id=b["source_id"]))
    return _started(request, new)


@router.get("/captures/batches/{batch_id}")
async def batch_page(batch_id: PathId, request: Request, actor: SignedIn):
    b = await call(captures.batch, request.app.state.svidok, actor, batch_id)
    return render(request, "captures/batch.html", batch=b)


@router.get("/captures/{capture_id}")
async def capture_page(capture_id: PathId, request: Request, actor: SignedIn):
    c = await call(captures.get, request.app.state.svidok, actor, capture_id)
    return render(request, "captures/show.html", capture=c,
                  shot=next((a for a in c["artefacts"] or [] if a["role"] == "screenshot"), None))


#: The replay's own policy: nothing runs, nothing leaves for another site, nothing frames it but Svidok.
REPLAY_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
              "media-src 'self'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'")


def _replay_response(got: tuple[bytes, str, int]) -> Response:
    body, media_type, status = got
    return Response(body, status_code=200 if status < 300 else status, media_type=media_type,
                    headers={"Content-Security-Policy": REPLAY_CSP, "X-Frame-Options": "SAMEORIGIN",
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@router.get("/captures/{capture_id}/replay")
async def replay(capture_id: PathId, request: Request, actor: SignedIn):
    """The archived page from the WACZ, for the sandboxed frame; its resources go through a token."""
    core = request.app.state.svidok
    token = await call(captures.replay_token, core, actor, capture_id)
    prefix = f"/captures/{capture_id}/replay/{token}?u="
    return _replay_response(await call(captures.replayed, core, actor, capture_id, None, prefix))


@router.get("/captures/{capture_id}/replay/{token}")
async def replay_resource(capture_id: PathId, token: str, request: Request, u: str | None = None):
    """One resource of the archived page (the sandboxed frame sends no cookie: the token stands for the user)."""
    prefix = f"/captures/{capture_id}/replay/{token}?u="
    return _replay_response(await call(captures.replayed_by_token, request.app.state.svidok, capture_id,
                                       token[:2000], u, prefix))


@router.get("/captures/{capture_id}/screenshot")
async def screenshot(capture_id: PathId, request: Request, actor: SignedIn):
    """The capture's screenshot, shown on the page (a GET: it records nothing; downloads of it are recorded)."""
    core = request.app.state.svidok
    c = await call(captures.get, core, actor, capture_id)
    shot = next((a for a in c["artefacts"] or [] if a["role"] == "screenshot"), None)
    if shot is None:
        raise NotFound(M_("capture %(capture_id)s has no screenshot", capture_id=capture_id))
    fh, _info = await call(evidence_reading.open_preview, core, actor, shot["evidence_id"])

    def chunks():
        with fh:
            while data := fh.read(1 << 20):
                yield data
    return StreamingResponse(chunks(), media_type="image/png",
                             headers={"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"})

