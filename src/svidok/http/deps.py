"""Request dependencies: the application object and the actor behind the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request

from svidok.app import Svidok
from svidok.core.actors import Actor
from svidok.schemas.common import MAX_ID
from svidok.services import accounts


def get_app(request: Request) -> Svidok:
    return request.app.state.svidok


def current_actor(request: Request) -> Actor:
    """From ``Authorization: Bearer <token>``, or the signed-in web session."""
    app: Svidok = request.app.state.svidok
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        actor = accounts.actor_for_token(app, auth[7:].strip())
        if actor is None:
            raise HTTPException(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        return actor
    session_actor = getattr(request.state, "actor", None)
    if session_actor is not None:
        return session_actor
    raise HTTPException(401, "sign in or send an API token", headers={"WWW-Authenticate": "Bearer"})


#: A record id in a path, and a numeric cursor in a query: bounded like ids are.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
CursorId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


#: The application and the actor as typed parameters: ``def route(…, *, app: AppDep, actor: ActorDep)``.
AppDep = Annotated[Svidok, Depends(get_app)]
ActorDep = Annotated[Actor, Depends(current_actor)]
