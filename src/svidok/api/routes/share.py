"""/api/v1/share: partners and exchange packages (administrators only)."""

from __future__ import annotations

import os
import tempfile

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from svidok.http.deps import ActorDep, AppDep
from svidok.services import share_export, sharing

router = APIRouter(prefix="/api/v1/share", tags=["share"])


@router.get("/partners")
def partners(app: AppDep, actor: ActorDep) -> list[dict]:
    """Partners, their key ids, sharing rules and the last package sent and received."""
    return sharing.partners(app, actor)


@router.post("/partners/{name}/export")
def export(name: str, app: AppDep, actor: ActorDep) -> FileResponse:
    """A new package for the partner (signed, encrypted to it); the response is the file."""
    fd, path = tempfile.mkstemp(suffix=".svidok-share")
    try:
        with os.fdopen(fd, "wb") as out:
            got = share_export.export(app, actor, name, out)
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(path, media_type="application/octet-stream",
                        filename=f"{name}-{got['sequence']:05d}.svidok-share",
                        headers={"X-Svidok-Sequence": str(got["sequence"]), "X-Svidok-SHA256": got["sha256"]},
                        background=BackgroundTask(os.unlink, path))


def install(api: FastAPI, core) -> None:
    api.include_router(router)
