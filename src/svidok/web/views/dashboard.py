"""The dashboard: recent incidents and counts by violation family, month and oblast."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from svidok.figures import dashboard
from svidok.schemas.filters import IncidentFilter
from svidok.services import incident_queries

from ..deps import SignedIn
from ..render import render
from .common import call

router = APIRouter()


@router.get("/")
async def home(request: Request, actor: SignedIn):
    core = request.app.state.svidok
    figures = await call(dashboard.current, core, actor)
    recent = await call(incident_queries.listing, core, actor, IncidentFilter(), None, 10)
    months = figures["by_month"][-24:] if figures else []
    computed = datetime.fromtimestamp(figures["computed_at"], UTC).strftime("%H:%M UTC") if figures else None
    return render(request, "dashboard.html", figures=figures, recent=recent["items"], months=months,
                  month_max=max((n for _, n in months), default=0), computed=computed)
