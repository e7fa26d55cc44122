"""Rows of the local tables for records received in a package (``services.share_import``).

Each builder returns complete rows (every column, in a fixed order) so the bulk path can
insert a batch of them at once; the same rows replace a changed record's children.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from svidok.domain import dates, people
from svidok.domain.vocab import Vocabularies

from .incidents import search_text
from .persons import name_keys, script_of


class Ids:
    """Ids for new rows: reserved from the sequence in blocks (PostgreSQL; unused ones leave gaps, as
    sequences do) or after the table's maximum (SQLite, whose write lock the import holds throughout)."""

    BLOCK = 5000

    def __init__(self, s: Session):
        self.s, self.pg = s, s.get_bind().dialect.name == "postgresql"
        self.next: dict[str, int] = {}
        self.pool: dict[str, list[int]] = {}

    def take(self, table: str, n: int = 1) -> list[int]:
        if n <= 0:
            return []
        if self.pg:
            pool = self.pool.setdefault(table, [])
            if len(pool) < n:
                pool += self.s.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                                            "FROM generate_series(1, :n)"), {"n": max(n, self.BLOCK)}).scalars()
            out, self.pool[table] = pool[:n], pool[n:]
            return out
        if table not in self.next:
            self.next[table] = (self.s.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0) + 1
        start = self.next[table]
        self.next[table] = start + n
        return list(range(start, start + n))


def record_columns(ident: int, now: datetime, actor: str, namespace: str, key: str, synthetic: bool, version: int = 1) -> dict:
    return {"id": ident, "version": version, "created_at": now, "updated_at": now, "created_by": actor,
            "deleted_at": None, "deleted_reason": None, "synthetic": bool(synthetic),
            "import_source": namespace, "source_key": key}


def source_row(base: dict, d: dict) -> dict:
    # Identity and contacts never travel; consent was given to the sender, so none is assumed here.
    return {**base, "confidentiality": d.get("confidentiality") or "restricted", "case_id": None,
            "kind": d.get("kind") or "unknown", "description": d.get("description"), "pseudonym": d.get("pseudonym") or "?",
            "reliability": d.get("reliability") or "F", "credibility": d.get("credibility") or "6",
            "identity_protected": True, "identity_enc": None, "contact_enc": None, "url": None,
            "consent_contact": False, "consent_share_prosecutors": False, "consent_publish": False, "risk": None}


def person_rows(base: dict, d: dict, place_id: int | None, ids: Ids) -> dict[str, list[dict]]:
    bd = dates.parse_optional(d.get("birth_date"))
    pid = base["id"]
    person = {**base, "confidentiality": d.get("confidentiality") or "restricted", "case_id": None,
              "full_name": d["full_name"], "family_name": d.get("family_name"), "given_name": d.get("given_name"),
              "patronymic": d.get("patronymic"), "sex": d.get("sex") or "unknown",
              "birth_date": bd.to_iso() if bd else None, "birth_lo": bd.lo if bd else None, "birth_hi": bd.hi if bd else None,
              "age_band": d.get("age_band"), "status": d.get("status") or "unknown",
              "life_status": d.get("life_status") or "unknown", "characteristics": people.pack(d.get("characteristics") or []),
              "residence_place_id": place_id, "address_enc": None, "contact_enc": None, "notes": None, "merged_into_id": None}
    names = d.get("names") or []
    name_ids = ids.take("person_names", len(names))
    keys = sorted(name_keys(d["full_name"], [n["name"] for n in names]))
    key_ids = ids.take("person_name_keys", len(keys))
    return {"persons": [person],
            "person_names": [{"id": i, "person_id": pid, "name": n["name"], "script": n.get("script") or script_of(n["name"]),
                              "lang": n.get("lang"), "kind": n.get("kind") or "as_recorded"} for i, n in zip(name_ids, names)],
            "person_name_keys": [{"id": i, "person_id": pid, "key": k} for i, k in zip(key_ids, keys)]}


def incident_fields(d: dict, place_id: int | None) -> dict:
    start = dates.parse(d["date_start"])
    end = dates.parse_optional(d.get("date_end"))
    return {"confidentiality": d.get("confidentiality") or "restricted", "case_id": None, "title": d["title"],
            "narrative": d.get("narrative"), "narrative_i18n": d.get("narrative_i18n"),
            "date_start": start.to_iso(), "date_end": end.to_iso() if end else None,
            "date_lo": start.lo, "date_hi": (end or start).hi, "place_id": place_id, "lat": d.get("lat"), "lon": d.get("lon"),
            "location_precision": d.get("location_precision"), "verification_status": d.get("verification_status") or "unverified",
            "search_text": search_text(d["title"], d.get("narrative"), d.get("narrative_i18n"))}


def incident_children(incident_id: int, d: dict, now: datetime, actor: str, namespace: str, ids: Ids,
                      persons: dict[int, int], sources: dict[int, int], vocab: Vocabularies) -> dict[str, list[dict]]:
    """Acts, victims, qualifications, perpetrators and source links of a received incident.

    ``persons`` and ``sources`` map the package's references to local ids; a victim whose
    person did not travel is kept as an anonymous victim.
    """
    acts = d.get("acts") or []
    out: dict[str, list[dict]] = {"acts": [], "victims": [], "qualifications": [], "perpetrators": [], "incident_sources": []}
    for act_id, a in zip(ids.take("acts", len(acts)), acts):
        out["acts"].append({**record_columns(act_id, now, actor, None, None, d.get("synthetic", False)),
                            "incident_id": incident_id, "violation_type": a["violation_type"], "means": a.get("means"),
                            "description": a.get("description"), "date_start": a.get("date_start")})
        quals, perps, victims = a.get("qualifications") or [], a.get("perpetrators") or [], a.get("victims") or []
        out["qualifications"] += [{"id": i, "act_id": act_id, "provision": q, "note": None}
                                  for i, q in zip(ids.take("qualifications", len(quals)), quals)]
        out["perpetrators"] += [{"id": i, "act_id": act_id, "organisation_id": None, "person_id": None,
                                 "description": p.get("description"), "mode": p.get("mode") or "unknown"}
                                for i, p in zip(ids.take("perpetrators", len(perps)), perps)]
        for i, v in zip(ids.take("victims", len(victims)), victims):
            age = v.get("age")
            out["victims"].append({"id": i, "act_id": act_id, "person_id": persons.get(v.get("person")),
                                   "count": v.get("count") or 1, "group_description": v.get("group_description"),
                                   "harm": v["harm"], "status": v.get("status") or "unknown", "sex": v.get("sex") or "unknown",
                                   "age": age, "age_band": v.get("age_band") or people.age_band(vocab, age),
                                   "characteristics": people.pack(v.get("characteristics") or [])})
    out["incident_sources"] = [{"incident_id": incident_id, "source_id": sources[r], "note": None}
                               for r in dict.fromkeys(d.get("sources") or []) if r in sources]
    return out


def place_ids(s: Session) -> dict[str, int]:
    from svidok.storage.models import Place

    return dict(s.execute(select(Place.code, Place.id)).all())

