"""Search incidents and persons in any script."""

from __future__ import annotations

from fastapi import APIRouter, Request

from svidok.core.errors import ValidationFailed
from svidok.services import search

from ..deps import SignedIn
from ..i18n import reason
from ..render import render
from .common import call

router = APIRouter()


@router.get("/search")
async def search_page(request: Request, actor: SignedIn):
    q = (request.query_params.get("q") or "").strip()[:200]
    results, error = None, None
    if q:
        try:
            results = await call(search.everything, request.app.state.svidok, actor, q, 50)
        except ValidationFailed as exc:
            error = reason(exc.errors[0].reason)
    return render(request, "search.html", q=q, results=results, error=error)
