"""The gazetteer: loading it, resolving places, descendants and occupation status."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from svidok.core.errors import FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.domain import dates
from svidok.storage.models import Place, PlaceOccupation

from . import place_search

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"


def load_gazetteer(session: Session, folder: Path | None = None) -> int:
    """Insert the shipped places (parents first) if the table is empty; returns places added."""
    if session.scalar(select(func.count()).select_from(Place)):
        return 0
    folder = folder or GAZETTEER_DIR
    with (folder / "places.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_code: dict[str, Place] = {}
    pending = rows
    next_id = 1
    while pending:
        progressed, later = False, []
        for row in pending:
            parent = by_code.get(row["parent_code"]) if row.get("parent_code") else None
            if row.get("parent_code") and parent is None:
                later.append(row)
                continue
            place = Place(
                id=next_id,
                code=row["code"],
                parent_id=parent.id if parent else None,
                level=row["level"],
                country=row.get("country") or "UA",
                name_uk=row["name_uk"],
                name_en=row["name_en"],
                lat=float(row["lat"]) if row.get("lat") else None,
                lon=float(row["lon"]) if row.get("lon") else None,
                path=f"{parent.path if parent else '/'}{next_id}/",
            )
            next_id += 1
            by_code[place.code] = place
            progressed = True
        if not progressed:
            missing = sorted({r["parent_code"] for r in later})[:5]
            raise ValueError(f"gazetteer: parent codes not found: {missing}")
        pending = later
    session.add_all(by_code.values())
    session.flush()
    occ = folder / "occupation.csv"
    if occ.exists():
        with occ.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                place = by_code.get(row["code"])
                if place is None:
                    raise ValueError(f"occupation.csv: unknown place code {row['code']!r}")
                session.add(
                    PlaceOccupation(
                        place_id=place.id,
                        status=row["status"],
                        since=dates.parse(row["since"]).lo,
                        until=dates.parse(row["until"]).hi if row.get("until") else None,
                        note=row.get("note") or None,
                    )
                )
    return len(by_code)


def resolve(session: Session, ref: str | int | None, field: str = "place") -> Place | None:
    """A place by id, code or exact name (English or Ukrainian); ValidationFailed if unknown."""
    if ref is None or ref == "":
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        # an id beyond a 64-bit integer names no place (and would overflow the driver)
        place = session.get(Place, int(ref)) if 0 < int(ref) < 2**63 else None
    else:
        place = session.scalar(select(Place).where(Place.code == ref)) or session.scalar(
            select(Place)
            .where(or_(func.lower(Place.name_en) == ref.lower(), Place.name_uk == ref))
            .order_by(Place.level)
            .limit(1)
        )
    if place is None:
        raise ValidationFailed(FieldError(field, M_("unknown place %(ref)r", ref=ref)))
    return place


def descendants_clause(session: Session, place_column, ref: str | int):
    """``place_column`` is the place or anything inside it."""
    place = resolve(session, ref)
    assert place is not None
    inside = select(Place.id).where(Place.path.startswith(place.path))
    return place_column.in_(inside)


def get(session: Session, place_id: int) -> Place:
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(M_("place %(place_id)s not found", place_id=place_id))
    return place


def ancestors(session: Session, place: Place) -> list[Place]:
    ids = [int(p) for p in place.path.strip("/").split("/")]
    found = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def oblast_of(session: Session, place: Place) -> Place | None:
    for p in ancestors(session, place):
        if p.level == "oblast":
            return p
    return None


def occupation_status(session: Session, place: Place, on: date) -> PlaceOccupation | None:
    """The occupation record that covers the place (or a place containing it) on a day."""
    ids = [int(p) for p in place.path.strip("/").split("/")]
    return session.scalar(
        select(PlaceOccupation)
        .where(
            PlaceOccupation.place_id.in_(ids),
            PlaceOccupation.since <= on,
            or_(PlaceOccupation.until.is_(None), PlaceOccupation.until >= on),
        )
        .limit(1)
    )


def search(session: Session, text: str, limit: int = 20) -> list[Place]:
    """Places whose names begin with the typed words, in any script (see :mod:`.place_search`),
    or the place with that KATOTTG code."""
    by_code = session.scalars(select(Place).where(Place.code == text.strip()).limit(1)).first()
    ids = place_search.search_ids(session, text, limit)
    rows = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(ids)))} if ids else {}
    found = [rows[i] for i in ids if i in rows]
    return ([by_code] + [p for p in found if p.id != by_code.id])[:limit] if by_code else found
