"""/api/v1/linkage: runs over the persons in the database, the review queue, decisions, merges."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from svidok.http.deps import ActorDep, AppDep, CursorId, PathId
from svidok.schemas.common import DecisionIn, Id, TextChecked
from svidok.services import jobs, merges, person_linkage

from .jobs import submitted

router = APIRouter(prefix="/api/v1/linkage", tags=["linkage"])


class RunIn(TextChecked):
    model_config = {"extra": "forbid"}
    threshold: float = Field(0.9, gt=0, lt=1, description="probability at which two records are one person")
    review_threshold: float = Field(0.5, gt=0, lt=1, description="lowest probability of a pair put in the queue")


class MergeIn(DecisionIn):
    person_a: Id
    person_b: Id


@router.post("/runs", status_code=202)
def run(data: RunIn, app: AppDep, actor: ActorDep) -> JSONResponse:
    """Compare every person record and refresh the queue (administrators): a background job,
    answered at once with its id (202, ``Location``); its result is the run's summary."""
    return submitted(jobs.submit(app, actor, "linkage", {"threshold": data.threshold,
                                                         "review_threshold": data.review_threshold}))


@router.get("/pairs")
def queue(status: Literal["pending", "accepted", "rejected"] = "pending",
          min_probability: float = Query(0.0, ge=0, le=1), max_probability: float = Query(1.0, ge=0, le=1),
          limit: int = Query(50, ge=1, le=500), cursor: CursorId = None,
          *, app: AppDep, actor: ActorDep) -> dict:
    """The review queue: candidate pairs, most likely first, with the evidence for and against."""
    return person_linkage.queue(app, actor, status=status, min_probability=min_probability,
                                max_probability=max_probability, limit=limit, after=cursor)


@router.get("/pairs/{pair_id}")
def show(pair_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    """Both records side by side, the evidence, and the merges the pair made."""
    return person_linkage.show(app, actor, pair_id)


@router.post("/pairs/{pair_id}/accept")
def accept(pair_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    """Same person: link the two records (reversible)."""
    return person_linkage.accept(app, actor, pair_id, data.note)


@router.post("/pairs/{pair_id}/reject")
def reject(pair_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    """Different people: never linked by later runs."""
    return person_linkage.reject(app, actor, pair_id, data.note)


@router.post("/pairs/{pair_id}/undo")
def undo(pair_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    """Take the decision back; an accepted pair's merge is undone and both records restored."""
    return person_linkage.undo(app, actor, pair_id, data.note)


@router.post("/merges", status_code=201)
def merge(data: MergeIn, app: AppDep, actor: ActorDep) -> dict:
    """Merge two persons by hand, outside the queue (returns {"merge": null} if already one person)."""
    return {"merge": merges.merge(app, actor, data.person_a, data.person_b, data.note)}


@router.post("/merges/{merge_id}/undo")
def undo_merge(merge_id: PathId, data: DecisionIn, app: AppDep, actor: ActorDep) -> dict:
    return merges.undo(app, actor, merge_id, data.note)


@router.get("/persons/{person_id}/merges")
def merges_of(person_id: PathId, app: AppDep, actor: ActorDep) -> list[dict]:
    return merges.merges_of(app, actor, person_id)


def install(api: FastAPI, core) -> None:
    api.include_router(router)
