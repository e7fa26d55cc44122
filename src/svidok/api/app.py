"""The FastAPI application: the JSON API under /api/v1 (and the web pages, when mounted)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import svidok
from svidok.app import Svidok

from . import docs, problems
from .headers import SecurityHeaders
from .query_guard import QueryGuard
from .limits import BodySizeLimit
from .uploads import UploadGate, is_upload
from .routes import incidents, persons, records, reference

API_PREFIX = "/api/v1"


def create_app(svidok_app: Svidok | None = None) -> FastAPI:
    """Build the ASGI app around one :class:`Svidok` (the CLI and the tests do the same)."""
    core = svidok_app or Svidok()

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
    # Added first, so it runs inside the web session middleware (it needs the signed-in actor).
    api.add_middleware(UploadGate, core=core)
    for extra in _extensions():
        extra(api, core)
    api.add_middleware(BodySizeLimit, max_bytes=core.settings.max_request_bytes, exempt=is_upload)
    api.add_middleware(QueryGuard)
    api.add_middleware(SecurityHeaders, core=core)  # outermost: refusals carry the headers too
    return api


def _extensions():  # noqa: ANN202
    """Other areas (web pages, evidence, stats…) register themselves here when present."""
    from importlib import import_module

    out = []
    for name in ("svidok.web.mount", "svidok.api.routes.evidence", "svidok.api.routes.stats",
                 "svidok.api.routes.custody", "svidok.api.routes.linkage", "svidok.api.routes.advocacy", "svidok.api.routes.jobs"):
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        out.append(module.install)
    return out
