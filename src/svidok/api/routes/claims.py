"""/api/v1/claims and /api/v1/persons/{id}/claims: claims to the Register of Damage (prepared, never submitted)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from pydantic import Field

from svidok.figures import claims as claim_figures
from svidok.http.deps import ActorDep, AppDep, PathId
from svidok.reports import claim_dossier
from svidok.schemas.common import TextChecked
from svidok.schemas.records import DeleteIn
from svidok.services import claims

router = APIRouter(prefix="/api/v1")


class RelativeIn(TextChecked):
    model_config = {"extra": "forbid"}
    relationship: str = Field(description="parent, spouse, civil_partner, child, sibling, grandparent, grandchild, "
                                          "legal_guardian or other")
    name: str | None = Field(None, max_length=300, description="stored encrypted")
    contact: str | None = Field(None, max_length=300, description="stored encrypted")
    consent: bool = Field(description="the family consented to being recorded and to a claim being prepared")
    consent_date: str = Field(max_length=20, description="when consent was given (a partial date)")
    consent_scope: str | None = Field(None, max_length=2000)
    representative: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=5000)


class DossierIn(TextChecked):
    model_config = {"extra": "forbid"}
    categories: list[str] | None = Field(None, description="category codes (default: all the facts support)")
    evidence_ids: list[int] | None = Field(None, description="evidence to include (default: all supporting)")
    purpose: str | None = Field(None, max_length=2000,
                                description="with a purpose, cleared roles get family members' names (the read is logged)")


@router.get("/claims/categories", tags=["claims"])
def categories(app: AppDep, actor: ActorDep) -> dict:
    c = claims.categories(app)
    return {"register": c.register, "as_of": c.as_of, "source": list(c.source), "since": c.since,
            "categories": [{"code": x.code, "en": x.label("en"), "uk": x.label("uk"), "confirmed": x.confirmed,
                            "claimant": x.claimant, "relationships": list(x.relationships), "note": x.note,
                            "form": list(x.form)} for x in c.categories]}


@router.get("/claims/figures", tags=["claims"])
def figures(app: AppDep, actor: ActorDep) -> dict:
    return claim_figures.by_oblast(app, actor)


@router.get("/persons/{person_id}/claims", tags=["claims"])
def assess(person_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    return claims.assess(app, actor, person_id)


@router.get("/persons/{person_id}/relatives", tags=["claims"])
def relatives(person_id: PathId, app: AppDep, actor: ActorDep) -> list[dict]:
    return claims.relatives(app, actor, person_id)


@router.post("/persons/{person_id}/relatives", tags=["claims"], status_code=201)
def add_relative(person_id: PathId, data: RelativeIn, app: AppDep, actor: ActorDep) -> dict:
    return claims.add_relative(app, actor, person_id, **data.model_dump())


@router.post("/claims/relatives/{ident}/withdraw", tags=["claims"], status_code=204)
def withdraw_relative(ident: PathId, data: DeleteIn, app: AppDep, actor: ActorDep) -> Response:
    claims.withdraw_relative(app, actor, ident, data.reason)
    return Response(status_code=204)


@router.post("/persons/{person_id}/claims/dossier", tags=["claims"], response_class=Response,
             responses={200: {"content": {"application/zip": {}}}})
def dossier(person_id: PathId, data: DossierIn, app: AppDep, actor: ActorDep) -> Response:
    """The claim dossier (zip: PDF in Ukrainian and English, evidence, SHA256SUMS); its creation is in the ledger."""
    claims.require_preparer(actor)
    with tempfile.TemporaryDirectory() as tmp:
        out = claim_dossier.create(app, actor, person_id, Path(tmp) / "dossier.zip", data.categories,
                                   data.evidence_ids, data.purpose)
        body = Path(out["path"]).read_bytes()
    return Response(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="claim-dossier-person-{person_id}.zip"',
        "X-Svidok-Sha256": out["sha256"]})


def install(api: FastAPI, core: Any) -> None:
    api.include_router(router)
