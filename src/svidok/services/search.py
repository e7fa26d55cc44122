"""Search across incidents and persons, in any script."""

from __future__ import annotations

from typing import TYPE_CHECKING

from svidok.core.actors import Actor
from svidok.schemas.filters import IncidentFilter

from . import incident_queries, persons

if TYPE_CHECKING:
    from svidok.app import Svidok


def everything(app: Svidok, actor: Actor, q: str, limit: int = 20) -> dict:
    return {
        "incidents": incident_queries.listing(app, actor, IncidentFilter(q=q), None, limit)["items"],
        "persons": persons.search(app, actor, q, limit),
    }
