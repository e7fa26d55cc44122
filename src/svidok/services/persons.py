"""Persons: create, read, change, list; names across scripts and their search keys."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, aliased

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Conflict
from svidok.core.messages import M_
from svidok.core.validation import Checker
from svidok.domain import dates, names, people
from svidok.schemas.records import PersonIn, PersonUpdate
from svidok.storage.models import (
    Act,
    Case,
    CustodyEpisode,
    Incident,
    Person,
    PersonName,
    PersonNameKey,
    Victim,
)

from . import history, ledger, paging, places

if TYPE_CHECKING:
    from svidok.app import Svidok

ENTITY = "person"


def script_of(text: str) -> str:
    """ISO 15924 code of the name's script: Cyrillic if it has any Cyrillic letter."""
    return "Cyrl" if any("\u0400" <= ch <= "\u04ff" for ch in text) else "Latn"


def check(app: Svidok, session: Session, data: PersonIn | PersonUpdate, actor: Actor, prefix: str = "") -> Checker:
    c = Checker(app.vocab, session, actor)
    p = prefix
    c.term("sex", data.sex, f"{p}sex")
    c.term("person_status", data.status, f"{p}status")
    c.term("life_status", data.life_status, f"{p}life_status")
    c.term("age_bands", data.age_band, f"{p}age_band")
    c.term("confidentiality", data.confidentiality, f"{p}confidentiality")
    c.terms("victim_characteristics", data.characteristics, f"{p}characteristics")
    c.exists(Case, data.case_id, f"{p}case_id", "case")
    if data.birth_date:
        c.not_future(data.birth_date, f"{p}birth_date")
        if dates.parse(data.birth_date).exact_hi.year < 1900:
            c.add(f"{p}birth_date", f"{data.birth_date} is before 1900")
    if data.residence_place is not None:
        try:
            places.resolve(session, data.residence_place, f"{p}residence_place")
        except Exception as exc:
            c.errors.extend(getattr(exc, "errors", []))
    return c


def name_keys(full_name: str, other_names: list[str]) -> set[str]:
    keys: set[str] = set()
    for n in [full_name, *other_names]:
        keys.update(names.search_keys(n))
    return keys


def _apply(app: Svidok, session: Session, person: Person, data: PersonIn | PersonUpdate, fields: set[str]) -> None:
    simple = ("full_name", "family_name", "given_name", "patronymic", "sex", "age_band", "status",
              "life_status", "notes", "confidentiality", "case_id")
    for f in simple:
        if f in fields:
            setattr(person, f, getattr(data, f))
    if "birth_date" in fields:
        bd = dates.parse_optional(data.birth_date)
        person.birth_date = bd.to_iso() if bd else None
        person.birth_lo, person.birth_hi = (bd.lo, bd.hi) if bd else (None, None)
    if "characteristics" in fields:
        person.characteristics = people.pack(data.characteristics)
    if "residence_place" in fields:
        place = places.resolve(session, data.residence_place, "residence_place")
        person.residence_place_id = place.id if place else None
    if "address" in fields:
        person.address_enc = app.keyring.encrypt(data.address, f"persons.address:{person.id}")
    if "contact" in fields:
        person.contact_enc = app.keyring.encrypt(data.contact, f"persons.contact:{person.id}")


def _write_names(session: Session, person: Person, data: PersonIn | PersonUpdate) -> None:
    session.execute(delete(PersonName).where(PersonName.person_id == person.id))
    session.execute(delete(PersonNameKey).where(PersonNameKey.person_id == person.id))
    recorded = [person.full_name, *[n.name for n in data.other_names]]
    # persons.full_name is the main spelling; person_names keeps the other recorded spellings.
    for n in data.other_names:
        session.add(PersonName(person_id=person.id, name=n.name, script=n.script or script_of(n.name), lang=n.lang))
    for key in name_keys(recorded[0], recorded[1:]):
        session.add(PersonNameKey(person_id=person.id, key=key))


def create_in(app: Svidok, session: Session, actor: Actor, data: PersonIn, prefix: str = "",
              reason: str | None = None) -> Person:
    """Create inside the caller's transaction (used by incidents for inline victims)."""
    check(app, session, data, actor, prefix).raise_if_any()
    person = Person(full_name=data.full_name, created_by=actor.username, synthetic=data.synthetic)
    session.add(person)
    session.flush()
    _apply(app, session, person, data, set(PersonIn.model_fields))
    _write_names(session, person, data)
    session.flush()
    history.record(session, actor, ENTITY, person, "create", None, reason=reason)
    return person


def create(app: Svidok, actor: Actor, data: PersonIn) -> dict:
    access.require_writer(actor)
    with app.db.session() as s:
        person = create_in(app, s, actor, data)
        return to_dict(app, s, person, actor)


def update(app: Svidok, actor: Actor, person_id: int, data: PersonUpdate) -> dict:
    access.require_writer(actor)
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        if person.version != data.version:
            raise Conflict(M_("person %(person_id)s was changed by someone else (you read version %(version)s, it is now %(version2)s); reload and save again", person_id=person_id, version=data.version, version2=person.version))
        check(app, s, data, actor).raise_if_any()
        before = history.snapshot(person)
        fields = data.model_fields_set - {"version"}
        _apply(app, s, person, data, fields)
        if fields & {"full_name", "other_names"}:
            _write_names(s, person, data if "other_names" in fields else data.model_copy(update={"other_names": []}))
        _new_version(s, actor, person, before)
        return to_dict(app, s, person, actor)


def get(app: Svidok, actor: Actor, person_id: int) -> dict:
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        out = to_dict(app, s, person, actor, protected=True)
        inc_rows = s.execute(
            select(Incident.id, Incident.title, Incident.date_start, Victim.harm, Act.violation_type)
            .join(Act, Act.incident_id == Incident.id)
            .join(Victim, Victim.act_id == Act.id)
            .where(Victim.person_id == person_id, access.visibility_clause(Incident, actor))
            .order_by(Incident.date_lo)
        ).all()
        out["incidents"] = [
            {"id": r[0], "title": r[1], "date_start": r[2], "harm": r[3], "violation_type": r[4]} for r in inc_rows
        ]
        eps = s.scalars(
            select(CustodyEpisode)
            .where(CustodyEpisode.person_id == person_id, access.visibility_clause(CustodyEpisode, actor))
            .order_by(CustodyEpisode.date_from_lo)
        ).all()
        out["custody_episodes"] = [history.snapshot(e) for e in eps]
        return out


def to_dict(app: Svidok, session: Session, person: Person, actor: Actor, protected: bool = False) -> dict:
    out = history.snapshot(person)
    for f in ("address_enc", "contact_enc"):
        out.pop(f, None)
    out["characteristics"] = people.unpack(person.characteristics)
    out["names"] = [{"name": person.full_name, "script": script_of(person.full_name), "lang": None}] + [
        {"name": n.name, "script": n.script, "lang": n.lang} for n in person.names
    ]
    out["name_forms"] = names.name_forms(person.full_name)
    if protected:
        out["has_address"] = person.address_enc is not None
        out["has_contact"] = person.contact_enc is not None
    return out


def read_protected(app: Svidok, actor: Actor, person_id: int, purpose: str) -> dict:
    """Decrypt the address and contact; only for cleared roles, and every read goes to the ledger."""
    from svidok.core.errors import Forbidden

    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        if not actor.can_read_protected:
            raise Forbidden(M_("your role may not read protected fields"))
        out = {
            "address": app.keyring.decrypt(person.address_enc, f"persons.address:{person.id}"),
            "contact": app.keyring.decrypt(person.contact_enc, f"persons.contact:{person.id}"),
        }
        ledger.append(s, actor.username, "protected.read", ENTITY, person.id, {"fields": ["address", "contact"], "purpose": purpose})
        return out


def matching_ids(s: Session, actor: Actor, keys: list[str], limit: int) -> list[int]:
    """Ids of visible, unmerged persons having every one of the name keys, lowest first."""
    # Walked from the first key's (key, person_id) index in person order, each person checked
    # as it comes and the walk stopped at ``limit``: as quick for a rare key as for a common one.
    # (Asked as "persons whose id is among the key's", PostgreSQL walked the persons' primary key
    # instead: 0.7 s for 'Kovalenko' at 1,000,000 incidents.)
    first = aliased(PersonNameKey)
    q = (select(first.person_id).distinct().join(Person, Person.id == first.person_id)
         .where(first.key == keys[0], access.visibility_clause(Person, actor), Person.merged_into_id.is_(None)))
    for k in keys[1:]:
        other = aliased(PersonNameKey)
        q = q.where(exists().where(other.person_id == first.person_id, other.key == k))
    return list(s.scalars(q.order_by(first.person_id).limit(limit)))


def rows_of(s: Session, ids: list[int]) -> list[dict]:
    """The short form of persons (for lists and search results), in the order of ``ids``."""
    rows = {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}
    return [{"id": p.id, "full_name": p.full_name, "birth_date": p.birth_date, "sex": p.sex, "status": p.status,
             "life_status": p.life_status} for i in ids if (p := rows.get(i)) is not None]


def search(app: Svidok, actor: Actor, text: str, limit: int = 20) -> list[dict]:
    """Persons whose names match every name in ``text``, across scripts."""
    keys = list(dict.fromkeys(names.search_keys(text)))
    if not keys:
        return []
    with app.db.session() as s:
        return rows_of(s, matching_ids(s, actor, keys, limit))


def names_of(app: Svidok, actor: Actor, ids: set[int]) -> dict[int, str]:
    """Full names of the persons among ``ids`` that the actor may see (lists show names, not ids)."""
    if not ids:
        return {}
    with app.db.session() as s:
        return dict(s.execute(select(Person.id, Person.full_name)
                              .where(Person.id.in_(ids), access.visibility_clause(Person, actor))).all())


def listing(app: Svidok, actor: Actor, after: int | None = None, limit: int = 50) -> tuple[list[dict], int | None]:
    with app.db.session() as s:
        q = select(Person).where(access.visibility_clause(Person, actor), Person.merged_into_id.is_(None))
        rows, next_id = paging.newest_first(s, q, Person.id, after, limit)
        items = [
            {"id": p.id, "full_name": p.full_name, "birth_date": p.birth_date, "sex": p.sex,
             "status": p.status, "life_status": p.life_status, "characteristics": people.unpack(p.characteristics)}
            for p in rows
        ]
        return items, next_id


def count(app: Svidok, actor: Actor, cap: int | None = None) -> int:
    """How many persons the list shows (those the actor may see, not merged away); with ``cap``,
    counting stops there (like ``incident_queries.count``: a page says "more than ...")."""
    with app.db.session() as s:
        q = select(Person.id).where(access.visibility_clause(Person, actor), Person.merged_into_id.is_(None))
        if cap is not None:
            q = q.limit(cap)
        return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def _new_version(session: Session, actor: Actor, person: Person, before: dict, reason: str | None = None) -> None:
    """Record an update of ``person`` (already changed in the session): version, time, history."""
    person.version += 1
    person.updated_at = func.now()
    session.flush()
    session.refresh(person)
    history.record(session, actor, ENTITY, person, "update", before, reason=reason)


def remove(app: Svidok, actor: Actor, person_id: int, reason: str) -> None:
    access.require_writer(actor)
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        before = history.snapshot(person)
        person.deleted_at = func.now()
        person.deleted_reason = reason
        person.version += 1
        s.flush()
        s.refresh(person)
        history.record(s, actor, ENTITY, person, "delete", before, reason=reason)




def victim_facts(app: Svidok, harm: str, status: str, sex: str, age: int | None, on: date,
                 full_name: str) -> dict:
    """What a victim row on an incident tells about its person: life status, IHL status, sex,
    age band and an approximate birth year (from the age on the incident's first day), name parts."""
    facts: dict = {}
    if harm == "killed":
        facts["life_status"] = "dead"
    if status != "unknown":
        facts["status"] = status
    if sex != "unknown":
        facts["sex"] = sex
    if age is not None:
        facts["age_band"] = people.age_band(app.vocab, age)
        # Aged `age` on `on`: born within the year before `on.year - age`'s birthday; "~Y" covers both years.
        facts["birth_date"] = f"~{on.year - age}" if on.year - age >= 1900 else None
    parts = names.split_full_name(full_name)
    facts.update(family_name=parts.family, given_name=parts.given, patronymic=parts.patronymic)
    return {k: v for k, v in facts.items() if v is not None}


UNKNOWN = (None, "unknown")


def fill_from_victim(data: PersonIn, facts: dict) -> PersonIn:
    """A new person (entered inline on a victim row) with the victim's facts where the form left them blank."""
    if data.family_name or data.given_name or data.patronymic:
        facts = {k: v for k, v in facts.items() if k not in ("family_name", "given_name", "patronymic")}
    if data.birth_date:
        facts = {k: v for k, v in facts.items() if k not in ("birth_date", "age_band")}
    return data.model_copy(update={k: v for k, v in facts.items() if getattr(data, k) in UNKNOWN})


LEARNT_FROM_VICTIM = "from a victim row on incident "


def learnt_reason(incident_id: int, facts: dict) -> str | None:
    """The history reason of a person version the victim row wrote (how `unlearn_death` knows it)."""
    return f"{LEARNT_FROM_VICTIM}{incident_id}" if facts.get("life_status") == "dead" else None


def learn_from_victim(app: Svidok, session: Session, actor: Actor, person: Person, facts: dict,
                      incident_id: int | None = None) -> None:
    """An existing person linked as a victim: fill what the record does not know yet (a killing
    also ends an "alive"); a new version with its history when anything changed."""
    if person.family_name or person.given_name or person.patronymic:
        facts = {k: v for k, v in facts.items() if k not in ("family_name", "given_name", "patronymic")}
    if person.birth_date:
        facts = {k: v for k, v in facts.items() if k not in ("birth_date", "age_band")}
    changes = {k: v for k, v in facts.items()
               if getattr(person, k) in UNKNOWN or (k == "life_status" and v == "dead" and person.life_status == "alive")}
    if not changes:
        return
    before = history.snapshot(person)
    for k, v in changes.items():
        setattr(person, k, v)
    if "birth_date" in changes:
        bd = dates.parse(changes["birth_date"])
        person.birth_lo, person.birth_hi = bd.lo, bd.hi
    _new_version(session, actor, person, before,
                 learnt_reason(incident_id, changes) if incident_id is not None else None)


def unlearn_death(session: Session, actor: Actor, person_id: int, incident_id: int) -> None:
    """A victim row corrected from killed: undo the "dead" it wrote on the person, but only when
    that "dead" came from a victim row (never one a documenter typed) and no other victim row of
    the person, on any incident still standing, says killed. A new version, with the reason."""
    person = session.get(Person, person_id)
    if person is None or person.life_status != "dead":
        return
    still_killed = session.scalar(
        select(func.count()).select_from(Victim).join(Act, Act.id == Victim.act_id)
        .join(Incident, Incident.id == Act.incident_id)
        .where(Victim.person_id == person_id, Victim.harm == "killed", Incident.deleted_at.is_(None)))
    if still_killed:
        return
    last = next((v for v in reversed(history.versions(session, ENTITY, person_id))
                 if (v.after or {}).get("life_status") == "dead" and (v.before or {}).get("life_status") != "dead"), None)
    if last is None or not (last.reason or "").startswith(LEARNT_FROM_VICTIM):
        return
    before = history.snapshot(person)
    person.life_status = (last.before or {}).get("life_status") or "unknown"
    _new_version(session, actor, person, before,
                 f"no victim row says killed any more (corrected on incident {incident_id})")
