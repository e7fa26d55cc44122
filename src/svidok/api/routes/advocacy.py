"""/api/v1/advocacy (views by target and theme, status changes) and /api/v1/briefs (render, reproduce)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Response
from pydantic import Field

from svidok.http.deps import ActorDep, AppDep, PathId
from svidok.reports import engine
from svidok.reports.editions import DEFAULT_THRESHOLD, Edition
from svidok.schemas.common import TextChecked, Version
from svidok.services import advocacy, jobs

from .jobs import submitted

router = APIRouter(prefix="/api/v1")


class StatusIn(TextChecked):
    model_config = {"extra": "forbid"}
    status: str = Field(description="sent, acknowledged, acted_on, ignored or reversed")
    note: str | None = Field(None, max_length=5000)
    at: datetime | None = Field(None, description="when it happened (default: now)")
    version: Version | None = None


class RenderIn(TextChecked):
    model_config = {"extra": "forbid"}
    edition: Literal["internal", "public"] = "internal"
    format: Literal["html", "pdf"] = "html"
    threshold: int = Field(DEFAULT_THRESHOLD, ge=1, le=100)
    small_counts: Literal["suppress", "band"] = "suppress"
    params: dict[str, Any] = Field(default_factory=dict)


class QueryIn(TextChecked):
    model_config = {"extra": "forbid"}
    args: dict[str, Any] = Field(default_factory=dict)


@router.get("/advocacy/targets", tags=["advocacy"])
def targets(app: AppDep, actor: ActorDep) -> list[dict]:
    return advocacy.by_target(app, actor)


@router.get("/advocacy/themes", tags=["advocacy"])
def themes(app: AppDep, actor: ActorDep) -> list[dict]:
    return advocacy.by_theme(app, actor)


@router.get("/advocacy/since-last-letter", tags=["advocacy"])
def since_last(target: str, app: AppDep, actor: ActorDep) -> dict:
    return advocacy.since_last_letter(app, actor, target)


@router.post("/interventions/{ident}/status", tags=["advocacy"])
def set_status(ident: PathId, data: StatusIn, app: AppDep, actor: ActorDep) -> dict:
    return advocacy.set_status(app, actor, ident, data.status, data.note, data.at, data.version)


@router.get("/briefs", tags=["briefs"])
def list_briefs(actor: ActorDep) -> list[dict]:
    return [{"name": t.name, "title": t.title, "description": t.meta.get("description", ""),
             "params": t.meta.get("params") or {}} for t in engine.list_templates()]


@router.post("/briefs/{name}/render", tags=["briefs"], response_class=Response,
             responses={200: {"content": {"text/html": {}}},
                        202: {"description": "a PDF is made by a job: its id, status and progress; the file at "
                                              "/api/v1/jobs/{id}/result when done"}})
def render(name: str, data: RenderIn, app: AppDep, actor: ActorDep) -> Response:
    """HTML at once (a preview); a PDF is a background job (202 with the job, ``Location`` its URL)."""
    if "/" in name or "\\" in name or name.startswith("_"):
        raise engine.BriefError(name, None, "not a shipped template name")
    if data.format == "pdf":
        return submitted(jobs.submit(app, actor, "brief", {
            "template": name, "format": "pdf", "edition": data.edition, "threshold": data.threshold,
            "band": data.small_counts == "band", "params": data.params}))
    brief = engine.render(app, actor, name, Edition(data.edition, data.threshold, data.small_counts), data.params)
    return Response(brief.html, media_type="text/html; charset=utf-8")


@router.post("/briefs/queries/{name}", tags=["briefs"])
def run_query(name: str, data: QueryIn, app: AppDep, actor: ActorDep) -> dict:
    """Reproduce a figure: the query's raw result over the records the caller may see."""
    return engine.reproduce(app, actor, name, data.args)


def install(api: FastAPI, core: Any) -> None:
    api.include_router(router)
