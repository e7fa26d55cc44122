"""Where a figure puts a record: oblasts, coordinates and occupation periods from the gazetteer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.storage.models import Place, PlaceOccupation


def oblast_of(s: Session) -> dict[int, tuple[str, str, str]]:
    """place id -> (code, English name, Ukrainian name) of its oblast-level unit."""
    rows = s.execute(select(Place.id, Place.parent_id, Place.level, Place.code, Place.name_en, Place.name_uk)).all()
    by_id = {r.id: r for r in rows}
    out = {}
    for r in rows:
        cur = r
        while cur is not None and cur.level not in ("oblast", "country"):
            cur = by_id.get(cur.parent_id)
        if cur is not None and cur.level == "oblast":
            out[r.id] = (cur.code, cur.name_en, cur.name_uk)
    return out


def place_coordinates(s: Session) -> dict[int, tuple[float, float]]:
    """place id -> (lat, lon) of the place or of the nearest enclosing place with coordinates."""
    rows = {r.id: r for r in s.execute(select(Place.id, Place.parent_id, Place.lat, Place.lon))}
    out: dict[int, tuple[float, float]] = {}
    for pid, r in rows.items():
        cur, hops = r, 0
        while cur is not None and (cur.lat is None or cur.lon is None) and hops < 20:
            cur, hops = rows.get(cur.parent_id), hops + 1
        if cur is not None and cur.lat is not None and cur.lon is not None:
            out[pid] = (cur.lat, cur.lon)
    return out



def occupation_periods(s: Session) -> list[tuple[str, str, date, date | None]]:
    """(place path prefix, status, since, until) of every occupation record."""
    return [(r.path, r.status, r.since, r.until) for r in s.execute(
        select(Place.path, PlaceOccupation.status, PlaceOccupation.since, PlaceOccupation.until)
        .join(Place, Place.id == PlaceOccupation.place_id))]
