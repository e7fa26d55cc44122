"""The door of evidence uploads: who asks and how much, before a byte of the body is read.

Pure ASGI, inside the web session middleware (so the signed-in actor is known) and
outside FastAPI (which would read and spool a whole multipart body before any
dependency runs). For the upload routes it:

1. authenticates (API token or web session) and authorises (a writer) — 401/403 at once;
2. refuses a declared ``Content-Length`` over the limit — 413 at once;
3. counts the bytes as the route reads them (chunked bodies too) and stops at the limit
   with 413, whatever the route made of the cut body; the route's temporary file is
   removed as its ``with`` block unwinds.

The limit is ``max_upload_bytes`` (the file) plus ``ENVELOPE`` for a multipart form's
boundaries and fields.
"""

from __future__ import annotations

import html
import re

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svidok.services import accounts

from .problems import problem

ENVELOPE = 64 * 1024
ROUTES = (
    ("POST", re.compile(r"^/api/v1/evidence/?$")),
    ("POST", re.compile(r"^/api/v1/imports/?$")),  # a spreadsheet can be larger than a JSON body
    ("PUT", re.compile(r"^/api/v1/evidence/raw/?$")),
    ("POST", re.compile(r"^/upload/incidents/[^/]+/evidence/?$")),
    ("POST", re.compile(r"^/incidents/new/?$")),  # the incident form takes a photo from the phone
    ("POST", re.compile(r"^/imports/?$")),  # the imports page: a spreadsheet, or form submissions with their photos
)


def is_upload(scope: Scope) -> bool:
    return any(scope.get("method") == m and rx.match(scope["path"]) for m, rx in ROUTES)


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k == name:
            return v.decode("latin-1")
    return None


class _TooLarge(Exception):
    pass


class UploadGate:
    def __init__(self, app: ASGIApp, core):
        self.app = app
        self.core = core

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_upload(scope):
            await self.app(scope, receive, send)
            return
        web = not scope["path"].startswith("/api/")
        refusal = await self._refusal(scope, web)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        limit = int(self.core.settings.max_upload_bytes)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit + ENVELOPE):
            await self._too_large(limit, web)(scope, receive, send)
            return
        seen = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit + ENVELOPE:
                    exceeded = True
                    raise _TooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the route makes of the interrupted body (FastAPI: 400), the answer is 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except _TooLarge:
            pass
        if exceeded and not started:
            await self._too_large(limit, web)(scope, receive, send)

    async def _refusal(self, scope: Scope, web: bool):
        state = scope.get("state") or {}
        actor = state.get("actor")
        auth = _header(scope, b"authorization") or ""
        if auth.lower().startswith("bearer ") and not web:
            actor = await run_in_threadpool(accounts.actor_for_token, self.core, auth[7:].strip())
        if actor is None:
            if web:
                return RedirectResponse("/login", status_code=303)
            return _unauthorised()
        if not actor.can_write:
            if web:
                return HTMLResponse("<!doctype html><title>403</title><p>Your role may not change records.</p>", 403)
            return problem(403, "Forbidden", "your role may not add records or evidence")
        if web and not _same_origin(scope):
            return HTMLResponse("<!doctype html><title>403</title><p>The form did not come from this site.</p>", 403)
        return None

    @staticmethod
    def _too_large(limit: int, web: bool):
        text = f"the file is larger than the upload limit of {limit} bytes ({limit / 1024**3:.1f} GiB); nothing was stored"
        if web:
            return HTMLResponse(f"<!doctype html><title>413</title><p>{html.escape(text)}</p>", 413)
        return problem(413, "Payload too large", text)


def _unauthorised():
    response = problem(401, "Unauthorized", "sign in or send an API token")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _same_origin(scope: Scope) -> bool:
    """A browser names the page a form came from (Origin); a cross-site form is refused before its body."""
    origin = _header(scope, b"origin")
    if origin is None:  # not a browser, or a same-origin GET-like request: the CSRF token decides later
        return True
    host = _header(scope, b"host") or ""
    return origin.split("://", 1)[-1] == host
