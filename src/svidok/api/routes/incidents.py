"""/api/v1/incidents"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from svidok.http.deps import ActorDep, AppDep, PathId
from svidok.schemas.filters import IncidentFilter, IncidentPage
from svidok.schemas.public import Count, IncidentList, IncidentPublic
from svidok.schemas.records import DeleteIn, IncidentIn, IncidentUpdate
from svidok.services import incident_queries, incidents

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=IncidentList)
def list_incidents(
    page: Annotated[IncidentPage, Query()],
    app: AppDep, actor: ActorDep,
) -> dict:
    """Incidents newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
    f = IncidentFilter.model_validate(page.model_dump(exclude={"cursor", "limit"}))
    return incident_queries.listing(app, actor, f, page.cursor, page.limit)


@router.get("/count", response_model=Count)
def count_incidents(f: Annotated[IncidentFilter, Query()], app: AppDep, actor: ActorDep) -> dict:
    return {"count": incident_queries.count(app, actor, f)}


@router.post("", status_code=201, response_model=IncidentPublic)
def create_incident(data: IncidentIn, app: AppDep, actor: ActorDep) -> dict:
    return incidents.create(app, actor, data)


@router.get("/{incident_id}", response_model=IncidentPublic)
def get_incident(incident_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    return incidents.get(app, actor, incident_id)


@router.patch("/{incident_id}", response_model=IncidentPublic)
def update_incident(incident_id: PathId, data: IncidentUpdate, app: AppDep, actor: ActorDep) -> dict:
    return incidents.update(app, actor, incident_id, data)


@router.post("/{incident_id}/withdraw", status_code=204)
def withdraw_incident(incident_id: PathId, data: DeleteIn, app: AppDep, actor: ActorDep) -> None:
    """Soft deletion: the incident stays in the history with the reason."""
    incidents.remove(app, actor, incident_id, data.reason, data.version)


@router.get("/{incident_id}/history")
def incident_history(incident_id: PathId, app: AppDep, actor: ActorDep) -> list[dict]:
    return incidents.history_of(app, actor, incident_id)
