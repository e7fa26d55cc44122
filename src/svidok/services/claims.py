"""Claims to the Register of Damage for Ukraine: what the documented facts support, who may claim, what is missing.

Svidok prepares claims; it never submits them. For one person (the victim) it lists the
Register's categories their documented facts support (``domain.claims``), the family
members recorded with consent who may claim for them, a checklist of what the claim form
asks for and whether Svidok holds it, and the supporting evidence. Everything follows
need-to-know: facts from records the actor may not see are not used, and a hidden person
is "not found".
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, Forbidden, ValidationFailed
from svidok.core.messages import M_
from svidok.domain import claims as domain
from svidok.domain import dates
from svidok.storage.models import (
    Act,
    ClaimRelative,
    CustodyEpisode,
    Displacement,
    EvidenceItem,
    Incident,
    Person,
    Source,
    Victim,
)

from . import history, ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

ENTITY = "claim_relative"
DOSSIER_ACTION = "claims.dossier"
_CHUNK = 900


def categories(app: Svidok) -> domain.Categories:
    """The claim categories in force (the shipped file, or ``SVIDOK_CLAIM_CATEGORIES``); loaded once per app."""
    cats = getattr(app, "_claim_categories", None)
    if cats is None:
        try:
            cats = domain.load(app.settings.claim_categories)
        except domain.CategoriesError as exc:
            raise ValidationFailed(FieldError("claim_categories", str(exc))) from None
        app._claim_categories = cats
    return cats


# -- family members ------------------------------------------------------------------------

def add_relative(app: Svidok, actor: Actor, person_id: int, relationship: str, name: str | None,
                 consent: bool, consent_date: str, contact: str | None = None, consent_scope: str | None = None,
                 representative: str | None = None, notes: str | None = None) -> dict:
    """Record a family member of ``person_id`` who may claim; refused without the family's consent."""
    access.require_writer(actor)
    errors = []
    if not consent:
        errors.append(FieldError("consent", M_("a family member is recorded only with the family's consent; record when and for what it was given")))
    if relationship not in domain.RELATIONSHIPS:
        errors.append(FieldError("relationship", M_("unknown relationship %(relationship)r (one of %(items)s)", relationship=relationship, items=", ".join(domain.RELATIONSHIPS))))
    try:
        day = dates.parse(consent_date or "").to_iso()
    except ValueError as exc:
        errors.append(FieldError("consent_date", str(exc)))
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        rel = ClaimRelative(person_id=person.id, relationship=relationship, consent=True, consent_date=day,
                            consent_scope=consent_scope, representative=representative, notes=notes,
                            confidentiality=person.confidentiality, case_id=person.case_id, created_by=actor.username)
        s.add(rel)
        s.flush()
        rel.name_enc = app.keyring.encrypt(name, f"claim_relatives.name:{rel.id}")
        rel.contact_enc = app.keyring.encrypt(contact, f"claim_relatives.contact:{rel.id}")
        s.flush()
        history.record(s, actor, ENTITY, rel, "create", None)
        return _relative(app, rel, protected=False)


def withdraw_relative(app: Svidok, actor: Actor, relative_id: int, reason: str) -> int:
    """Withdraw a family member (e.g. consent withdrawn); kept with the reason, never deleted.

    Returns the person they were recorded for."""
    access.require_writer(actor)
    if not (reason or "").strip():
        raise ValidationFailed(FieldError("reason", M_("give a reason (e.g. the family withdrew its consent)")))
    with app.db.session() as s:
        rel = access.require_visible(s.get(ClaimRelative, relative_id), actor, M_("family member %(id)s", id=relative_id))
        before = history.snapshot(rel)
        rel.deleted_at, rel.deleted_reason, rel.version = func.now(), reason, rel.version + 1
        s.flush()
        s.refresh(rel)
        history.record(s, actor, ENTITY, rel, "delete", before, reason=reason)
        return rel.person_id


def _relative(app: Svidok, rel: ClaimRelative, protected: bool) -> dict:
    out = {"id": rel.id, "person_id": rel.person_id, "relationship": rel.relationship, "consent": rel.consent,
           "consent_date": rel.consent_date, "consent_scope": rel.consent_scope, "representative": rel.representative,
           "has_name": rel.name_enc is not None, "has_contact": rel.contact_enc is not None}
    if protected:
        out["name"] = app.keyring.decrypt(rel.name_enc, f"claim_relatives.name:{rel.id}")
        out["contact"] = app.keyring.decrypt(rel.contact_enc, f"claim_relatives.contact:{rel.id}")
    return out


def relatives(app: Svidok, actor: Actor, person_id: int, protected: bool = False, purpose: str | None = None,
              session: Session | None = None) -> list[dict]:
    """Family members of a person; names and contacts only for cleared roles, each read in the ledger."""
    if protected and not actor.can_read_protected:
        raise Forbidden(M_("your role may not read family members' names and contacts"))
    if protected and not (purpose or "").strip():
        raise ValidationFailed(FieldError("purpose", M_("say why the names are read (it goes to the ledger)")))

    def go(s: Session) -> list[dict]:
        rows = s.scalars(select(ClaimRelative).where(ClaimRelative.person_id == person_id,
                                                     access.visibility_clause(ClaimRelative, actor))
                         .order_by(ClaimRelative.id)).all()
        if protected and rows:
            ledger.append(s, actor.username, "protected.read", ENTITY, ",".join(str(r.id) for r in rows),
                          {"fields": ["name", "contact"], "purpose": purpose, "person": person_id})
        return [_relative(app, r, protected) for r in rows]

    if session is not None:
        return go(session)
    with app.db.session() as s:
        return go(s)


# -- documented facts ------------------------------------------------------------------------

def _chunks(ids: list[int]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def facts(s: Session, actor: Actor, person_ids: list[int] | None = None) -> dict[int, list[domain.Fact]]:
    """Person id -> the facts the actor may see about them (merged records count for the person they were merged into).

    ``person_ids`` None: every visible person (for figures).
    """
    live = select(Person.id, func.coalesce(Person.merged_into_id, Person.id)).where(
        access.visibility_clause(Person, actor))
    if person_ids is not None:
        live = live.where(or_(Person.id.in_(person_ids), Person.merged_into_id.in_(person_ids)))
    owner = dict(s.execute(live).all())
    out: dict[int, list[domain.Fact]] = defaultdict(list)
    inc_visible = access.visibility_clause(Incident, actor)
    acts = (select(Victim.person_id, Victim.harm, Act.violation_type, Victim.age, Act.incident_id)
            .join(Act, Act.id == Victim.act_id).where(Act.deleted_at.is_(None)))
    moved = select(Displacement.id, Displacement.person_id, Displacement.date_lo, Displacement.kind,
                   Displacement.from_place_id).where(access.visibility_clause(Displacement, actor))
    held = select(CustodyEpisode.id, CustodyEpisode.person_id, CustodyEpisode.date_from_lo,
                  CustodyEpisode.forced_labour, CustodyEpisode.facility_place_id
                  ).where(access.visibility_clause(CustodyEpisode, actor))
    if person_ids is None:
        # Every visible person (figures): one pass over each table, not a query per few hundred
        # persons; the victims joined to their visible incidents and read as they come.
        joined = (select(Victim.person_id, Victim.harm, Act.violation_type, Victim.age, Incident.id,
                         Incident.date_lo, Incident.place_id)
                  .join(Act, Act.id == Victim.act_id).join(Incident, Incident.id == Act.incident_id)
                  .where(Victim.person_id.is_not(None), Act.deleted_at.is_(None), inc_visible))
        for pid, harm, vtype, age, iid, lo, place in s.execute(joined):
            if pid in owner:
                out[owner[pid]].append(domain.Fact("act", f"incident {iid}", lo.isoformat(), harm=harm,
                                                   violation_type=vtype, age=age, place_id=place, incident_id=iid))
        parts = [(None, moved.where(Displacement.person_id.is_not(None)),
                  held.where(CustodyEpisode.person_id.is_not(None)))]
    else:
        parts = [(acts.where(Victim.person_id.in_(chunk)), moved.where(Displacement.person_id.in_(chunk)),
                  held.where(CustodyEpisode.person_id.in_(chunk))) for chunk in _chunks(list(owner))]
    for act_q, moved_q, held_q in parts:
        victim_rows = [r for r in s.execute(act_q) if r[0] in owner] if act_q is not None else []
        # The incidents' need-to-know apart: joined to the few victims of a chunk, SQLite (without
        # statistics) started from every visible incident and scanned them all for each chunk.
        seen = _visible_incidents(s, inc_visible, {r[4] for r in victim_rows})
        for pid, harm, vtype, age, iid in victim_rows:
            if iid in seen:
                lo, place = seen[iid]
                out[owner[pid]].append(domain.Fact("act", f"incident {iid}", lo.isoformat(), harm=harm,
                                                   violation_type=vtype, age=age, place_id=place, incident_id=iid))
        for did, pid, lo, kind, place in s.execute(moved_q):
            if pid in owner:
                out[owner[pid]].append(domain.Fact("displacement", f"displacement {did}", lo.isoformat(),
                                                   displacement_kind=kind, place_id=place))
        for cid, pid, lo, labour, place in s.execute(held_q):
            if pid in owner:
                out[owner[pid]].append(domain.Fact("custody", f"custody {cid}", lo.isoformat(),
                                                   forced_labour=bool(labour), place_id=place))
    return out


def _visible_incidents(s: Session, visible, ids: set[int]) -> dict[int, tuple]:
    """Incident id -> (date_lo, place_id) of those among ``ids`` the clause lets through."""
    if not ids:
        return {}
    q = select(Incident.id, Incident.date_lo, Incident.place_id).where(visible)
    if len(ids) > 50 * _CHUNK:  # most of the incidents: one pass over them is cheaper than look-ups
        return {iid: (lo, place) for iid, lo, place in s.execute(q) if iid in ids}
    return {iid: (lo, place) for chunk in _chunks(sorted(ids))
            for iid, lo, place in s.execute(q.where(Incident.id.in_(chunk)))}


def with_ages(facts_: list[domain.Fact], birth_lo) -> list[domain.Fact]:
    """Give displacement and custody facts an age from the birth date (acts carry the victim's age)."""
    if birth_lo is None:
        return facts_
    out = []
    for f in facts_:
        if f.age is None and f.date_lo:
            years = int(f.date_lo[:4]) - birth_lo.year - (f.date_lo[5:] < birth_lo.isoformat()[5:])
            f = domain.Fact(**{**f.__dict__, "age": max(years, 0)})
        out.append(f)
    return out


def claimant_relatives(cat: domain.Category, rels: list[dict], victim_age: int | None) -> list[dict]:
    """The recorded family members who may claim in this category."""
    if cat.claimant == "family":
        return [r for r in rels if r["relationship"] in cat.relationships]
    if victim_age is not None and victim_age < 18:  # a child's claim is made by a parent or legal guardian
        return [r for r in rels if r["relationship"] in ("parent", "legal_guardian")]
    return []


def assess(app: Svidok, actor: Actor, person_id: int, protected: bool = False, purpose: str | None = None) -> dict:
    """Categories, claimants, checklist and supporting evidence for one person (see the module docstring)."""
    cats = categories(app)
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        found = with_ages(facts(s, actor, [person.id]).get(person.id, []), person.birth_lo)
        rels = relatives(app, actor, person.id, protected, purpose, session=s)
        support = domain.supported(cats, found)
        incident_ids = sorted({f.incident_id for fs in support.values() for f in fs if f.incident_id})
        incidents = {i.id: i for c in _chunks(incident_ids) for i in s.scalars(select(Incident).where(Incident.id.in_(c)))}
        evidence = _evidence(s, actor, incident_ids)
        episodes = [f for fs in support.values() for f in fs if f.kind == "custody"]
        out_cats = []
        for code, fs in support.items():
            fs = list(dict.fromkeys(fs))  # one act with several victim rows of the person counts once
            cat = cats.get(code)
            ages = [f.age for f in fs if f.age is not None]
            claimants = claimant_relatives(cat, rels, min(ages) if ages else None)
            ev = [e for e in evidence if e["incident_id"] in {f.incident_id for f in fs}]
            out_cats.append({
                "code": cat.code, "en": cat.label("en"), "uk": cat.label("uk"), "confirmed": cat.confirmed,
                "note": cat.note, "claimant": cat.claimant,
                "facts": [{"kind": f.kind, "record": f.record, "date": f.date_lo, "harm": f.harm,
                           "violation_type": f.violation_type, "displacement_kind": f.displacement_kind} for f in fs],
                "claimants": claimants,
                "checklist": _checklist(cats, cat, person, fs, claimants, incidents, ev, episodes),
                "evidence": [e["id"] for e in ev],
            })
        return {
            "person": {"id": person.id, "full_name": person.full_name, "birth_date": person.birth_date,
                       "sex": person.sex, "life_status": person.life_status, "status": person.status},
            "register": cats.register, "categories_as_of": cats.as_of, "categories_source": list(cats.source),
            "categories": sorted(out_cats, key=lambda c: c["code"]),
            "relatives": rels, "evidence": evidence,
            "prepared_not_submitted": True,
        }


def _evidence(s: Session, actor: Actor, incident_ids: list[int]) -> list[dict]:
    out = []
    for chunk in _chunks(incident_ids):
        rows = s.execute(select(EvidenceItem, Source.consent_share_prosecutors)
                         .outerjoin(Source, Source.id == EvidenceItem.source_id)
                         .where(EvidenceItem.incident_id.in_(chunk), access.visibility_clause(EvidenceItem, actor))
                         .order_by(EvidenceItem.id)).all()
        for it, share in rows:
            out.append({"id": it.id, "sha256": it.sha256, "size": it.size, "media_type": it.media_type,
                        "original_name": it.original_name, "incident_id": it.incident_id,
                        # A source that refused sharing: the file stays here, the dossier lists its hash only.
                        "shareable": share is not False})
    return out


def _checklist(cats: domain.Categories, cat: domain.Category, person: Person, fs: list[domain.Fact],
               claimants: list[dict], incidents: dict[int, Incident], evidence: list[dict],
               episodes: list[domain.Fact]) -> list[dict]:
    """Per form item: held (Svidok has it), partly, lacking, or claimant (only the claimant can provide it)."""
    family = cat.claimant == "family" or bool(claimants)
    incs = [incidents[i] for i in dict.fromkeys(f.incident_id for f in fs) if i in incidents]
    kinds = {f.kind for f in fs}
    dead = person.life_status == "dead" or any(f.harm == "killed" for f in fs)

    def item(key: str) -> tuple[str, str]:
        if key == "claimant_identity":
            if family:
                named = [c for c in claimants if c["has_name"]]
                return ("held", f"{len(named)} family member(s) recorded with consent") if named else \
                    ("lacking", "no family member of the listed relationships recorded with consent")
            return ("held", person.full_name) if not dead else ("lacking", "the victim died")
        if key == "claimant_birth_date":
            return ("claimant", "not recorded for family members") if family else \
                (("held", person.birth_date) if person.birth_date else ("lacking", "no birth date recorded"))
        if key == "claimant_contact":
            if family:
                return ("held", "recorded (protected)") if any(c["has_contact"] for c in claimants) else ("lacking", "")
            return ("held", "recorded (protected)") if person.contact_enc else ("lacking", "")
        if key in ("identity_document", "relationship_document", "ownership_document"):
            return "claimant", "Svidok does not hold identity or civil-status documents"
        if key == "relationship":
            return ("held", ", ".join(sorted({c["relationship"] for c in claimants}))) if claimants else ("lacking", "")
        if key == "victim_identity":
            return ("held", f"{person.full_name}, born {person.birth_date}") if person.birth_date else \
                ("partly", f"{person.full_name}; no birth date")
        if key == "event_date":
            return ("held", ", ".join(sorted({f.date_lo for f in fs if f.date_lo}))) if fs else ("lacking", "")
        if key == "event_place":
            places = [f.place_id for f in fs if f.place_id]
            return ("held", f"{len(set(places))} place(s)") if places else ("lacking", "no place recorded")
        if key == "event_description":
            told = [i for i in incs if i.narrative]
            return ("held", f"{len(told)} narrative(s)") if told else \
                (("partly", "titles only") if incs else ("lacking", ""))
        if key == "death_proof":
            return ("partly", "death documented; a death certificate is needed") if dead \
                else ("lacking", "a death certificate is needed")
        if key == "medical_records":
            return "lacking", "attach medical records as evidence"
        if key == "detention_period":
            return ("held", f"{len(episodes)} custody episode(s)") if "custody" in kinds else \
                ("partly", "detention recorded in an incident; no custody episode") if fs else ("lacking", "")
        if key == "displacement_details":
            return ("held", "displacement recorded") if "displacement" in kinds else ("partly", "from incidents only")
        if key == "supporting_evidence":
            return ("held", f"{len(evidence)} file(s)") if evidence else ("lacking", "no evidence files linked")
        return "lacking", ""

    out = []
    for key in cat.form:
        status, detail = item(key)
        labels = cats.checklist.get(key, {})
        out.append({"key": key, "en": labels.get("en", key), "uk": labels.get("uk", key), "status": status,
                    "detail": detail})
    return out


def require_preparer(actor: Actor) -> None:
    """Preparing a dossier takes evidence out of Svidok and writes the ledger: writers only."""
    access.require_writer(actor)


def dossier_choice(app: Svidok, actor: Actor, person_id: int, categories: list[str] | None = None,
                   evidence_ids: list[int] | None = None, protected: bool = False,
                   purpose: str | None = None) -> tuple[dict, set[int]]:
    """Check what a dossier would hold: the assessment, and the evidence ids it takes.

    Categories must be among those the facts support, evidence among the supporting evidence
    the actor may see (default: the evidence of the chosen categories); otherwise refused,
    naming the field, before anything is written.
    """
    require_preparer(actor)
    a = assess(app, actor, person_id, protected=protected, purpose=purpose)
    known = {c["code"] for c in a["categories"]}
    if categories:
        unknown = [c for c in categories if c not in known]
        if unknown:
            raise ValidationFailed(FieldError("categories", M_("%(items)s: not supported by the documented facts of person %(person_id)s (supported: %(value)s)", items=", ".join(unknown), person_id=person_id, value=", ".join(sorted(known)) or 'none')))
    wanted = {i for c in a["categories"] if not categories or c["code"] in categories for i in c["evidence"]}
    if evidence_ids is not None:
        missing = [i for i in evidence_ids if i not in {e["id"] for e in a["evidence"]}]
        if missing:
            raise ValidationFailed(FieldError("evidence", M_("evidence %(missing)s is not among the supporting evidence of this person that you may see", missing=missing)))
        wanted = set(evidence_ids)
    return a, wanted


def record_dossier(app: Svidok, actor: Actor, person_id: int, content: dict) -> int:
    """Record in the ledger that a claim dossier was prepared (never submitted); returns the entry's number."""
    with app.db.session() as s:
        access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        return ledger.append(s, actor.username, DOSSIER_ACTION, "person", person_id, content).seq
