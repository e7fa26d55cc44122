"""Plug the web pages into the FastAPI app: ``install(api, core)`` (called by ``svidok.server``).

Adds the session middleware (``request.state.actor``), the pages, the static files
(ours and Leaflet from the ``xstatic-leaflet`` package, served locally) and HTML error
pages for everything outside ``/api/`` — the API keeps its problem-details answers.
"""

from __future__ import annotations

import logging
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from svidok.app import Svidok
from svidok.core.errors import ServiceError, ValidationFailed

from . import session
from .i18n import _, say
from .render import LoginRequired, PageError, redirect, render
from .views import (
    account,
    admin,
    auth,
    briefs,
    captures,
    claims_pages,
    custody_pages,
    dashboard,
    evidence,
    evidence_pages,
    imports,
    incident_review,
    incidents,
    interventions,
    jobs,
    maps,
    partners,
    persons,
    records,
    search,
    statistics,
)
from .views.common import FormAgain

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("svidok.web")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str):
    return render(request, "error.html", status=status, status_code=status, message=message)


def install(api: FastAPI, core: Svidok) -> None:
    api.mount("/static/leaflet", StaticFiles(directory=xleaflet.BASE_DIR), name="leaflet")
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, account, dashboard, incidents, persons, records, search, evidence, evidence_pages, captures, maps,
                   admin, jobs, claims_pages, briefs, interventions, imports, statistics, partners):
        api.include_router(module.router, include_in_schema=False)
    # Before the person review: "/review/{pair_id}" would otherwise take "/review/incidents".
    for router in (custody_pages.monitor_router, incident_review.router, custody_pages.review_router):
        api.include_router(router, include_in_schema=False)

    previous = dict(api.exception_handlers)

    def delegate(exc_class):
        return previous.get(exc_class)

    @api.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        session_ = getattr(request.state, "web_session", None)
        target = "/login?expired=1" if session_ is not None and session_.expired else "/login"
        if request.method == "GET" and request.url.path not in ("/", "/login"):
            target += ("&" if "?" in target else "?") + "next=" + request.url.path
        return redirect(request, target)

    @api.exception_handler(FormAgain)
    async def _form_again(_request: Request, exc: FormAgain):
        return exc.response

    @api.exception_handler(PageError)
    async def _page(request: Request, exc: PageError):
        return _error_page(request, exc.status, exc.message)

    @api.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError):
        if _is_api(request) and delegate(ServiceError):
            return await delegate(ServiceError)(request, exc)
        return _error_page(request, exc.status, say(exc))

    @api.exception_handler(ValidationFailed)
    async def _invalid(request: Request, exc: ValidationFailed):
        if _is_api(request) and delegate(ValidationFailed):
            return await delegate(ValidationFailed)(request, exc)
        return _error_page(request, 422, say(exc))

    @api.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        if _is_api(request) and delegate(RequestValidationError):
            return await delegate(RequestValidationError)(request, exc)
        return _error_page(request, 400, _("The address of this page is not valid."))

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if _is_api(request) or request.url.path.startswith("/static/"):
            return await delegate(StarletteHTTPException)(request, exc)
        message = _("No such page.") if exc.status_code == 404 else str(exc.detail)
        return _error_page(request, exc.status_code, message)

    @api.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        if _is_api(request) and delegate(Exception):
            return await delegate(Exception)(request, exc)
        log.exception("unhandled error on %s", request.url.path)
        return _error_page(request, 500, _("Something went wrong on the server; the error has been logged. "
                                           "Nothing you entered was saved."))

    api.add_middleware(session.SessionMiddleware, core=core, secret=session.load_secret(core.settings.data_dir))
