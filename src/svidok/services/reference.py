"""Read-only reference data: places and vocabularies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from svidok.core.errors import NotFound
from svidok.core.messages import M_
from svidok.storage.models import Place

from . import places

if TYPE_CHECKING:
    from svidok.app import Svidok


def place_dict(s, p: Place) -> dict:
    return {"id": p.id, "code": p.code, "level": p.level, "country": p.country, "name_en": p.name_en,
            "name_uk": p.name_uk, "lat": p.lat, "lon": p.lon, "parent_id": p.parent_id}


def find_places(app: Svidok, q: str, limit: int = 20) -> list[dict]:
    with app.db.session() as s:
        return [place_dict(s, p) for p in places.search(s, q, limit)]


def place(app: Svidok, place_id: int) -> dict:
    from datetime import date

    with app.db.session() as s:
        p = places.get(s, place_id)
        out = place_dict(s, p)
        out["ancestors"] = [place_dict(s, a) for a in places.ancestors(s, p)[:-1]]
        occ = places.occupation_status(s, p, date.today())
        out["occupation_today"] = {"status": occ.status, "since": occ.since.isoformat()} if occ else None
        return out


def vocabulary(app: Svidok, name: str) -> dict:
    if name not in app.vocab:
        raise NotFound(M_("no vocabulary named %(name)r", name=name))
    v = app.vocab[name]
    return {
        "name": v.name, "version": v.version, "description": v.description,
        "terms": [{"code": t.code, **t.labels, **t.extra} for t in v.terms.values()],
    }
