"""``svidok share export PARTNER``: the records a partner's rule selects, as a signed, encrypted package.

The package is a full statement of what the partner may hold: every selected incident
(with its acts, victims, qualifications and perpetrators' descriptions), the persons named
as victims (when the rule shares names), the sources that consented (kind, pseudonym and
grades only), evidence hashes (when the rule says so) or the files themselves (rule
``files``: after the records, each checked against its hash, with an ``export`` custody
event), and a withdrawal for each record sent
before that is deleted here or no longer selected. Each record carries its provenance:
origin organisation, original id and version (records received from a third organisation
keep theirs; records received from this partner are not sent back to it).

Never in a package: identities and contacts of sources, persons' addresses, contacts and
notes, evidence files unless the rule says ``files``, strictly confidential records unless the
rule's ceiling allows them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from svidok.core.actors import LEVELS, Actor
from svidok.core.messages import M_
from svidok.domain import people
from svidok.interop.share_format import PackageWriter, canonical, x25519_public
from svidok.schemas.filters import IncidentFilter
from svidok.storage.models import (
    Act,
    EvidenceItem,
    Incident,
    IncidentSource,
    Perpetrator,
    Person,
    PersonName,
    Qualification,
    SharePackage,
    ShareRecord,
    Source,
    Victim,
)

from . import incident_queries, ledger
from .export_data import PlaceIndex
from .sharing import own_keys, require_admin, require_partner

if TYPE_CHECKING:
    from svidok.app import Svidok

CHUNK = 2000


class _Hashing:
    """A binary file wrapper that hashes what passes through."""

    def __init__(self, out: IO[bytes]):
        self.out, self.sha = out, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def sha(data: dict) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def _consent_clause(consent: str):
    column = Source.consent_share_prosecutors if consent == "share_prosecutors" else Source.consent_publish

    def linked(*extra):
        return (select(IncidentSource.incident_id).join(Source, Source.id == IncidentSource.source_id)
                .where(IncidentSource.incident_id == Incident.id, Source.deleted_at.is_(None), *extra).exists())

    # As for publication: an incident whose every source refused is withheld; one without sources is not.
    return ~linked() | linked(column.is_(True)), column


class _Redactor:
    def __init__(self, places: PlaceIndex, coordinates: str):
        self.places, self.coarse = places, coordinates == "hromada"

    def place_code(self, place_id: int | None) -> str | None:
        p = self.places.get(place_id)
        if p is None:
            return None
        if self.coarse and p.level in ("settlement", "facility"):
            p = self.places.ancestor(place_id, "hromada") or self.places.ancestor(place_id, "raion") or p
        return p.code

    def point(self, inc) -> tuple[float | None, float | None, str | None]:
        if not self.coarse or inc.lat is None:
            return inc.lat, inc.lon, inc.location_precision
        h = self.places.ancestor(inc.place_id, "hromada")
        if h is not None and h.lat is not None:
            return h.lat, h.lon, "hromada"
        # No hromada centre on record: a 0.1° grid (about 10 km) hides the exact point as well.
        return round(inc.lat, 1), round(inc.lon, 1), "hromada"


def export(app: Svidok, actor: Actor, partner_name: str, out: IO[bytes],
           progress: Callable[[int], None] | None = None) -> dict:
    """Write the package for ``partner_name`` to ``out``; record it (sequence, counts, provenance)."""
    require_admin(actor)
    ident, _, signer = own_keys(app)
    with app.db.session() as s:
        partner, rule = require_partner(s, partner_name)
        partner_id = partner.id
        sequence = (s.scalar(select(SharePackage.sequence).where(SharePackage.partner_id == partner_id,
                                                                  SharePackage.direction == "sent")
                             .order_by(SharePackage.sequence.desc()).limit(1)) or 0) + 1
        sent = {(r.entity, r.local_id): (r.id, r.content_sha256, r.status, r.origin_org, r.origin_id, r.origin_version)
                for r in s.execute(select(ShareRecord.id, ShareRecord.entity, ShareRecord.local_id, ShareRecord.content_sha256,
                                          ShareRecord.status, ShareRecord.origin_org, ShareRecord.origin_id,
                                          ShareRecord.origin_version)
                                   .where(ShareRecord.partner_id == partner_id, ShareRecord.direction == "sent"))}
        # Records received from elsewhere keep their origin; those from this partner are not echoed back.
        received: dict[tuple[str, int], tuple] = {}
        for r in s.execute(select(ShareRecord.entity, ShareRecord.local_id, ShareRecord.partner_id, ShareRecord.origin_org,
                                  ShareRecord.origin_id, ShareRecord.origin_version).where(ShareRecord.direction == "received")):
            received[(r.entity, r.local_id)] = (r.partner_id, r.origin_org, r.origin_id, r.origin_version)
        rule_view = {"filter": rule.filter, "ceiling": rule.ceiling, "consent": rule.consent,
                     "coordinates": rule.coordinates, "evidence": rule.evidence, "victim_names": rule.victim_names}
        manifest = {"sender": {"organisation": ident.organisation, "signing_key": ident.signing_key,
                               "encryption_key": ident.encryption_key},
                    "recipient": {"organisation": partner.organisation, "encryption_key": partner.encryption_key},
                    "sequence": sequence, "created": datetime.now(UTC).isoformat(timespec="seconds"), "rule": rule_view}
        recipient_key = partner.encryption_key
        partner_org = partner.organisation
    sink = _Hashing(out)
    writer = PackageWriter(sink, x25519_public(recipient_key), signer, manifest)
    counts = {"incidents": 0, "persons": 0, "sources": 0, "victims": 0, "evidence_hashes": 0, "withdrawn": 0}
    state: dict[tuple[str, int], tuple[int, str, str, int, int]] = {}  # what this package says, to record
    origins: set[tuple[str, str, int]] = set()

    def provenance(entity: str, obj) -> dict | None:
        got = received.get((entity, obj.id))
        if got is not None:
            if got[0] == partner_id:
                return None
            return {"org": got[1], "id": got[2], "version": got[3]}
        return {"org": ident.organisation, "id": obj.id, "version": obj.version}

    def emit(entity: str, obj, data: dict) -> bool:
        origin = provenance(entity, obj)
        if origin is None:
            return False
        once = (entity, origin["org"], origin["id"])
        if once in origins:  # the same third-party record received through two partners: sent once
            return False
        origins.add(once)
        body = canonical(data)  # serialised once: the line carries it and its hash is the record's content hash
        writer.write_record({"type": entity, "ref": obj.id, "origin": origin}, body)
        state[(entity, obj.id)] = (obj.version, hashlib.sha256(body).hexdigest(), origin["org"], origin["id"], origin["version"])
        counts[entity + "s"] += 1
        return True

    levels = LEVELS[: LEVELS.index(rule_view["ceiling"]) + 1]
    consenting, consent_column = _consent_clause(rule_view["consent"])
    with app.db.session() as s:
        places = PlaceIndex(s)
        red = _Redactor(places, rule_view["coordinates"])
        conds = incident_queries.conditions(app, s, actor, IncidentFilter.model_validate(rule_view["filter"]))
        conds += [Incident.confidentiality.in_(levels), consenting]
        persons_done: set[int] = set()
        sources_done: set[int] = set()
        after = 0
        while True:
            # Plain rows, not ORM objects: a third of the export's time went into building instances.
            chunk = s.execute(select(*Incident.__table__.c).where(*conds, Incident.id > after)
                              .order_by(Incident.id).limit(CHUNK)).all()
            if not chunk:
                break
            after = chunk[-1].id
            _chunk(s, writer, chunk, red, rule_view, levels, consent_column, persons_done, sources_done, emit, counts)
            if progress:
                progress(len(chunk))
        withdrawn = []
        for (entity, local_id), (rid, _, status, org, oid, over) in sent.items():
            if status == "active" and (entity, local_id) not in state:
                gone = s.execute(select(_model(entity).deleted_reason, _model(entity).deleted_at)
                                 .where(_model(entity).id == local_id)).first()
                reason = f"withdrawn: {gone.deleted_reason}" if gone and gone.deleted_at else "no longer shared with you"
                writer.write({"type": "withdraw", "entity": entity, "origin": {"org": org, "id": oid, "version": over},
                              "reason": reason})
                withdrawn.append(rid)
                counts["withdrawn"] += 1
        files_sent = _files(app, s, writer, [i for (e, i) in state if e == "incident"], levels, counts) \
            if rule_view["evidence"] == "files" else []
    digest = writer.finish(counts)
    with app.db.session() as s:
        if files_sent:
            from . import evidence

            for item in (x for i in range(0, len(files_sent), CHUNK)
                         for x in s.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(files_sent[i:i + CHUNK])))):
                evidence.add_custody(s, actor, item, "export",
                                     f"sent to {partner_org} in exchange package {sequence} ({partner_name})")
        pkg = SharePackage(partner_id=partner_id, direction="sent", sequence=sequence, sha256=sink.sha.hexdigest(),
                           created_at=datetime.fromisoformat(manifest["created"]), actor=actor.username, counts=counts)
        s.add(pkg)
        s.flush()
        _record_sent(s, partner_id, pkg.id, sent, state, withdrawn)
        ledger.append(s, actor.username, "share.export", "share_partner", partner_name,
                      {"sequence": sequence, "sha256": pkg.sha256, "lines_sha256": digest, "counts": counts})
    return {"partner": partner_name, "sequence": sequence, "sha256": sink.sha.hexdigest(), "bytes": writer.bytes_written,
            "counts": counts}


def _model(entity: str):
    return {"incident": Incident, "person": Person, "source": Source}[entity]


def _record_sent(s: Session, partner_id: int, package_id: int, sent: dict, state: dict, withdrawn: list[int]) -> None:
    new, changed = [], []
    for (entity, local_id), (version, digest, org, oid, over) in state.items():
        before = sent.get((entity, local_id))
        if before is None:
            new.append({"partner_id": partner_id, "direction": "sent", "entity": entity, "local_id": local_id,
                        "origin_org": org, "origin_id": oid, "origin_version": over, "content_sha256": digest,
                        "local_version": version, "package_id": package_id, "status": "active"})
        elif before[1] != digest or before[2] != "active":
            changed.append({"rid": before[0], "v": version, "d": digest, "ov": over, "p": package_id})
    for i in range(0, len(new), 5000):
        s.execute(insert(ShareRecord.__table__), new[i:i + 5000])
    if changed:
        from sqlalchemy import bindparam

        s.connection().execute(update(ShareRecord).where(ShareRecord.id == bindparam("rid")).values(
            local_version=bindparam("v"), content_sha256=bindparam("d"), origin_version=bindparam("ov"),
            package_id=bindparam("p"), status="active"), changed)
    for i in range(0, len(withdrawn), 5000):
        s.execute(update(ShareRecord).where(ShareRecord.id.in_(withdrawn[i:i + 5000]))
                  .values(status="withdrawn", package_id=package_id))


def _chunk(s: Session, writer: PackageWriter, chunk: list, red: _Redactor, rule: dict, levels: tuple, consent_column,
           persons_done: set, sources_done: set, emit, counts: dict) -> None:
    ids = [i.id for i in chunk]
    acts: dict[int, list] = {}
    for a in s.execute(select(Act.id, Act.incident_id, Act.violation_type, Act.means, Act.description, Act.date_start)
                       .where(Act.incident_id.in_(ids), Act.deleted_at.is_(None)).order_by(Act.id)):
        acts.setdefault(a.incident_id, []).append(a)
    act_ids = [a.id for lst in acts.values() for a in lst]
    victims: dict[int, list] = {}
    quals: dict[int, list] = {}
    perps: dict[int, list] = {}
    if act_ids:
        for v in s.execute(select(*Victim.__table__.c).where(Victim.act_id.in_(act_ids)).order_by(Victim.id)):
            victims.setdefault(v.act_id, []).append(v)
        for act_id, provision in s.execute(select(Qualification.act_id, Qualification.provision)
                                           .where(Qualification.act_id.in_(act_ids)).order_by(Qualification.id)):
            quals.setdefault(act_id, []).append(provision)
        for act_id, desc, mode in s.execute(select(Perpetrator.act_id, Perpetrator.description, Perpetrator.mode)
                                            .where(Perpetrator.act_id.in_(act_ids)).order_by(Perpetrator.id)):
            perps.setdefault(act_id, []).append({"description": desc, "mode": mode})
    shared_persons: set[int] = set()
    if rule["victim_names"]:
        wanted = {v.person_id for lst in victims.values() for v in lst if v.person_id} - persons_done
        if wanted:
            names: dict[int, list] = {}
            for n in s.execute(select(*PersonName.__table__.c).where(PersonName.person_id.in_(wanted)).order_by(PersonName.id)):
                names.setdefault(n.person_id, []).append({"name": n.name, "script": n.script, "lang": n.lang, "kind": n.kind})
            for p in s.execute(select(*Person.__table__.c).where(Person.id.in_(wanted), Person.deleted_at.is_(None),
                                                                 Person.confidentiality.in_(levels)).order_by(Person.id)):
                if emit("person", p, _person(p, red, names.get(p.id, []))):
                    persons_done.add(p.id)
        shared_persons = persons_done
    srcs: dict[int, list[int]] = {}
    for iid, sid in s.execute(select(IncidentSource.incident_id, IncidentSource.source_id)
                              .join(Source, Source.id == IncidentSource.source_id)
                              .where(IncidentSource.incident_id.in_(ids), Source.deleted_at.is_(None),
                                     consent_column.is_(True))
                              .order_by(IncidentSource.source_id)):
        srcs.setdefault(iid, []).append(sid)
    # Sources travel only as kind, pseudonym and grades (never the identity), so the incident's level,
    # not the source record's, decides: a protected identity does not hide that a witness exists.
    wanted_sources = {sid for lst in srcs.values() for sid in lst} - sources_done
    if wanted_sources:
        for src in s.execute(select(*Source.__table__.c).where(Source.id.in_(wanted_sources)).order_by(Source.id)):
            if emit("source", src, {"kind": src.kind, "description": src.description, "pseudonym": src.pseudonym,
                                    "reliability": src.reliability, "credibility": src.credibility,
                                    "confidentiality": src.confidentiality,
                                    "synthetic": src.synthetic}):
                sources_done.add(src.id)
    evidence: dict[int, list] = {}
    if rule["evidence"] in ("hashes", "files"):
        for e in s.execute(select(EvidenceItem.incident_id, EvidenceItem.sha256, EvidenceItem.size, EvidenceItem.media_type)
                           .where(EvidenceItem.incident_id.in_(ids), EvidenceItem.deleted_at.is_(None),
                                  EvidenceItem.confidentiality.in_(levels)).order_by(EvidenceItem.id)):
            evidence.setdefault(e.incident_id, []).append({"sha256": e.sha256, "size": e.size, "media_type": e.media_type})
    for inc in chunk:
        lat, lon, precision = red.point(inc)
        data = {
            "title": inc.title, "narrative": inc.narrative, "narrative_i18n": inc.narrative_i18n,
            "date_start": inc.date_start, "date_end": inc.date_end, "place": red.place_code(inc.place_id),
            "lat": lat, "lon": lon, "location_precision": precision, "verification_status": inc.verification_status,
            "confidentiality": inc.confidentiality,
            "acts": [{"violation_type": a.violation_type, "means": a.means, "description": a.description,
                      "date_start": a.date_start, "qualifications": quals.get(a.id, []), "perpetrators": perps.get(a.id, []),
                      "victims": [{"person": v.person_id if v.person_id in shared_persons else None, "count": v.count,
                                   "group_description": v.group_description, "harm": v.harm, "status": v.status,
                                   "sex": v.sex, "age": v.age, "age_band": v.age_band,
                                   "characteristics": people.unpack(v.characteristics)}
                                  for v in victims.get(a.id, [])]} for a in acts.get(inc.id, [])],
            "sources": [sid for sid in srcs.get(inc.id, []) if sid in sources_done],
            "evidence": evidence.get(inc.id, []), "synthetic": inc.synthetic,
        }
        if emit("incident", inc, data):
            counts["victims"] += sum(len(a["victims"]) for a in data["acts"])
            counts["evidence_hashes"] += len(data["evidence"])


def _files(app: Svidok, s: Session, writer: PackageWriter, incident_ids: list[int], levels, counts: dict) -> list[int]:
    """The evidence files of the incidents sent (each file once, after the records), read from the
    store and checked against their SHA-256; returns the evidence items sent (custody is recorded
    with the package). A file that no longer matches its hash stops the export: nothing is recorded."""
    import base64

    from .evidence import evidence_store
    from .evidence_reading import StoredFileChanged

    store = evidence_store(app)
    sent: list[int] = []
    done: set[str] = set()
    counts["evidence_files"] = 0
    for i in range(0, len(incident_ids), CHUNK):
        rows = s.execute(select(EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.size, EvidenceItem.media_type)
                         .where(EvidenceItem.incident_id.in_(incident_ids[i:i + CHUNK]), EvidenceItem.deleted_at.is_(None),
                                EvidenceItem.confidentiality.in_(levels)).order_by(EvidenceItem.id)).all()
        for r in rows:
            sent.append(r.id)
            if r.sha256 in done:
                continue
            with store.open(r.sha256) as fh:
                body = fh.read()
            if hashlib.sha256(body).hexdigest() != r.sha256:
                raise StoredFileChanged(M_("evidence item %(id)s: the stored file no longer matches its SHA-256 %(sha256)s; "
                                           "nothing was exported; run `svidok verify`", id=r.id, sha256=r.sha256))
            writer.write({"type": "file", "sha256": r.sha256, "size": r.size, "media_type": r.media_type,
                          "data": base64.b64encode(body).decode()})
            done.add(r.sha256)
            counts["evidence_files"] += 1
    return sent


def _person(p, red: _Redactor, names: list[dict]) -> dict:
    return {"full_name": p.full_name, "family_name": p.family_name, "given_name": p.given_name,
            "patronymic": p.patronymic, "sex": p.sex, "birth_date": p.birth_date, "age_band": p.age_band,
            "status": p.status, "life_status": p.life_status, "characteristics": people.unpack(p.characteristics),
            "residence_place": red.place_code(p.residence_place_id), "confidentiality": p.confidentiality,
            "names": names, "synthetic": p.synthetic}
