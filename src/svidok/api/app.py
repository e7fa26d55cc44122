"""The JSON API under /api/v1: its routes, problem details, documentation and middleware.

:mod:`svidok.server` puts it together with the web pages into the one ASGI app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import svidok
from svidok.app import Svidok

from . import docs, problems
from .headers import SecurityHeaders
from .limits import BodySizeLimit
from .query_guard import QueryGuard
from .routes import (
    advocacy,
    claims,
    custody,
    evidence,
    incident_duplicates,
    incidents,
    linkage,
    operations,
    persons,
    records,
    reference,
    share,
    stats,
)
from .routes import jobs as jobs_routes
from .uploads import UploadGate, is_upload

API_PREFIX = "/api/v1"


def create_api(core: Svidok) -> FastAPI:
    """The API around one :class:`Svidok`; :func:`add_outer_middleware` finishes it once pages are mounted."""

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        # Inline jobs: every web process also runs a worker thread (claims are atomic, so
        # several processes share the queue); with Redis, `svidok worker` processes do.
        from svidok.services import jobs

        worker = None
        if core.settings.jobs == "inline" and core.settings.jobs_in_web:
            worker = jobs.DatabaseWorker(core, mode="web").start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    api = FastAPI(
        lifespan=lifespan,
        title="Svidok API",
        version=svidok.__version__,
        description="Document violations, keep evidence verifiable, turn records into figures. "
        "Authenticate with `Authorization: Bearer <token>` (`svidok user token NAME`).",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from this installation by .docs (no CDN, no inline script)
        redoc_url=None,
    )
    api.state.svidok = core
    problems.install(api)
    docs.install(api, API_PREFIX)
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (incidents, persons, records, reference):
        v1.include_router(module.router)
    api.include_router(v1)
    for module in (evidence, stats, custody, linkage, incident_duplicates, advocacy, claims, jobs_routes, operations, share):
        module.install(api, core)
    # Added before the web pages' session middleware, so it runs inside it (it needs the signed-in actor).
    api.add_middleware(UploadGate, core=core)
    return api


def add_outer_middleware(api: FastAPI, core: Svidok) -> None:
    """Body limits, query checks and security headers around everything (pages included)."""
    api.add_middleware(BodySizeLimit, max_bytes=core.settings.max_request_bytes, exempt=is_upload)
    api.add_middleware(QueryGuard)
    api.add_middleware(SecurityHeaders, core=core)  # outermost: refusals carry the headers too
