"""The map: incidents and hazard areas over the oblast boundaries, occupied areas shaded.

Everything is served from this server (Leaflet from xstatic-leaflet, boundaries from
``svidok/data/boundaries``); a tile layer is added only when ``settings.tile_url`` is set.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from svidok.core.errors import ValidationFailed
from svidok.figures import dashboard
from svidok.services import incident_queries, records

from .. import i18n
from ..deps import SignedIn
from ..render import render
from .common import call, errors_by_field
from .incidents import read_filter

router = APIRouter()
BOUNDARIES = Path(__file__).resolve().parents[2] / "data" / "boundaries"
MAP_LIMIT = 2000


@cache
def _boundaries() -> dict:
    features = []
    for path in sorted(BOUNDARIES.glob("*.geojson")):
        features.extend(json.loads(path.read_text(encoding="utf-8")).get("features", []))
    return {"type": "FeatureCollection", "features": features}


@router.get("/map")
async def map_page(request: Request, actor: SignedIn):
    _f, raw, errors = read_filter(request)
    return render(request, "map.html", filters=raw, errors=errors,
                  families=sorted(request.app.state.svidok.vocab.families()))


@router.get("/map/boundaries.geojson")
async def boundaries(request: Request, actor: SignedIn):
    occupied = await call(dashboard.occupied_units, request.app.state.svidok)
    data = _boundaries()
    features = [{**f, "properties": {**f.get("properties", {}),
                                     "occupied": occupied.get(f.get("properties", {}).get("code"))}}
                for f in data["features"]]
    return JSONResponse({"type": "FeatureCollection", "features": features},
                        headers={"Cache-Control": "private, max-age=3600"})


@router.get("/map/incidents.geojson")
async def incident_points(request: Request, actor: SignedIn):
    """The newest matching incidents that have coordinates (at most MAP_LIMIT)."""
    f, _raw, errors = read_filter(request)
    if errors:
        return JSONResponse({"errors": errors}, status_code=422)
    try:
        page = await call(incident_queries.map_points, request.app.state.svidok, actor, f, MAP_LIMIT)
    except ValidationFailed as exc:
        return JSONResponse({"errors": errors_by_field(exc)}, status_code=422)
    lang = i18n.current.get()  # titles and place names in the interface's language
    uk = lang == "uk"
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [i["lon"], i["lat"]]},
         "properties": {"id": i["id"], "title": ((i["title_i18n"] or {}).get(lang) or i["title"]),
                        "date": i["date_start"],
                        "place": (i["place_uk"] if uk else None) or i["place"]}}
        for i in page["items"]
    ]
    return JSONResponse({"type": "FeatureCollection", "features": features, "truncated": page["truncated"]},
                        headers={"Cache-Control": "no-store"})


@router.get("/map/hazards.geojson")
async def hazard_areas(request: Request, actor: SignedIn):
    items, _next = await call(records.listing, request.app.state.svidok, actor, "hazard_area", None, MAP_LIMIT)
    features = [
        {"type": "Feature", "geometry": h["geometry"] or {"type": "Point", "coordinates": [h["lon"], h["lat"]]},
         "properties": {"id": h["id"], "name": h["name"], "status": h["status"], "contamination": h["contamination"]}}
        for h in items
    ]
    return JSONResponse({"type": "FeatureCollection", "features": features}, headers={"Cache-Control": "no-store"})
