"""/api/v1/{organisations,cases,custody-episodes,displacements,hazard-areas,interventions}"""

from fastapi import APIRouter, Query
from pydantic import Field, create_model

from svidok.http.deps import ActorDep, AppDep, CursorId, PathId
from svidok.schemas import others
from svidok.schemas.records import DeleteIn
from svidok.services import records

router = APIRouter()

PATHS = {
    "organisations": ("organisation", others.OrganisationIn),
    "cases": ("case", others.CaseIn),
    "custody-episodes": ("custody_episode", others.CustodyEpisodeIn),
    "displacements": ("displacement", others.DisplacementIn),
    "hazard-areas": ("hazard_area", others.HazardAreaIn),
    "interventions": ("intervention", others.InterventionIn),
}


def _register(path: str, entity: str, schema: type) -> None:
    update_schema = create_model(f"{schema.__name__[:-2]}Update", __base__=schema,
                                 version=(int, Field(ge=1, description="the version you read; a stale one is refused")))

    def list_(cursor: CursorId = None, limit: int = Query(50, ge=1, le=500),
              person_id: PathId | None = Query(None, ge=1),
              *, app: AppDep, actor: ActorDep) -> dict:
        items, nxt = records.listing(app, actor, entity, cursor, limit, person_id)
        return {"items": items, "next_cursor": str(nxt) if nxt else None}

    def create(data: schema, app: AppDep, actor: ActorDep) -> dict:  # type: ignore[valid-type]
        return records.create(app, actor, entity, data)

    def get(ident: PathId, app: AppDep, actor: ActorDep) -> dict:
        return records.get(app, actor, entity, ident)

    def update(ident: PathId, data: update_schema, app: AppDep, actor: ActorDep) -> dict:  # type: ignore[valid-type]
        payload = schema(**data.model_dump(exclude={"version"}))
        return records.update(app, actor, entity, ident, payload, data.version)

    def withdraw(ident: PathId, data: DeleteIn, app: AppDep, actor: ActorDep) -> None:
        records.remove(app, actor, entity, ident, data.reason)

    tag = [path]
    router.add_api_route(f"/{path}", list_, methods=["GET"], tags=tag, name=f"list_{entity}")
    router.add_api_route(f"/{path}", create, methods=["POST"], status_code=201, tags=tag, name=f"create_{entity}")
    router.add_api_route(f"/{path}/{{ident}}", get, methods=["GET"], tags=tag, name=f"get_{entity}")
    router.add_api_route(f"/{path}/{{ident}}", update, methods=["PUT"], tags=tag, name=f"update_{entity}")
    router.add_api_route(f"/{path}/{{ident}}/withdraw", withdraw, methods=["POST"], status_code=204, tags=tag,
                         name=f"withdraw_{entity}")


for _path, (_entity, _schema) in PATHS.items():
    _register(_path, _entity, _schema)
