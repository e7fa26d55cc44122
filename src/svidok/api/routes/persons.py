"""/api/v1/persons and /api/v1/sources"""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import Field

from svidok.http.deps import ActorDep, AppDep, CursorId, PathId
from svidok.schemas.common import TextChecked
from svidok.schemas.public import PersonPublic
from svidok.schemas.records import DeleteIn, PersonIn, PersonUpdate, SourceIn
from svidok.services import persons, sources

router = APIRouter(tags=["persons"])


class Purpose(TextChecked):
    purpose: str = Field(min_length=3, max_length=500, description="why you need the protected data (logged)")


def _page(items: list[dict], next_id: int | None) -> dict:
    return {"items": items, "next_cursor": str(next_id) if next_id else None}


@router.get("/persons")
def list_persons(cursor: CursorId = None, limit: int = Query(50, ge=1, le=500),
                 *, app: AppDep, actor: ActorDep) -> dict:
    return _page(*persons.listing(app, actor, cursor, limit))


@router.get("/persons/search")
def search_persons(q: str = Query(min_length=1, max_length=200), limit: int = Query(20, ge=1, le=200),
                   *, app: AppDep, actor: ActorDep) -> list[dict]:
    """Names across scripts: `Oleksandr` finds `Олександр` and `Александр`."""
    return persons.search(app, actor, q, limit)


@router.post("/persons", status_code=201, response_model=PersonPublic)
def create_person(data: PersonIn, app: AppDep, actor: ActorDep) -> dict:
    return persons.create(app, actor, data)


@router.get("/persons/{person_id}", response_model=PersonPublic)
def get_person(person_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    return persons.get(app, actor, person_id)


@router.patch("/persons/{person_id}", response_model=PersonPublic)
def update_person(person_id: PathId, data: PersonUpdate, app: AppDep, actor: ActorDep) -> dict:
    return persons.update(app, actor, person_id, data)


@router.post("/persons/{person_id}/withdraw", status_code=204)
def withdraw_person(person_id: PathId, data: DeleteIn, app: AppDep, actor: ActorDep) -> None:
    persons.remove(app, actor, person_id, data.reason)


@router.post("/persons/{person_id}/protected")
def read_person_protected(person_id: PathId, data: Purpose, app: AppDep, actor: ActorDep) -> dict:
    """Exact address and contacts; cleared roles only, and the read is logged in the ledger."""
    return persons.read_protected(app, actor, person_id, data.purpose)


@router.get("/sources")
def list_sources(cursor: CursorId = None, limit: int = Query(50, ge=1, le=500),
                 *, app: AppDep, actor: ActorDep) -> dict:
    return _page(*sources.listing(app, actor, cursor, limit))


@router.post("/sources", status_code=201)
def create_source(data: SourceIn, app: AppDep, actor: ActorDep) -> dict:
    return sources.create(app, actor, data)


@router.get("/sources/{source_id}")
def get_source(source_id: PathId, app: AppDep, actor: ActorDep) -> dict:
    return sources.get(app, actor, source_id)


@router.post("/sources/{source_id}/identity")
def reveal_source(source_id: PathId, data: Purpose, app: AppDep, actor: ActorDep) -> dict:
    """The source's identity and contact; cleared roles only, logged in the ledger."""
    return sources.reveal(app, actor, source_id, data.purpose)
