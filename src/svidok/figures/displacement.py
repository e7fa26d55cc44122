"""Displacement figures: refugees by host country and protection status, deportations
and forcible transfers out of occupied areas, returns.

Every figure counts people (``group_count`` of each record: 1 for a named person, N
for a counted group) and records, over the records the actor may see.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.domain import dates
from svidok.services import places
from svidok.storage.models import Displacement, Place, PlaceOccupation

if TYPE_CHECKING:
    from svidok.app import Svidok

FORCED_KINDS = ("deported", "forcibly_transferred")


def _period(date_from: str | None, date_to: str | None) -> list:
    cond, errors = [], []
    for name, text, col, edge in (("date_from", date_from, Displacement.date_hi, "lo"),
                                  ("date_to", date_to, Displacement.date_lo, "hi")):
        if not text:
            continue
        try:
            d = getattr(dates.parse(text), edge)
        except dates.DateError as exc:
            errors.append(FieldError(name, str(exc)))
            continue
        cond.append(col >= d if name == "date_from" else col <= d)
    if errors:
        raise ValidationFailed(errors)
    return cond


def _from_occupied(on):
    """The displacement started in a place occupied on that day."""
    region, origin = aliased(Place), aliased(Place)
    return select(PlaceOccupation.id).where(
        origin.id == Displacement.from_place_id, PlaceOccupation.place_id == region.id,
        PlaceOccupation.status == "occupied", origin.path.startswith(region.path, autoescape=False),
        PlaceOccupation.since <= on, or_(PlaceOccupation.until.is_(None), PlaceOccupation.until >= on)).exists()


def by_host_country(app: Svidok, actor: Actor, date_from: str | None = None, date_to: str | None = None) -> list[dict]:
    """Refugees and deportees abroad: people and records per host country and protection status."""
    d = Displacement
    q = (select(d.to_country, d.protection_status, func.sum(d.group_count), func.count())
         .where(access.visibility_clause(d, actor), d.to_country.is_not(None), d.to_country != "UA",
                d.kind != "returned", *_period(date_from, date_to))
         .group_by(d.to_country, d.protection_status).order_by(func.sum(d.group_count).desc(), d.to_country))
    with app.db.session() as s:
        return [{"host_country": c, "protection_status": p or "unknown", "people": int(n or 0), "records": r}
                for c, p, n, r in s.execute(q)]


def forced_transfers(app: Svidok, actor: Actor, date_from: str | None = None, date_to: str | None = None) -> dict:
    """Deportations and forcible transfers, and how many of them left occupied areas,
    by oblast of origin and destination (country, or "UA" inside Ukraine)."""
    d = Displacement
    occupied = _from_occupied(d.date_lo)
    base = [access.visibility_clause(d, actor), d.kind.in_(FORCED_KINDS), *_period(date_from, date_to)]
    each = select(d.from_place_id.label("origin"), func.coalesce(d.to_country, "UA").label("dest"),
                  d.kind.label("kind"), occupied.label("occ"), d.group_count.label("n")).where(*base).subquery()
    q = (select(each.c.origin, each.c.dest, each.c.kind, each.c.occ, func.sum(each.c.n), func.count())
         .group_by(each.c.origin, each.c.dest, each.c.kind, each.c.occ))
    rows: dict[tuple, dict] = {}
    totals = {"people": 0, "records": 0, "people_from_occupied_areas": 0, "people_to_russia": 0}
    with app.db.session() as s:
        oblast_name: dict[int | None, str] = {None: "unknown"}
        for from_id, dest, kind, occ, n, r in s.execute(q):
            if from_id not in oblast_name:
                ob = places.oblast_of(s, places.get(s, from_id))
                oblast_name[from_id] = ob.name_en if ob else "unknown"
            key = (oblast_name[from_id], dest, kind, bool(occ))
            row = rows.setdefault(key, {"origin_oblast": key[0], "destination_country": dest, "kind": kind,
                                        "from_occupied_area": bool(occ), "people": 0, "records": 0})
            row["people"] += int(n or 0)
            row["records"] += r
            totals["people"] += int(n or 0)
            totals["records"] += r
            totals["people_from_occupied_areas"] += int(n or 0) if occ else 0
            totals["people_to_russia"] += int(n or 0) if dest == "RU" else 0
    return {"totals": totals, "rows": sorted(rows.values(), key=lambda x: (-x["people"], x["origin_oblast"]))}


def by_kind_and_year(app: Svidok, actor: Actor) -> list[dict]:
    """People per kind (refugee, internally displaced, deported, returned...) and year."""
    d = Displacement
    year = func.extract("year", d.date_lo) if app.db.dialect == "postgresql" else func.strftime("%Y", d.date_lo)
    q = (select(d.kind, year, func.sum(d.group_count), func.count()).where(access.visibility_clause(d, actor))
         .group_by(d.kind, year).order_by(d.kind, year))
    with app.db.session() as s:
        return [{"kind": k, "year": int(y), "people": int(n or 0), "records": r} for k, y, n, r in s.execute(q)]


def summary(app: Svidok, actor: Actor, date_from: str | None = None, date_to: str | None = None) -> dict:
    """All displacement figures at once (the API's and the CLI's report)."""
    return {"host_countries": by_host_country(app, actor, date_from, date_to),
            "forced_transfers": forced_transfers(app, actor, date_from, date_to),
            "by_kind_and_year": by_kind_and_year(app, actor), "as_of": date.today()}


__all__ = ["FORCED_KINDS", "by_host_country", "by_kind_and_year", "forced_transfers", "summary"]
