"""Search across incidents and persons, in any script.

An incident is found by its own words and by any spelling of its victims' names: the
persons whose name keys match every searched name lead to the incidents they are victims in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.domain import names
from svidok.storage.models import Act, Incident, Person, Place, Victim

from . import incident_queries, persons

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Matches counted up to this many of each kind; more are reported as "at least CAP".
CAP = 1000


def everything(app: Svidok, actor: Actor, q: str, limit: int = 20) -> dict:
    """Incidents (newest date first) and persons matching ``q``, with how many of each matched.

    Each incident says whether its own text matched and which of its victims did. Matches are
    gathered up to CAP of each way (newest records first), then ordered by date: with more
    than CAP matches the page is the latest-dated among the newest-recorded ones."""
    keys = list(dict.fromkeys(names.search_keys(q)))
    if not keys:
        raise ValidationFailed(FieldError("q", M_("nothing to search for")))
    with app.db.session() as s:
        person_ids = persons.matching_ids(s, actor, keys, CAP + 1)
        visible = access.visibility_clause(Incident, actor)
        by_text = set(s.scalars(select(Incident.id).where(visible, incident_queries.text_match(s, q))
                                .order_by(Incident.id.desc()).limit(CAP + 1)))
        victims: dict[int, set[int]] = {}
        if person_ids:
            # Two steps, not one join: joined, SQLite (without statistics) starts from the
            # incidents its visibility clause allows (nearly all) and took seconds at 1 M.
            pairs = s.execute(
                select(Act.incident_id, Victim.person_id).join(Act, Act.id == Victim.act_id)
                .where(Victim.person_id.in_(person_ids), Act.deleted_at.is_(None))).all()
            seen = set(s.scalars(select(Incident.id).where(Incident.id.in_({i for i, _ in pairs}), visible))) \
                if pairs else set()
            for inc_id, pid in pairs:
                if inc_id in seen and (inc_id in victims or len(victims) <= CAP):
                    victims.setdefault(inc_id, set()).add(pid)
        ids = by_text | set(victims)
        rows = s.execute(
            select(Incident.id, Incident.title, Incident.title_i18n, Incident.date_start, Incident.date_end,
                   Incident.place_id, Incident.lat, Incident.lon, Incident.verification_status, Incident.confidentiality)
            .where(Incident.id.in_(ids)).order_by(Incident.date_lo.desc(), Incident.id.desc()).limit(limit)
        ).all() if ids else []
        place_ids = {r.place_id for r in rows if r.place_id}
        place_names = {p.id: (p.name_en, p.name_uk) for p in s.execute(
            select(Place.id, Place.name_en, Place.name_uk).where(Place.id.in_(place_ids)))} if place_ids else {}
        named = {p.id: p.full_name for p in s.execute(select(Person.id, Person.full_name).where(
            Person.id.in_({pid for r in rows for pid in victims.get(r.id, ())})))} if victims else {}
        incidents = [
            {"id": r.id, "title": r.title, "title_i18n": r.title_i18n, "date_start": r.date_start, "date_end": r.date_end,
             "place_id": r.place_id, "place": place_names.get(r.place_id, (None, None))[0],
             "lat": r.lat, "lon": r.lon, "verification_status": r.verification_status,
             "confidentiality": r.confidentiality,
             "place_en": place_names.get(r.place_id, (None, None))[0],
             "place_uk": place_names.get(r.place_id, (None, None))[1],
             "text_matched": r.id in by_text,
             "victims": sorted(named[pid] for pid in victims.get(r.id, ()) if pid in named)}
            for r in rows
        ]
        found_persons = persons.rows_of(s, person_ids[:limit])
    return {
        "incidents": incidents, "incident_count": min(len(ids), CAP), "incidents_more": len(ids) > CAP,
        "persons": found_persons, "person_count": min(len(person_ids), CAP), "persons_more": len(person_ids) > CAP,
    }
