"""Exports of a filtered selection of incidents: CSV with HXL hashtags, GeoJSON, JSON Lines.

The selection is an :class:`IncidentFilter` applied with need-to-know (the same
conditions as the incident list), read in id order, a chunk at a time, so memory stays
flat whatever the size. Exports carry no names of persons, no source identities and no
protected fields, and never a strictly confidential incident (a file outlives its reader's
clearance); the formats made for sharing (hxl, geojson, acled) round coordinates to
0.01° (about 1 km). Each export is noted in the ledger (format, filter, count).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.core.messages import M_
from svidok.domain import people
from svidok.schemas.filters import IncidentFilter
from svidok.storage.models import Act, Incident, Perpetrator, Place, Victim

from . import incident_queries, ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

CHUNK = 2000
#: Levels an export file may hold: never strictly confidential, whoever runs it.
EXPORT_LEVELS = ("public", "restricted", "confidential")
#: Formats meant for sharing outside the organisation: exact points are rounded.
SHARED_FORMATS = ("hxl", "geojson", "acled")
COORDINATE_DECIMALS = 2
#: Column -> HXL hashtag (the Humanitarian Exchange Language), in CSV order.
HXL_COLUMNS = {
    "id": "#event+id", "title": "#event+name", "date_start": "#date+start", "date_end": "#date+end",
    "oblast": "#adm1+name", "oblast_code": "#adm1+code", "place": "#loc+name", "place_code": "#loc+code",
    "lat": "#geo+lat", "lon": "#geo+lon", "violation_types": "#event+type", "means": "#event+means",
    "killed": "#affected+killed", "injured": "#affected+injured", "victims": "#affected+total",
    "children": "#affected+children", "older_persons": "#affected+elderly",
    "verification_status": "#status+verification",
}


class PlaceIndex:
    """All places in memory (a few thousand): name, code, level and the oblast each lies in."""

    def __init__(self, session):
        rows = session.execute(select(Place.id, Place.code, Place.name_en, Place.name_uk, Place.level,
                                      Place.path, Place.lat, Place.lon)).all()
        self.by_id = {r.id: r for r in rows}

    def get(self, place_id: int | None):
        return self.by_id.get(place_id) if place_id else None

    def ancestor(self, place_id: int | None, level: str):
        p = self.get(place_id)
        if p is None:
            return None
        for pid in p.path.strip("/").split("/"):
            a = self.by_id.get(int(pid))
            if a is not None and a.level == level:
                return a
        return None


def incidents(app: Svidok, actor: Actor, f: IncidentFilter, with_acts: bool = True,
              levels: tuple[str, ...] | None = None, places: PlaceIndex | None = None) -> Iterator[dict]:
    """The visible incidents matching ``f`` (and of these confidentiality ``levels``), oldest id first."""
    after = 0
    with app.db.session() as s:
        incident_queries.check_filter(app, s, f)
        places = places or PlaceIndex(s)
        conds = incident_queries.conditions(app, s, actor, f)
        if levels is not None:
            conds.append(Incident.confidentiality.in_(levels))
        while True:
            chunk = s.scalars(select(Incident).where(*conds, Incident.id > after).order_by(Incident.id).limit(CHUNK)).all()
            if not chunk:
                return
            after = chunk[-1].id
            ids = [i.id for i in chunk]
            acts: dict[int, list] = {}
            for a in s.scalars(select(Act).where(Act.incident_id.in_(ids), Act.deleted_at.is_(None)).order_by(Act.id)):
                acts.setdefault(a.incident_id, []).append(a)
            victims: dict[int, list] = {}
            perps: dict[int, list[str]] = {}
            act_ids = [a.id for lst in acts.values() for a in lst]
            if act_ids:
                for v in s.scalars(select(Victim).where(Victim.act_id.in_(act_ids)).order_by(Victim.id)):
                    victims.setdefault(v.act_id, []).append(v)
                for act_id, desc in s.execute(select(Perpetrator.act_id, Perpetrator.description)
                                              .where(Perpetrator.act_id.in_(act_ids)).order_by(Perpetrator.id)):
                    if desc:
                        perps.setdefault(act_id, []).append(desc)
            for inc in chunk:
                row = _row(inc, acts.get(inc.id, []), victims, places, with_acts)
                row["perpetrators"] = list(dict.fromkeys(d for a in acts.get(inc.id, []) for d in perps.get(a.id, [])))
                yield row
            s.expunge_all()


def _row(inc: Incident, acts: list, victims: dict, places: PlaceIndex, with_acts: bool) -> dict:
    place, oblast = places.get(inc.place_id), places.ancestor(inc.place_id, "oblast")
    all_v = [v for a in acts for v in victims.get(a.id, [])]
    row = {
        "id": inc.id, "title": inc.title, "date_start": inc.date_start, "date_end": inc.date_end,
        "date_lo": inc.date_lo.isoformat(), "date_hi": inc.date_hi.isoformat(),
        "oblast": oblast.name_en if oblast else None, "oblast_code": oblast.code if oblast else None,
        "place": place.name_en if place else None, "place_code": place.code if place else None,
        "lat": inc.lat, "lon": inc.lon, "location_precision": inc.location_precision,
        "violation_types": sorted({a.violation_type for a in acts}),
        "means": sorted({a.means for a in acts if a.means}),
        "killed": sum(v.count for v in all_v if v.harm == "killed"),
        "injured": sum(v.count for v in all_v if v.harm == "injured"),
        "victims": sum(v.count for v in all_v),
        "children": sum(v.count for v in all_v if "|child|" in v.characteristics),
        "older_persons": sum(v.count for v in all_v if "|older_person|" in v.characteristics),
        "verification_status": inc.verification_status, "confidentiality": inc.confidentiality,
        "narrative": inc.narrative,
    }
    if with_acts:
        row["acts"] = [{
            "violation_type": a.violation_type, "means": a.means, "date_start": a.date_start,
            "description": a.description,
            "victims": [{"id": v.id, "count": v.count, "harm": v.harm, "status": v.status, "sex": v.sex, "age": v.age,
                         "age_band": v.age_band, "characteristics": people.unpack(v.characteristics),
                         "named_person": v.person_id is not None} for v in victims.get(a.id, [])],
        } for a in acts]
    return row


def _cell(value: object) -> object:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return "" if value is None else value


def write_hxl_csv(rows: Iterator[dict], out: IO[str]) -> int:
    """CSV with a second row of HXL hashtags (tools such as HDX read the tags, not the names)."""
    w = csv.writer(out, lineterminator="\n")
    cols = list(HXL_COLUMNS)
    w.writerow(cols)
    w.writerow([HXL_COLUMNS[c] for c in cols])
    n = 0
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in cols])
        n += 1
    return n


def write_geojson(rows: Iterator[dict], out: IO[str]) -> int:
    """A FeatureCollection (RFC 7946, lon/lat order); incidents without a point have geometry null."""
    out.write('{"type":"FeatureCollection","features":[\n')
    n = 0
    for r in rows:
        props = {k: v for k, v in r.items() if k not in ("lat", "lon", "acts")}
        geom = {"type": "Point", "coordinates": [r["lon"], r["lat"]]} if r.get("lat") is not None else None
        out.write(("," if n else "") + json.dumps({"type": "Feature", "id": r["id"], "geometry": geom,
                                                   "properties": props}, ensure_ascii=False) + "\n")
        n += 1
    out.write("]}\n")
    return n


def write_jsonl(rows: Iterator[dict], out: IO[str]) -> int:
    n = 0
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def _rounded(rows: Iterator[dict]) -> Iterator[dict]:
    for r in rows:
        if r.get("lat") is not None and r.get("lon") is not None:
            r["lat"], r["lon"] = round(r["lat"], COORDINATE_DECIMALS), round(r["lon"], COORDINATE_DECIMALS)
            if r.get("location_precision") in (None, "exact"):
                r["location_precision"] = "approximate"
        yield r


def export(app: Svidok, actor: Actor, f: IncidentFilter, fmt: str, out: IO[str]) -> int:
    """Write the selection in ``fmt`` (hxl, geojson, jsonl, acled); returns incidents written."""
    def rows(with_acts: bool) -> Iterator[dict]:
        selected = incidents(app, actor, f, with_acts=with_acts, levels=EXPORT_LEVELS)
        return _rounded(selected) if fmt in SHARED_FORMATS else selected

    if fmt == "acled":
        from svidok.interop import acled

        n = acled.write(app, rows(True), out)
    else:
        writer = {"hxl": write_hxl_csv, "geojson": write_geojson, "jsonl": write_jsonl}.get(fmt)
        if writer is None:
            from svidok.core.errors import FieldError, ValidationFailed

            raise ValidationFailed(FieldError("format", M_("unknown format %(fmt)r (hxl, geojson, jsonl, acled)", fmt=fmt)))
        n = writer(rows(fmt == "jsonl"), out)
    with app.db.session() as s:
        ledger.append(s, actor.username, "export.data", "incidents", fmt,
                      {"format": fmt, "filter": f.model_dump(exclude_none=True), "count": n})
    return n
