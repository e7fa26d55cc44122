"""Pages: the queue of likely duplicate incidents (side by side, decide, undo)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.http.deps import PathId
from svidok.services import incident_duplicates

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import N_
from ..render import render
from .common import call, review_decision, whole

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
    return await review_decision(request, actor, pair_id, verdict, _DECIDE, f"/review/incidents/{pair_id}")
