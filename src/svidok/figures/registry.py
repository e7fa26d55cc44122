"""The registry of named figure queries a brief is made of, and how one is run.

Every query takes the session, the actor and keyword arguments (filter fields and query
parameters), honours need-to-know and returns a :class:`Result`: the value, how many records
it rests on, and which table it reads. Queries register themselves with :func:`query`;
:mod:`svidok.figures.queries` imports every module that registers some.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.storage.models import CustodyEpisode, Displacement, HazardArea, Incident, Intervention

if TYPE_CHECKING:
    from svidok.app import Svidok


class QueryError(ValueError):
    """A query was asked for with arguments it cannot take (the engine adds the template line)."""


@dataclass
class Result:
    kind: str  # number | breakdown | points | rows | comparison | estimate
    value: Any
    records: int  # how many records (incidents, episodes, …) the figure rests on
    entity: str  # the table the records are in, for the data date and the annex
    unit: str
    #: For record listings: confidentiality of each listed record (the public edition checks it).
    levels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    name: str
    entity: str
    description: str
    args: frozenset[str]
    fn: Callable[..., Result]


REGISTRY: dict[str, Query] = {}


def query(name: str, entity: str, args: set[str] | frozenset[str]):
    def deco(fn: Callable[..., Result]) -> Callable[..., Result]:
        REGISTRY[name] = Query(name, entity, (fn.__doc__ or "").strip().splitlines()[0], frozenset(args), fn)
        return fn
    return deco


def run(app: Svidok, session: Session, actor: Actor, name: str, **kwargs: Any) -> Result:
    """Run a registered query; unknown names or arguments raise :class:`QueryError`."""
    q = REGISTRY.get(name)
    if q is None:
        raise QueryError(f"unknown query {name!r} (known: {', '.join(sorted(REGISTRY))})")
    unknown = set(kwargs) - q.args
    if unknown:
        raise QueryError(f"query {name!r} takes no argument {', '.join(sorted(map(repr, unknown)))} "
                         f"(it takes: {', '.join(sorted(q.args))})")
    # One rendering asks the same question several times (a chart and its table, a total and
    # its breakdown): answer each once per session.
    memo = session.info.setdefault("svidok_report_memo", {})
    key = (name, actor.username, repr(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))
    if key not in memo:
        memo[key] = q.fn(app, session, actor, **kwargs)
    return memo[key]



def data_as_of(s: Session, entity: str, actor: Actor) -> Any:
    """When the records behind a figure, as the actor may see them, last changed (latest ``updated_at``):
    a record the actor may not see does not move it (it would betray that one was added)."""
    model = {"incident": Incident, "custody_episode": CustodyEpisode, "displacement": Displacement,
             "hazard_area": HazardArea, "intervention": Intervention}[entity]
    return s.scalar(select(func.max(model.updated_at)).where(access.visibility_clause(model, actor)))


