"""/api/v1/places, /api/v1/vocab, /api/v1/search"""

from __future__ import annotations

from fastapi import APIRouter, Query

from svidok.http.deps import ActorDep, AppDep, PathId
from svidok.services import reference, search

router = APIRouter(tags=["reference"])


@router.get("/places")
def find_places(q: str = Query(min_length=1, max_length=200), limit: int = Query(20, ge=1, le=200),
                *, app: AppDep, actor: ActorDep) -> list[dict]:
    return reference.find_places(app, q, limit)


@router.get("/places/{place_id}")
def get_place(place_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    return reference.place(app, place_id)


@router.get("/vocab")
def vocabularies(app: AppDep, actor: ActorDep) -> dict:
    return {"vocabularies": app.vocab.names()}


@router.get("/vocab/{name}")
def vocabulary(name: str, app: AppDep, actor: ActorDep) -> dict:
    return reference.vocabulary(app, name)


@router.get("/search")
def search_all(q: str = Query(min_length=1, max_length=200), limit: int = Query(20, ge=1, le=100),
               *, app: AppDep, actor: ActorDep) -> dict:
    """Incidents (by title, narrative or a victim's name; latest date first) and persons (names), across
    scripts, with how many of each matched (``incident_count``, ``person_count``; ``*_more``: over 1,000)."""
    return search.everything(app, actor, q, limit)
