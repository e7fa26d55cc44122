"""/api/v1/custody (derived status, monitoring view, dashboard counts) and /api/v1/displacement/summary"""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, FastAPI, Query

from svidok.figures import displacement as displacement_stats
from svidok.http.deps import ActorDep, AppDep, PathId
from svidok.services import custody

router = APIRouter(prefix="/api/v1", tags=["custody"])


@router.get("/custody/monitor")
def monitor(
    days: int | None = Query(None, ge=0, le=36500, description="no proof of life for more than N days"),
    incommunicado: bool = Query(False, description="held incommunicado"),
    no_monitor_access: bool = Query(False, description="no known access by independent monitors (e.g. the ICRC)"),
    in_russia: bool = Query(False, description="held in the Russian Federation (transferred out of Ukraine)"),
    in_occupied: bool = Query(False, description="held in territory occupied on the detention date"),
    disappeared: bool = Query(False, description="possible enforced disappearance"),
    mark: Literal["child", "older_person"] | None = Query(None),
    today: date | None = Query(None, description="count days up to this date (default: today)"),
    limit: int = Query(50, ge=1, le=1000), cursor: str | None = Query(None, max_length=40),
    *, app: AppDep, actor: ActorDep,
) -> dict:
    """People deprived of liberty now, longest without a sign of life first; filters combine."""
    return custody.monitor(app, actor, days=days, incommunicado=incommunicado, no_monitor_access=no_monitor_access,
                           in_russia=in_russia, in_occupied=in_occupied, disappeared=disappeared, mark=mark,
                           today=today, limit=limit, after=cursor)


@router.get("/custody/counts")
def counts(app: AppDep, actor: ActorDep) -> dict:
    """Open custody episodes, possible enforced disappearances, people held in Russia."""
    return custody.status_counts(app, actor)


@router.get("/persons/{person_id}/custody-status")
def person_status(person_id: PathId, today: date | None = Query(None),
                  *, app: AppDep, actor: ActorDep) -> dict:
    """The person's status derived from custody episodes (never typed by hand), with the facts."""
    return custody.person_status(app, actor, person_id, today)


@router.get("/displacement/summary", tags=["displacements"])
def displacement_summary(date_from: str | None = Query(None, max_length=20), date_to: str | None = Query(None, max_length=20),
                         *, app: AppDep, actor: ActorDep) -> dict:
    """Refugees by host country and protection status; deportations and forcible transfers; kinds by year."""
    return displacement_stats.summary(app, actor, date_from, date_to)


def install(api: FastAPI, core) -> None:
    api.include_router(router)
