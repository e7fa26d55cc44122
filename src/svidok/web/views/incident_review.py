"""Pages: the queue of likely duplicate incidents (side by side, decide, undo)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import ServiceError
from svidok.http.deps import PathId
from svidok.services import incident_duplicates

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import N_, _
from ..render import redirect, render
from .common import call, form_dict, text, whole

router = APIRouter()


@router.get("/review/incidents")
async def queue_page(request: Request, actor: SignedIn):
    status = request.query_params.get("status") or "pending"
    out = await call(incident_duplicates.queue, request.app.state.svidok, actor, status=status,
                     after=whole(request.query_params.get("after")))
    return render(request, "review/incidents.html", page=out, status_filter=status)


@router.get("/review/incidents/{pair_id}")
async def pair_page(request: Request, pair_id: PathId, actor: SignedIn):
    pair = await call(incident_duplicates.show, request.app.state.svidok, actor, pair_id)
    return render(request, "review/incident_pair.html", pair=pair)


_DECIDE = {"same": (incident_duplicates.same, N_("The same incident: the newer report is merged into the older "
                                                  "(reversible); figures count it once.")),
           "different": (incident_duplicates.different, N_("Different incidents: they will not be proposed again.")),
           "undo": (incident_duplicates.undo, N_("Decision undone: both incidents are as they were."))}


@router.post("/review/incidents/{pair_id}/{verdict}", dependencies=[Depends(csrf_checked)])
async def decide(request: Request, pair_id: PathId, verdict: str, actor: Writer):
    if verdict not in _DECIDE:
        return render(request, "error.html", status=404, status_code=404, message=_("No such decision."))
    fn, done = _DECIDE[verdict]
    form = await form_dict(request)
    try:
        await call(fn, request.app.state.svidok, actor, pair_id, text(form.get("note")))
    except ServiceError as exc:
        if exc.status == 409:
            return redirect(request, f"/review/incidents/{pair_id}", str(exc))
        raise
    return redirect(request, f"/review/incidents/{pair_id}", _(done))
