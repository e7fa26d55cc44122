"""Query parameters with control or text-direction characters are refused (422 naming the parameter).

Request bodies are checked by the schemas (``schemas.common.TextChecked``); a query string
reaches routes as plain parameters, so it is checked once here, for every route.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from svidok.core.validation import unsafe_reason

from .problems import problem


class QueryGuard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("query_string") or b""
        if scope["type"] == "http" and raw:
            for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8",
                                         errors="replace"):
                reason = unsafe_reason(name) or unsafe_reason(value)
                if reason:
                    field = name if not unsafe_reason(name) else "query"
                    if scope["path"].startswith("/api/"):
                        response = problem(422, "Invalid input", f"{field}: {reason}",
                                           [{"field": field, "reason": reason}])
                    else:
                        response = HTMLResponse(f"<!doctype html><title>422</title><p>{html.escape(field)}: "
                                                f"{html.escape(reason)}</p>", 422)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
