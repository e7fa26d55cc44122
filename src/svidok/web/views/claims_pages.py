"""Pages: who could claim to the Register of Damage (figures), and one person's claim assessment."""

from __future__ import annotations

from fastapi import APIRouter, Request

from svidok.figures import claims as claim_figures
from svidok.http.deps import PathId
from svidok.services import claims

from ..deps import SignedIn
from ..render import render
from .common import call

router = APIRouter()


@router.get("/claims")
async def claims_figures_page(request: Request, actor: SignedIn):
    figures = await call(claim_figures.current, request.app.state.svidok, actor)
    return render(request, "claims/figures.html", figures=figures)


@router.get("/persons/{person_id}/claims")
async def person_claims_page(person_id: PathId, request: Request, actor: SignedIn):
    a = await call(claims.assess, request.app.state.svidok, actor, person_id)
    return render(request, "claims/person.html", a=a, relationships=claims.categories(request.app.state.svidok).relationships)
