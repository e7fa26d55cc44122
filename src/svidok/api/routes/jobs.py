"""/api/v1/jobs: the actor's jobs and their progress, cancel, the file a job made; /healthz for
load balancers. Routes that start long work answer with :func:`submitted` (202 and the job)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse

from svidok.http.deps import ActorDep, AppDep, CursorId, PathId
from svidok.services import health, jobs

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


def submitted(job: dict) -> JSONResponse:
    """202 Accepted with the queued job; ``Location`` is where its progress is read."""
    return JSONResponse(job, status_code=202, headers={"Location": f"/api/v1/jobs/{job['id']}"})


@router.get("")
def list_jobs(status: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
              kind: str | None = Query(None, max_length=60), limit: int = Query(50, ge=1, le=500),
              cursor: CursorId = None, *, app: AppDep, actor: ActorDep) -> dict:
    """Your jobs (an administrator's: everyone's), newest first."""
    return jobs.list_jobs(app, actor, status=status, kind=kind, limit=limit, after=cursor)


@router.get("/{job_id}")
def show(job_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    """One job: status, progress (done/total, message, updated_at), result or error."""
    return jobs.get(app, actor, job_id)


@router.get("/{job_id}/result", response_class=FileResponse,
            responses={200: {"content": {"application/pdf": {}, "application/x-tar": {}, "text/html": {}}}})
def result(job_id: PathId, app: AppDep, actor: ActorDep) -> FileResponse:
    """The file a finished job made (a brief, a bundle); 404 until it is done."""
    path, name = jobs.result_file(app, actor, job_id)
    return FileResponse(path, filename=f"svidok-job-{job_id}-{name}")


@router.post("/{job_id}/cancel")
def cancel(job_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    """Cancel: at once if queued; a running job stops at its next clean point."""
    return jobs.cancel(app, actor, job_id)


health_router = APIRouter(tags=["health"])


@health_router.get("/healthz")
def healthz(app: AppDep) -> JSONResponse:
    """This web process: the database answers and its migrations are current (503 otherwise)."""
    out = health.check(app)
    return JSONResponse(out, status_code=200 if out["ok"] else 503)


def install(api: FastAPI, core) -> None:
    api.include_router(router)
    api.include_router(health_router)
