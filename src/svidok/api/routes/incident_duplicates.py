"""/api/v1/incident-duplicates: likely duplicate incidents, the review queue, decisions, the check of a draft."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, FastAPI, Query
from pydantic import Field

from svidok.http.deps import ActorDep, AppDep, CursorId, PathId
from svidok.schemas.common import DecisionIn, TextChecked
from svidok.schemas.records import IncidentIn
from svidok.services import incident_duplicates

router = APIRouter(prefix="/api/v1/incident-duplicates", tags=["incident duplicates"])


class RunIn(TextChecked):
    model_config = {"extra": "forbid"}
    min_probability: float = Field(0.5, gt=0, lt=1, description="lowest probability of a pair put in the queue")


@router.post("/runs", status_code=201)
def run(data: RunIn, app: AppDep, actor: ActorDep) -> dict:
    """Compare every incident and refresh the queue (administrators)."""
    return incident_duplicates.run(app, actor, min_probability=data.min_probability)


@router.post("/check")
def check(data: IncidentIn, app: AppDep, actor: ActorDep) -> dict:
    """Incidents a draft is likely to duplicate, with the reasons (nothing is saved)."""
    return {"possible_duplicates": incident_duplicates.check(app, actor, data)}


@router.get("/pairs")
def queue(status: Literal["pending", "same", "different"] = "pending", limit: int = Query(50, ge=1, le=500),
          cursor: CursorId = None, *, app: AppDep, actor: ActorDep) -> dict:
    """The review queue: likely duplicate pairs, most likely first, with the reasons in words."""
    return incident_duplicates.queue(app, actor, status=status, limit=limit, after=cursor)


@router.get("/pairs/{pair_id}")
def show(pair_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    """Both incidents side by side, the reasons and their weights, and the merges the pair made."""
    return incident_duplicates.show(app, actor, pair_id)


@router.post("/pairs/{pair_id}/same")
def same(pair_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    """One incident: the newer is merged into the older (reversible); figures count it once."""
    return incident_duplicates.same(app, actor, pair_id, data.note)


@router.post("/pairs/{pair_id}/different")
def different(pair_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    """Two incidents: never queued again."""
    return incident_duplicates.different(app, actor, pair_id, data.note)


@router.post("/pairs/{pair_id}/undo")
def undo(pair_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    """Take the decision back; a merge is undone and both incidents are as they were."""
    return incident_duplicates.undo(app, actor, pair_id, data.note)


def install(api: FastAPI, core) -> None:
    api.include_router(router)
