"""Figures for the dashboard: incidents by violation family, by month and by oblast.

Every count goes through ``access.visibility_clause``: a figure never includes a record
the reader may not see. Counting a million incidents takes seconds, so figures are
computed per clearance (role and case grants) and kept in the shared figure cache
(``services.figure_cache``: the database or Redis), which every web process reads: one
process computes, the others show the same figures. An entry is out of date when the
records changed since (the ledger's head moved, in any process) or after ``cached.CACHE_SECONDS``;
``current`` then recomputes at once a figure that took under ``cached.SYNC_SECONDS``, and a
slower one in the background thread of ``figures.cached`` while the previous figures are shown
(marked ``stale``, with when they were computed). ``current`` never makes a page wait longer
than ``wait`` seconds.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, extract, func, or_, select

from svidok.core import access
from svidok.core.actors import Actor
from svidok.services import figure_cache
from svidok.storage.models import Act, Incident, Place, PlaceOccupation

from . import cached
from .incident_figures import not_a_known_copy

if TYPE_CHECKING:
    from svidok.app import Svidok

NAME = "dashboard"


def summary(app: Svidok, actor: Actor, fresh: bool = False) -> dict:
    """{"total", "by_family": [[family, n]], "by_month": [["2022-03", n]], "month_imprecise",
    "by_oblast": [[place_id, name_en, name_uk, n]], "no_place", "computed_at"}, from the shared
    cache when it is up to date (``fresh``: computed now)."""
    return cached.computed(app, actor, NAME, lambda: _compute(app, actor), fresh=fresh)


def current(app: Svidok, actor: Actor, wait: float = 1.0) -> dict | None:
    """:func:`summary` without holding a page for more than ``wait`` s (``cached.current``: recomputed
    at once if that is quick, in the background if not, the previous figures marked ``stale``);
    None while a first computation runs."""
    return cached.current(app, actor, NAME, lambda: _compute(app, actor), wait=wait)


def forget(app=None) -> None:
    """Drop cached figures for every process (after a restore, or in tests); no app: nothing shared."""
    if app is not None:
        figure_cache.clear(app)


def _compute(app: Svidok, actor: Actor) -> dict:
    families = app.vocab.families()
    family_of = case(
        *[(Act.violation_type.in_(codes), fam) for fam, codes in families.items()], else_="other"
    ) if families else "other"
    # A report merged into another (the same incident) is counted with that one only.
    visible = and_(access.visibility_clause(Incident, actor), Incident.merged_into_id.is_(None))
    with app.db.session() as s:
        # Linked copies of one incident known to two organisations count once (exchange packages).
        total = s.scalar(select(func.count()).select_from(Incident).where(visible, not_a_known_copy())) or 0
        fam_rows = s.execute(
            select(family_of.label("family"), func.count(func.distinct(Act.incident_id)))
            .join(Incident, Incident.id == Act.incident_id)
            .where(visible, Act.deleted_at.is_(None))
            .group_by("family")
        ).all()
        y0, m0 = extract("year", Incident.date_lo), extract("month", Incident.date_lo)
        y1, m1 = extract("year", Incident.date_hi), extract("month", Incident.date_hi)
        month_rows = s.execute(select(y0, m0, y1, m1, func.count()).where(visible).group_by(y0, m0, y1, m1)).all()
        place_rows = s.execute(select(Incident.place_id, func.count()).where(visible).group_by(Incident.place_id)).all()
        oblasts = {p.id: p for p in s.scalars(select(Place).where(Place.level == "oblast"))}
        paths = dict(s.execute(select(Place.id, Place.path).where(
            Place.id.in_([pid for pid, _ in place_rows if pid is not None]))).all()) if place_rows else {}
    by_month: dict[str, int] = {}
    imprecise = 0
    for ya, ma, yb, mb, n in month_rows:
        if (ya, ma) == (yb, mb):
            k = f"{int(ya):04d}-{int(ma):02d}"
            by_month[k] = by_month.get(k, 0) + n
        else:
            imprecise += n
    by_oblast: dict[int, int] = {}
    no_place = 0
    for pid, n in place_rows:
        oblast_id = next((int(x) for x in (paths.get(pid) or "").strip("/").split("/") if x and int(x) in oblasts), None)
        if oblast_id is None:
            no_place += n
        else:
            by_oblast[oblast_id] = by_oblast.get(oblast_id, 0) + n
    return {
        "total": total,
        "by_family": sorted(([f, n] for f, n in fam_rows), key=lambda r: -r[1]),
        "by_month": [list(kv) for kv in sorted(by_month.items())],
        "month_imprecise": imprecise,
        "by_oblast": sorted(([o, oblasts[o].name_en, oblasts[o].name_uk, n] for o, n in by_oblast.items()),
                            key=lambda r: -r[3]),
        "no_place": no_place,
    }


def occupied_units(app: Svidok, on: date | None = None) -> dict[str, str]:
    """Oblast code -> "occupied" (the whole unit) or "partly" (a place inside it), on a day."""
    on = on or date.today()
    with app.db.session() as s:
        rows = s.execute(
            select(Place.path, Place.level, PlaceOccupation.place_id)
            .join(Place, Place.id == PlaceOccupation.place_id)
            .where(PlaceOccupation.status == "occupied", PlaceOccupation.since <= on,
                   or_(PlaceOccupation.until.is_(None), PlaceOccupation.until >= on))
        ).all()
        oblasts = dict(s.execute(select(Place.id, Place.code).where(Place.level == "oblast")).all())
    out: dict[str, str] = {}
    for path, _level, place_id in rows:
        for part in path.strip("/").split("/"):
            if part and int(part) in oblasts:
                code = oblasts[int(part)]
                whole = int(part) == place_id
                out[code] = "occupied" if whole or out.get(code) == "occupied" else "partly"
    return out

