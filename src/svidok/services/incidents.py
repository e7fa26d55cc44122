"""Incidents with their acts, victims, perpetrators and legal qualifications."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Conflict, ValidationFailed
from svidok.core.messages import M_
from svidok.core.validation import Checker
from svidok.domain import dates, names, people
from svidok.schemas.records import ActIn, IncidentIn, IncidentUpdate
from svidok.storage.models import (
    Act,
    Case,
    EvidenceItem,
    Incident,
    IncidentSource,
    Organisation,
    Perpetrator,
    Person,
    Place,
    Qualification,
    Source,
    Victim,
)

from . import history, incident_duplicates, persons, places

if TYPE_CHECKING:
    from svidok.app import Svidok

ENTITY = "incident"


def search_text(title: str, narrative: str | None, i18n: dict | None) -> str:
    """Cross-script name keys of everything a reader may search for."""
    parts = [title, narrative or "", *((i18n or {}).values())]
    return " ".join(dict.fromkeys(k for p in parts for k in names.search_keys(p)))


def _check_acts(app: Svidok, c: Checker, acts: list[ActIn]) -> None:
    for i, act in enumerate(acts):
        p = f"acts[{i}]"
        c.term("violation_types", act.violation_type, f"{p}.violation_type")
        c.term("means", act.means, f"{p}.means")
        c.terms("legal_provisions", act.qualifications, f"{p}.qualifications")
        c.not_future(act.date_start, f"{p}.date_start")
        for j, v in enumerate(act.victims):
            q = f"{p}.victims[{j}]"
            c.term("harms", v.harm, f"{q}.harm")
            c.term("person_status", v.status, f"{q}.status")
            c.term("sex", v.sex, f"{q}.sex")
            c.terms("victim_characteristics", v.characteristics, f"{q}.characteristics")
            c.exists(Person, v.person_id, f"{q}.person_id", "person")
            if v.person is not None:
                c.errors.extend(persons.check(app, c.session, v.person, c.actor, f"{q}.person.").errors)
        for j, pp in enumerate(act.perpetrators):
            q = f"{p}.perpetrators[{j}]"
            c.term("perpetrator_modes", pp.mode, f"{q}.mode")
            c.exists(Organisation, pp.organisation_id, f"{q}.organisation_id", "organisation")
            c.exists(Person, pp.person_id, f"{q}.person_id", "person")


def check(app: Svidok, session: Session, data: IncidentIn | IncidentUpdate, actor: Actor) -> Checker:
    c = Checker(app.vocab, session, actor)
    c.term("verification_status", data.verification_status, "verification_status")
    c.term("confidentiality", data.confidentiality, "confidentiality")
    c.term("location_precision", data.location_precision, "location_precision")
    c.not_future(data.date_start, "date_start")
    c.not_future(data.date_end, "date_end")
    c.order(data.date_start, data.date_end, "date_end")
    c.exists(Case, data.case_id, "case_id", "case")
    if data.place is not None:
        try:
            places.resolve(session, data.place)
        except ValidationFailed as exc:
            c.errors.extend(exc.errors)
    for i, sid in enumerate(data.source_ids or []):
        c.exists(Source, sid, f"source_ids[{i}]", "source")
    if data.acts:
        _check_acts(app, c, data.acts)
    return c


def _incident_age(birth: str | None, on: date) -> int | None:
    if not birth:
        return None
    youngest, oldest = dates.age_on(dates.parse(birth), on)
    return youngest if youngest == oldest or oldest - youngest <= 1 else None


def _write_acts(app: Svidok, s: Session, actor: Actor, incident: Incident, acts: list[ActIn]) -> None:
    for i, a in enumerate(acts):
        act = Act(incident_id=incident.id, violation_type=a.violation_type, means=a.means,
                  description=a.description, date_start=a.date_start, created_by=actor.username)
        s.add(act)
        s.flush()
        for code in a.qualifications:
            s.add(Qualification(act_id=act.id, provision=code))
        for j, v in enumerate(a.victims):
            person_id, sex, age, chars = v.person_id, v.sex, v.age, list(v.characteristics)
            # What the row says about the victim reaches the person record (API and web alike).
            known = s.get(Person, person_id) if person_id is not None else None
            name = v.person.full_name if v.person is not None else known.full_name if known is not None else ""
            facts = persons.victim_facts(app, v.harm, v.status, v.sex, v.age, incident.date_lo, name)
            if v.person is not None:
                inline = persons.fill_from_victim(v.person, facts).model_copy(
                    update={"synthetic": v.person.synthetic or incident.synthetic})
                person_id = persons.create_in(app, s, actor, inline, f"acts[{i}].victims[{j}].person.",
                                              reason=persons.learnt_reason(incident.id, facts)
                                              if inline.life_status == "dead" != v.person.life_status else None).id
            elif known is not None:
                persons.learn_from_victim(app, s, actor, known, facts, incident.id)
            if person_id is not None:
                person = s.get(Person, person_id)
                sex = sex if sex != "unknown" else person.sex
                if age is None:
                    age = _incident_age(person.birth_date, incident.date_lo)
                chars = [*chars, *people.unpack(person.characteristics)]
            chars = people.characteristics_at_age(chars, age)
            s.add(Victim(act_id=act.id, person_id=person_id, count=v.count, group_description=v.group_description,
                         harm=v.harm, status=v.status, sex=sex, age=age, age_band=people.age_band(app.vocab, age),
                         characteristics=people.pack(chars)))
        for p in a.perpetrators:
            s.add(Perpetrator(act_id=act.id, organisation_id=p.organisation_id, person_id=p.person_id,
                              description=p.description, mode=p.mode))


def _set_fields(s: Session, incident: Incident, data: IncidentIn | IncidentUpdate, fields: set[str]) -> None:
    for f in ("title", "title_i18n", "narrative", "narrative_i18n", "lat", "lon", "location_precision",
              "verification_status", "confidentiality", "case_id"):
        if f in fields:
            setattr(incident, f, getattr(data, f))
    if fields & {"date_start", "date_end"}:
        start = dates.parse(data.date_start or incident.date_start)
        end_text = data.date_end if "date_end" in fields else incident.date_end
        end = dates.parse_optional(end_text)
        incident.date_start, incident.date_end = start.to_iso(), end.to_iso() if end else None
        incident.date_lo, incident.date_hi = start.lo, (end or start).hi
    if "place" in fields:
        place = places.resolve(s, data.place)
        incident.place_id = place.id if place else None
        if place is not None and incident.lat is None and place.lat is not None:
            incident.lat, incident.lon = place.lat, place.lon
            incident.location_precision = incident.location_precision or {"facility": "exact"}.get(place.level, place.level)
    incident.search_text = search_text(incident.title, incident.narrative,
                                       {**(incident.narrative_i18n or {}),
                                        **{f"title_{k}": v for k, v in (incident.title_i18n or {}).items()}})


def _write_sources(s: Session, incident: Incident, source_ids: list[int]) -> None:
    s.execute(delete(IncidentSource).where(IncidentSource.incident_id == incident.id))
    for sid in dict.fromkeys(source_ids):
        s.add(IncidentSource(incident_id=incident.id, source_id=sid))


def create(app: Svidok, actor: Actor, data: IncidentIn) -> dict:
    access.require_writer(actor)
    with app.db.session() as s:
        check(app, s, data, actor).raise_if_any()
        incident = Incident(title=data.title, created_by=actor.username, synthetic=data.synthetic)
        _set_fields(s, incident, data, set(IncidentIn.model_fields) | {"date_start", "date_end"})
        s.add(incident)
        s.flush()
        _write_acts(app, s, actor, incident, data.acts)
        _write_sources(s, incident, data.source_ids)
        s.flush()
        s.refresh(incident)
        history.record(s, actor, ENTITY, incident, "create", None, after=_full_snapshot(s, incident))
        # Saved all the same (a documenter may know better); the likely duplicates are queued
        # for review and named in the answer, so the form and the API warn at once.
        hints = incident_duplicates.on_entry(s, actor, incident.id)
        return detail(app, s, actor, incident) | {"possible_duplicates": hints}


def update(app: Svidok, actor: Actor, incident_id: int, data: IncidentUpdate) -> dict:
    access.require_writer(actor)
    with app.db.session() as s:
        incident = access.require_visible(s.get(Incident, incident_id), actor, M_("incident %(id)s", id=incident_id))
        if incident.version != data.version:
            raise Conflict(
                M_("incident %(incident_id)s was changed by someone else since you opened it (you read version %(version)s, it is now %(version2)s); reload it and save your change again", incident_id=incident_id, version=data.version, version2=incident.version)
            )
        check(app, s, data, actor).raise_if_any()
        before = _full_snapshot(s, incident)
        fields = data.model_fields_set - {"version", "acts", "source_ids"}
        _set_fields(s, incident, data, fields)
        if data.acts is not None and "acts" in data.model_fields_set:
            old = select(Act.id).where(Act.incident_id == incident.id).scalar_subquery()
            were_killed = set(s.scalars(select(Victim.person_id).where(
                Victim.act_id.in_(old), Victim.harm == "killed", Victim.person_id.is_not(None))))
            for model in (Victim, Perpetrator, Qualification):
                s.execute(delete(model).where(model.act_id.in_(old)))
            s.execute(delete(Act).where(Act.incident_id == incident.id))
            _write_acts(app, s, actor, incident, data.acts)
            s.flush()
            for person_id in sorted(were_killed):  # a victim corrected from killed
                persons.unlearn_death(s, actor, person_id, incident.id)
        if data.source_ids is not None and "source_ids" in data.model_fields_set:
            _write_sources(s, incident, data.source_ids)
        # Compare-and-set on the version: a concurrent writer that got here first wins, we refuse.
        bumped = s.execute(
            Incident.__table__.update()
            .where(Incident.id == incident.id, Incident.version == data.version)
            .values(version=data.version + 1, updated_at=func.now())
        ).rowcount
        if bumped != 1:
            raise Conflict(M_("incident %(incident_id)s was changed by someone else; reload it and save again", incident_id=incident_id))
        s.flush()
        s.expire_all()
        incident = s.get(Incident, incident_id)
        history.record(s, actor, ENTITY, incident, "update", before, after=_full_snapshot(s, incident))
        return detail(app, s, actor, incident)


def remove(app: Svidok, actor: Actor, incident_id: int, reason: str, version: int | None = None) -> None:
    """Withdraw an incident: it stays in the database and its history, marked with the reason."""
    access.require_writer(actor)
    with app.db.session() as s:
        incident = access.require_visible(s.get(Incident, incident_id), actor, M_("incident %(id)s", id=incident_id))
        if version is not None and version != incident.version:
            raise Conflict(M_("incident %(incident_id)s was changed by someone else; reload it first", incident_id=incident_id))
        before = history.snapshot(incident)
        incident.deleted_at = func.now()
        incident.deleted_reason = reason
        incident.version += 1
        s.flush()
        s.refresh(incident)
        history.record(s, actor, ENTITY, incident, "delete", before, reason=reason)


def _full_snapshot(s: Session, incident: Incident) -> dict:
    snap = history.snapshot(incident)
    acts = s.scalars(
        select(Act).where(Act.incident_id == incident.id).order_by(Act.id)
        .options(selectinload(Act.victims), selectinload(Act.perpetrators), selectinload(Act.qualifications))
    ).all()
    snap["acts"] = [
        {
            "violation_type": a.violation_type, "means": a.means, "description": a.description,
            "date_start": a.date_start,
            "qualifications": [q.provision for q in a.qualifications],
            "victims": [{k: v for k, v in history.snapshot(v).items() if k not in ("id", "act_id")} for v in a.victims],
            "perpetrators": [{k: v for k, v in history.snapshot(p).items() if k not in ("id", "act_id")} for p in a.perpetrators],
        }
        for a in acts
    ]
    snap["source_ids"] = list(s.scalars(select(IncidentSource.source_id).where(IncidentSource.incident_id == incident.id).order_by(IncidentSource.source_id)))
    return snap


def detail(app: Svidok, s: Session, actor: Actor, incident: Incident) -> dict:
    """Everything on an incident page, filtered to what the actor may see."""
    out = _full_snapshot(s, incident)
    for act in out["acts"]:
        act["may_qualify_under"] = app.vocab["violation_types"].terms[act["violation_type"]].extra.get("provisions", [])
        for v in act["victims"]:
            v["characteristics"] = people.unpack(v["characteristics"])
            if v.get("person_id"):
                p = s.get(Person, v["person_id"])
                v["person_name"] = p.full_name if p is not None and access.can_see(p, actor) else None
    if incident.place_id:
        place = s.get(Place, incident.place_id)
        out["place"] = {"id": place.id, "code": place.code, "name_en": place.name_en, "name_uk": place.name_uk,
                        "path": [p.name_en for p in places.ancestors(s, place)]}
        occ = places.occupation_status(s, place, incident.date_lo)
        out["occupation"] = {"status": occ.status, "since": occ.since.isoformat()} if occ else None
    srcs = s.scalars(select(Source).join(IncidentSource, IncidentSource.source_id == Source.id)
                     .where(IncidentSource.incident_id == incident.id, access.visibility_clause(Source, actor))).all()
    out["sources"] = [{"id": x.id, "kind": x.kind, "pseudonym": x.pseudonym, "reliability": x.reliability,
                       "credibility": x.credibility, "description": x.description} for x in srcs]
    ev = s.scalars(select(EvidenceItem).where(EvidenceItem.incident_id == incident.id,
                                              access.visibility_clause(EvidenceItem, actor))).all()
    out["evidence"] = [{"id": e.id, "sha256": e.sha256, "media_type": e.media_type, "original_name": e.original_name,
                        "size": e.size, "graphic": e.graphic} for e in ev]
    # Reports found to be this same incident (reversible merges; figures count them once, here).
    out["merged_here"] = list(s.scalars(select(Incident.id).where(
        Incident.merged_into_id == incident.id, access.visibility_clause(Incident, actor)).order_by(Incident.id)))
    return out


def get(app: Svidok, actor: Actor, incident_id: int) -> dict:
    with app.db.session() as s:
        incident = access.require_visible(s.get(Incident, incident_id), actor, M_("incident %(id)s", id=incident_id))
        return detail(app, s, actor, incident)


def history_of(app: Svidok, actor: Actor, incident_id: int) -> list[dict]:
    with app.db.session() as s:
        access.require_visible(s.get(Incident, incident_id), actor, M_("incident %(id)s", id=incident_id))
        out = []
        for v in history.versions(s, ENTITY, incident_id):
            out.append({"version": v.version, "op": v.op, "at": v.at.isoformat(), "actor": v.actor,
                        "reason": v.reason, "changes": {k: {"before": b, "after": a} for k, (b, a) in history.diff(v.before, v.after).items()}})
        return out
