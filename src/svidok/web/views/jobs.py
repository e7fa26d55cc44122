"""A job's page: its progress, polled from the API every 1.5 s, and a link to what it made."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from svidok.http.deps import PathId
from svidok.services import jobs

from ..deps import SignedIn
from ..render import render
from .common import call

router = APIRouter()


@router.get("/jobs/{job_id}")
async def job_page(request: Request, job_id: PathId, actor: SignedIn):
    job = await call(jobs.get, request.app.state.svidok, actor, job_id)
    return render(request, "jobs/job.html", job=job)


@router.get("/jobs/{job_id}/result")
async def job_result(request: Request, job_id: PathId, actor: SignedIn):
    path, name = await call(jobs.result_file, request.app.state.svidok, actor, job_id)
    return FileResponse(path, filename=name)
