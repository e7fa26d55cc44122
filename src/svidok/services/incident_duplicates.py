"""Likely duplicate incidents in the database, and the review queue.

``run`` compares every incident that is neither withdrawn nor merged with
:mod:`svidok.linkage.incident_duplicates` and queues the likely pairs; ``on_entry``
does the same for one incident when it is saved, and ``check`` for a draft before it
is saved (the form warns). A reviewer decides "same incident" (a reversible merge,
:mod:`.incident_merges`) or "different" (never queued again); ``undo`` takes a
decision back. Every run and decision is in the ledger.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, Forbidden, ValidationFailed
from svidok.core.messages import M_
from svidok.domain import dates, names
from svidok.linkage.incident_duplicates import LINK_GAP_DAYS, IncidentFacts, find
from svidok.storage.models import (
    Act,
    Incident,
    IncidentDuplicatePair,
    IncidentSource,
    Person,
    Place,
    Victim,
)

from . import incident_merges, ledger, merges, places
from .review_queue import PairKind

if TYPE_CHECKING:
    from svidok.app import Svidok
    from svidok.schemas.records import IncidentIn

DECISIONS = ("pending", "same", "different")
#: Queue pairs at least this likely (even odds) unless told otherwise.
MIN_PROBABILITY = 0.5
#: Half the side of the box searched around a new incident, in degrees (~25 km).
_BOX = 0.25
#: At most this many incidents are compared with a new one.
MAX_NEIGHBOURS = 5000


def _bits(p: float) -> float:
    return math.log2(p / (1 - p))


def _person_roots(s: Session) -> dict[int, int]:
    links = dict(s.execute(select(Person.id, Person.merged_into_id).where(Person.merged_into_id.is_not(None))).all())

    def root(pid: int) -> int:
        seen = 0
        while pid in links and seen < 10_000:
            pid, seen = links[pid], seen + 1
        return pid
    return {pid: root(pid) for pid in links}


def load_facts(s: Session, ids: list[int] | None = None) -> list[IncidentFacts]:
    """The facts of incidents neither withdrawn nor merged (``ids``: only these)."""
    live = and_(Incident.deleted_at.is_(None), Incident.merged_into_id.is_(None))
    if ids is not None:
        live = and_(live, Incident.id.in_(ids))
    rows = s.execute(select(Incident.id, Incident.date_lo, Incident.date_hi, func.coalesce(Incident.lat, Place.lat),
                            func.coalesce(Incident.lon, Place.lon), Incident.place_id, Incident.search_text)
                     .outerjoin(Place, Place.id == Incident.place_id).where(live).order_by(Incident.id)).all()
    wanted = Incident.id.in_(ids) if ids is not None else True
    types, means, persons, counts, sources = (defaultdict(set), defaultdict(set), defaultdict(set),
                                              defaultdict(int), defaultdict(set))
    for iid, vt, mn in s.execute(select(Act.incident_id, Act.violation_type, Act.means)
                                 .join(Incident, Incident.id == Act.incident_id).where(Act.deleted_at.is_(None), wanted)):
        types[iid].add(vt)
        if mn:
            means[iid].add(mn)
    roots = _person_roots(s)
    for iid, pid, n in s.execute(select(Act.incident_id, Victim.person_id, Victim.count).join(Act, Act.id == Victim.act_id)
                                 .join(Incident, Incident.id == Act.incident_id).where(Act.deleted_at.is_(None), wanted)):
        counts[iid] += n or 0
        if pid is not None:
            persons[iid].add(roots.get(pid, pid))
    for iid, sid in s.execute(select(IncidentSource.incident_id, IncidentSource.source_id)
                              .join(Incident, Incident.id == IncidentSource.incident_id).where(wanted)):
        sources[iid].add(sid)
    return [IncidentFacts(id=i, date_lo=lo, date_hi=hi, lat=lat, lon=lon, place_id=pl, types=tuple(types[i]),
                          means=tuple(means[i]), persons=tuple(persons[i]), victims=counts[i],
                          sources=tuple(sources[i]), words=tuple((text or "").split()))
            for i, lo, hi, lat, lon, pl, text in rows]


def _neighbours(s: Session, f: IncidentFacts) -> list[int]:
    """Incidents that could pair with ``f``: near in time and in place, or sharing a victim or source."""
    window = and_(Incident.date_hi >= f.date_lo - timedelta(days=LINK_GAP_DAYS),
                  Incident.date_lo <= f.date_hi + timedelta(days=LINK_GAP_DAYS), Incident.id != f.id)
    near = []
    if f.lat is not None and f.lon is not None:
        near.append(and_(Incident.lat.between(f.lat - _BOX, f.lat + _BOX), Incident.lon.between(f.lon - _BOX, f.lon + _BOX)))
    if f.place_id is not None:
        near.append(Incident.place_id == f.place_id)
    if f.persons:
        near.append(Incident.id.in_(select(Act.incident_id).join(Victim, Victim.act_id == Act.id)
                                    .where(Victim.person_id.in_(f.persons))))
    if f.sources:
        near.append(Incident.id.in_(select(IncidentSource.incident_id).where(IncidentSource.source_id.in_(f.sources))))
    if not near:
        return []
    # A bound on the work of one save: the newest first (a second report is usually entered soon after the first).
    return list(s.scalars(select(Incident.id).where(window, or_(*near), Incident.deleted_at.is_(None),
                                                    Incident.merged_into_id.is_(None))
                          .order_by(Incident.id.desc()).limit(MAX_NEIGHBOURS)))


def draft_facts(s: Session, data: IncidentIn) -> IncidentFacts:
    """Facts of an incident not yet saved (id 0), from what the form or the API sent."""
    start = dates.parse(data.date_start)
    end = dates.parse_optional(data.date_end)
    place = places.resolve(s, data.place) if data.place is not None else None
    lat = data.lat if data.lat is not None else place.lat if place else None
    lon = data.lon if data.lon is not None else place.lon if place else None
    victims = [v for a in data.acts for v in a.victims]
    persons = {merges.root_of(s, v.person_id) for v in victims if v.person_id}
    text = " ".join([data.title, data.narrative or "", *(data.narrative_i18n or {}).values()])
    return IncidentFacts(id=0, date_lo=start.lo, date_hi=(end or start).hi, lat=lat, lon=lon,
                         place_id=place.id if place else None, types=tuple({a.violation_type for a in data.acts}),
                         means=tuple({a.means for a in data.acts if a.means}), persons=tuple(persons),
                         victims=sum(v.count for v in victims), sources=tuple(data.source_ids),
                         words=tuple(dict.fromkeys(names.search_keys(text))))


def _hits(s: Session, actor: Actor, pairs: list[dict], focus: int, min_probability: float) -> list[dict]:
    others = {p["id_r"] if p["id_l"] == focus else p["id_l"]: p for p in pairs if p["probability"] >= min_probability}
    if not others:
        return []
    rows = s.execute(select(Incident.id, Incident.title, Incident.date_start).where(
        Incident.id.in_(others), access.visibility_clause(Incident, actor))).all()
    out = [{"incident_id": i, "title": t, "date_start": d, "probability": others[i]["probability"],
            "reasons": others[i]["reasons"], "measures": others[i]["measures"]} for i, t, d in rows]
    return sorted(out, key=lambda h: (-h["probability"], h["incident_id"]))


def check(app: Svidok, actor: Actor, data: IncidentIn, min_probability: float = MIN_PROBABILITY) -> list[dict]:
    """Incidents the draft is likely to duplicate (only those the actor may see), most likely first."""
    with app.db.session() as s:
        draft = draft_facts(s, data)
        near = _neighbours(s, draft)
        if not near:
            return []
        found = find([draft, *load_facts(s, near)], focus=0, min_bits=_bits(min_probability))
        return _hits(s, actor, found.pairs, 0, min_probability)


def on_entry(s: Session, actor: Actor, incident_id: int, min_probability: float = MIN_PROBABILITY) -> list[dict]:
    """Queue the likely duplicates of an incident just saved (in the caller's transaction);
    returns those the actor may see."""
    (mine,) = load_facts(s, [incident_id]) or (None,)
    if mine is None:
        return []
    near = _neighbours(s, mine)
    if not near:
        return []
    found = find([mine, *load_facts(s, near)], focus=incident_id, min_bits=_bits(min_probability))
    _store(s, found.pairs, "entry", {"new": 0, "updated": 0, "already_decided": 0})
    return _hits(s, actor, found.pairs, incident_id, min_probability)


def _store(s: Session, pairs: list[dict], found_by: str, counts: dict) -> None:
    if not pairs:
        return
    q = select(IncidentDuplicatePair)
    if len(pairs) < 1000:  # a few pairs (an incident just saved): read only their rows
        q = q.where(IncidentDuplicatePair.incident_id_l.in_({p["id_l"] for p in pairs}))
    existing = {(p.incident_id_l, p.incident_id_r): p for p in s.scalars(q)}
    now = datetime.now(UTC)
    for p in pairs:
        evidence = {"measures": p["measures"], "weights": p["weights"], "reasons": p["reasons"], "prior": p["prior"]}
        old = existing.get((p["id_l"], p["id_r"]))
        if old is None:
            s.add(IncidentDuplicatePair(incident_id_l=p["id_l"], incident_id_r=p["id_r"], probability=p["probability"],
                                        bits=p["bits"], evidence=evidence, found_by=found_by, status="pending",
                                        created_at=now, updated_at=now))
            counts["new"] += 1
        elif old.status != "pending":
            counts["already_decided"] += 1
        else:
            old.probability, old.bits, old.evidence, old.updated_at = p["probability"], p["bits"], evidence, now
            counts["updated"] += 1
    s.flush()


def run(app: Svidok, actor: Actor, *, min_probability: float = MIN_PROBABILITY) -> dict:
    """Compare every incident and refresh the queue (administrators: it reads every incident)."""
    if not actor.is_admin:
        raise Forbidden(M_("the duplicate search compares every incident: administrators only"))
    if not 0 < min_probability < 1:
        raise ValidationFailed(FieldError("min_probability", M_("must be strictly between 0 and 1")))
    started = datetime.now(UTC)
    with app.db.session() as s:
        facts = load_facts(s)
        found = find(facts, min_bits=_bits(min_probability))
        counts = {"incidents": len(facts), "compared": found.compared, "likely": len(found.pairs),
                  "new": 0, "updated": 0, "already_decided": 0}
        _store(s, found.pairs, "batch", counts)
        ledger.append(s, actor.username, "incident_duplicates.run", "incident_duplicate_run", None, {
            "min_probability": min_probability, "counts": counts, "started_at": started.isoformat()})
        return counts


# -- the review queue ------------------------------------------------------------------

def _summary(i: Incident) -> dict:
    return {"id": i.id, "title": i.title, "date_start": i.date_start, "date_end": i.date_end,
            "place_id": i.place_id, "lat": i.lat, "lon": i.lon, "merged_into_id": i.merged_into_id}


def _item(p: IncidentDuplicatePair, il: Incident, ir: Incident) -> dict:
    return {"id": p.id, "probability": p.probability, "bits": p.bits, "status": p.status, "found_by": p.found_by,
            "decided_by": p.decided_by, "decided_at": p.decided_at, "note": p.note,
            "left": _summary(il), "right": _summary(ir), "evidence": p.evidence}


PAIRS = PairKind(pair=IncidentDuplicatePair, merges=incident_merges.INCIDENTS, left="incident_id_l",
                 right="incident_id_r", probability="probability", decisions=DECISIONS, same="same",
                 actions={"same": "incident_duplicates.same", "different": "incident_duplicates.different",
                          "undo": "incident_duplicates.undo"},
                 entity="incident_duplicate_pair", logged=("probability",), item=_item, already="decided ({status})")


def queue(app: Svidok, actor: Actor, *, status: str = "pending", limit: int = 50, after: int | None = None) -> dict:
    """Pairs to review, most likely first (``after``: the previous page's ``next_cursor``)."""
    return PAIRS.queue(app, actor, status=status, limit=limit, after=after)


def _side(s: Session, i: Incident) -> dict:
    out = _summary(i)
    out["narrative"] = i.narrative
    names = s.execute(select(Place.name_en, Place.name_uk).where(Place.id == i.place_id)).first() if i.place_id else None
    out["place"], out["place_uk"] = (names[0], names[1]) if names else (None, None)
    out["acts"] = [{"violation_type": a.violation_type, "means": a.means} for a in i.acts if a.deleted_at is None]
    out["victims"] = int(s.scalar(select(func.coalesce(func.sum(Victim.count), 0)).join(Act, Act.id == Victim.act_id)
                                  .where(Act.incident_id == i.id, Act.deleted_at.is_(None))) or 0)
    out["sources"] = len(s.scalars(select(IncidentSource.source_id).where(IncidentSource.incident_id == i.id)).all())
    out["root_id"] = incident_merges.root_of(s, i.id)
    return out


def show(app: Svidok, actor: Actor, pair_id: int) -> dict:
    """Both incidents side by side, the reasons with their weights, and the merges the pair made."""
    with app.db.session() as s:
        pair, il, ir = PAIRS.require(s, actor, pair_id)
        out = _item(pair, il, ir)
        out["left"], out["right"] = _side(s, il), _side(s, ir)
        out["merges"] = PAIRS.merges_of(s, pair)
        return out


def same(app: Svidok, actor: Actor, pair_id: int, note: str | None = None) -> dict:
    """One incident reported twice: the newer is merged into the older (reversible); figures count it once."""
    return PAIRS.decide(app, actor, pair_id, "same", note)


def different(app: Svidok, actor: Actor, pair_id: int, note: str | None = None) -> dict:
    """Two incidents: the pair is never queued again."""
    return PAIRS.decide(app, actor, pair_id, "different", note)


def undo(app: Svidok, actor: Actor, pair_id: int, note: str | None = None) -> dict:
    """Take a decision back: undo its merge (both incidents as they were) and queue the pair again."""
    return PAIRS.undo(app, actor, pair_id, note)


def merge_note(s: Session, incident_id: int) -> dict:
    """For an incident's page: where it was merged, and which reports were merged into it."""
    into = s.scalar(select(Incident.merged_into_id).where(Incident.id == incident_id))
    return {"merged_into_id": into, "root_id": incident_merges.root_of(s, incident_id) if into else incident_id,
            "merged_here": incident_merges.merged_into_this(s, incident_id)}

