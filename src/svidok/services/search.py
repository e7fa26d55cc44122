"""Search across incidents and persons, in any script."""

from __future__ import annotations

from svidok.schemas.filters import IncidentFilter

from . import incident_queries, persons
from svidok.core.actors import Actor


def everything(app, actor: Actor, q: str, limit: int = 20) -> dict:  # noqa: ANN001
    return {
        "incidents": incident_queries.listing(app, actor, IncidentFilter(q=q), None, limit)["items"],
        "persons": persons.search(app, actor, q, limit),
    }
