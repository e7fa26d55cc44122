"""One batch of checked spreadsheet rows -> table rows, inserted in the caller's transaction.

Rows sharing an incident key form one incident; each row is one act (with its victim,
person, perpetrator and qualifications), the granularity of the events-and-acts model.
Source keys make a batch idempotent: an incident, person or source whose
``(import_source, source_key)`` is already stored is reused, and a row whose act
(``acts.source_key`` = the row key) is already stored adds nothing.
Ids are reserved up front (a PostgreSQL sequence or SQLite's max id), so the whole batch
goes in with one multi-row insert per table (the bulk path of ``services.bulk``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.domain import names, people
from svidok.interop.convert import ParsedRow
from svidok.storage.models import Act, Base, Incident, Person, Source

from . import bulk
from .demo_data import Batch
from .incidents import _incident_age, search_text
from .persons import script_of
from .rowsets import Rows

_CHUNK = 900  # stays under SQLite's bound-parameter limit on old builds

#: Column order of the tuples each table gets (``services.rowsets.Rows``), and per table the
#: values all its rows share; records (``_RECORDS``) also share the audit columns.
_LAYOUT = {
    "incidents": ("id", "source_key", "confidentiality", "title", "narrative", "narrative_i18n", "date_start", "date_end",
                  "date_lo", "date_hi", "place_id", "lat", "lon", "location_precision", "verification_status",
                  "search_text"),
    "persons": ("id", "source_key", "confidentiality", "full_name", "family_name", "given_name", "patronymic", "sex",
                "birth_date", "birth_lo", "birth_hi", "status", "life_status", "characteristics", "residence_place_id",
                "address_enc", "contact_enc", "notes"),
    "person_names": ("id", "person_id", "name", "script"),
    "person_name_keys": ("id", "person_id", "key"),
    "sources": ("id", "source_key", "confidentiality", "kind", "description", "pseudonym", "reliability", "credibility",
                "identity_enc", "contact_enc", "url", "consent_contact", "consent_share_prosecutors", "consent_publish",
                "risk"),
    "acts": ("id", "source_key", "incident_id", "violation_type", "means", "description", "date_start"),
    "qualifications": ("id", "act_id", "provision"),
    "perpetrators": ("id", "act_id", "description", "mode"),
    "victims": ("id", "act_id", "person_id", "count", "group_description", "harm", "status", "sex", "age", "age_band",
                "characteristics"),
    "incident_sources": ("incident_id", "source_id"),
}
_CONSTANTS = {
    "persons": {"age_band": None, "merged_into_id": None},
    "person_names": {"lang": None, "kind": "as_recorded"},
    "sources": {"identity_protected": True},
    "qualifications": {"note": None},
    "perpetrators": {"organisation_id": None, "person_id": None},
    "incident_sources": {"note": None},
}
_RECORDS = ("incidents", "persons", "sources", "acts")


@dataclass
class Group:
    """The rows of one incident (adjacent in the file)."""

    key: str
    rows: list[ParsedRow] = field(default_factory=list)


@dataclass
class BatchCounts:
    rows_new: int = 0
    rows_existing: int = 0
    incidents: int = 0
    acts: int = 0
    persons: int = 0
    sources: int = 0

    def add(self, other: BatchCounts) -> None:
        for k, v in vars(other).items():
            setattr(self, k, getattr(self, k) + v)


def existing_keys(s: Session, model, import_source: str, keys: Iterable[str]) -> dict[str, int]:
    """source_key -> id of the records this import already stored.

    One statement for the whole batch, the keys passed as one JSON (SQLite) or array
    (PostgreSQL) parameter: an ``IN`` list of thousands of bound keys costs more to build
    than to look up.
    """
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    table = model.__table__.name
    if s.get_bind().dialect.name == "postgresql":
        where, param = "source_key = ANY(:keys)", keys
    else:
        where, param = "source_key IN (SELECT value FROM json_each(:keys))", json.dumps(keys)
    got = s.execute(text(f"SELECT source_key, id FROM {table} WHERE import_source = :src AND {where}"),
                    {"src": import_source, "keys": param})
    return dict(got.all())


def existing_act_keys(s: Session, import_source: str, incident_ids: list[int]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(incident_ids), _CHUNK):
        out.update(s.scalars(select(Act.source_key).where(
            Act.incident_id.in_(incident_ids[i:i + _CHUNK]), Act.import_source == import_source)))
    return out


class IdBlock:
    """Ids reserved for one batch, per table."""

    def __init__(self, s: Session, needs: dict[str, int]):
        self.ids: dict[str, Iterable[int]] = {}
        tables = Base.metadata.tables
        pg = s.get_bind().dialect.name == "postgresql"
        for name, n in needs.items():
            if n <= 0:
                continue
            if pg:
                seq = f"pg_get_serial_sequence('{name}', 'id')"
                # Keep the sequence ahead of rows that were inserted with explicit ids.
                s.execute(text(f"SELECT setval({seq}, GREATEST((SELECT COALESCE(max(id), 0) FROM {name}), "
                               f"(SELECT last_value FROM {name}_id_seq)))"))
                got = s.scalars(text(f"SELECT nextval({seq}) FROM generate_series(1, :n)"), {"n": n}).all()
                self.ids[name] = iter(got)
            else:
                start = (s.scalar(select(func.max(tables[name].c.id))) or 0) + 1
                self.ids[name] = iter(range(start, start + n))

    def __call__(self, table: str) -> int:
        return next(self.ids[table])  # type: ignore[call-overload]


class RunIds:
    """Ids counted on from the highest stored when the run started planning, per table."""

    TABLES = ("incidents", "persons", "sources", "person_names", "person_name_keys", "acts", "victims",
              "perpetrators", "qualifications")

    def __init__(self, s: Session):
        tables = Base.metadata.tables
        self.next = {t: (s.scalar(select(func.max(tables[t].c.id))) or 0) + 1 for t in self.TABLES}

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class BatchWriter:
    """Builds and inserts one batch; ``dry`` only counts what would be added."""

    def __init__(self, app, actor: Actor, import_source: str, synthetic: bool = False):
        self.app = app
        self.actor = actor
        self.source = import_source
        self.synthetic = synthetic
        self.now = datetime.now(UTC)
        self._bands: dict[int | None, str | None] = {}
        self._dates: dict[str, object] = {}
        self.ids: RunIds | None = None  # see ahead_of_the_writer
        self.made: dict[str, dict[str, int]] | None = None

    def _date(self, text: str):
        """A parsed partial date; the same few thousand dates recur on every row of a big file."""
        got = self._dates.get(text)
        if got is None:
            from svidok.domain import dates

            got = dates.parse(text)
            if len(self._dates) < 100_000:
                self._dates[text] = got
        return got

    def _new_batch(self) -> Batch:
        """A batch whose tables are ``Rows`` of storage-form tuples (see ``services.rowsets``)."""
        audit = {"version": 1, "created_at": self.now, "updated_at": self.now, "created_by": self.actor.username,
                 "synthetic": self.synthetic, "deleted_at": None, "deleted_reason": None,
                 "import_source": self.source}
        b = Batch()
        for table, columns in _LAYOUT.items():
            constants = {**audit, **({"case_id": None} if table != "acts" else {})} if table in _RECORDS else {}
            b.rows[table] = Rows(columns, {**constants, **_CONSTANTS.get(table, {})})
        return b

    def write(self, s: Session, groups: list[Group], dry: bool = False) -> BatchCounts:
        """Build and insert one batch in the caller's transaction (``dry``: only count)."""
        b, c = self.plan(s, groups, dry)
        if b is not None:
            insert(s, b)
        return c

    def ahead_of_the_writer(self, s: Session) -> None:
        """Plan batches before the earlier ones are committed (``services.import_pipeline``).

        Ids are then counted on from the highest stored now, and the keys of records this
        run created are remembered, since the database does not hold them yet. Nothing else
        may add records of these tables meanwhile (a command-line import of a big file).
        """
        self.ids = RunIds(s)
        self.made = {"incidents": {}, "persons": {}, "sources": {}}

    def _known(self, s: Session, model, table: str, keys: Iterable[str]) -> dict[str, int]:
        """key -> id of records already stored (or, planning ahead, created by this run)."""
        if self.made is None:
            return existing_keys(s, model, self.source, keys)
        made = self.made[table]
        keys = list(dict.fromkeys(keys))
        out = {k: made[k] for k in keys if k in made}
        out.update(existing_keys(s, model, self.source, [k for k in keys if k not in made]))
        return out

    def plan(self, s: Session, groups: list[Group], dry: bool = False) -> tuple[Batch | None, BatchCounts]:
        """The rows one batch adds (None when dry or nothing is new) and its counts; writes nothing."""
        c = BatchCounts()
        inc_ids = self._known(s, Incident, "incidents", (g.key for g in groups))
        stored = [i for k, i in inc_ids.items() if self.made is None or k not in self.made["incidents"]]
        # (acts of incidents this run created are all new: row keys are unique within a file)
        done_rows = existing_act_keys(s, self.source, stored) if stored else set()
        todo: list[tuple[Group, list[ParsedRow]]] = []
        for g in groups:
            rows = g.rows
            if g.key in inc_ids:
                # Without acts the incident is the whole record; with acts, rows whose act is stored are done.
                rows = [r for r in rows if r.row_key not in done_rows] if "act" in rows[0].parts else []
            c.rows_existing += len(g.rows) - len(rows)
            if rows:
                todo.append((g, rows))
        all_rows = [r for _, rows in todo for r in rows]
        c.rows_new = len(all_rows)
        person_ids = self._known(s, Person, "persons", (r.person_key for r in all_rows if r.person_key))
        source_ids = self._known(s, Source, "sources", (r.source_key for r in all_rows if r.source_key))
        new_persons = {r.person_key: r for r in all_rows if r.person_key and r.person_key not in person_ids}
        new_sources = {r.source_key: r for r in all_rows if r.source_key and r.source_key not in source_ids}
        new_incidents = [g for g, _ in todo if g.key not in inc_ids]
        has_act = bool(all_rows) and "act" in all_rows[0].parts
        c.incidents, c.persons, c.sources = len(new_incidents), len(new_persons), len(new_sources)
        c.acts = len(all_rows) if has_act else 0
        if dry or not all_rows:
            return None, c
        name_keys = {k: sorted({*names.search_keys(r.parts["person"]["full_name"])}) for k, r in new_persons.items()}
        needs = {"incidents": c.incidents, "persons": c.persons, "sources": c.sources, "person_names": c.persons,
                 "person_name_keys": sum(len(v) for v in name_keys.values()), "acts": c.acts,
                 "victims": sum(1 for r in all_rows if "victim" in r.parts),
                 "perpetrators": sum(1 for r in all_rows if r.parts.get("act", {}).get("perpetrator")),
                 "qualifications": sum(len(r.parts.get("act", {}).get("qualifications", [])) for r in all_rows)}
        ids = self.ids if self.ids is not None else IdBlock(s, needs)
        b = self._new_batch()
        for key, r in new_persons.items():
            person_ids[key] = self._person(b, ids, key, r, name_keys[key])
        for key, r in new_sources.items():
            source_ids[key] = self._source(b, ids, key, r)
        if self.made is not None:
            self.made["persons"].update((k, person_ids[k]) for k in new_persons)
            self.made["sources"].update((k, source_ids[k]) for k in new_sources)
        links: set[tuple[int, int]] = set()
        for g, rows in todo:
            iid = inc_ids.get(g.key)
            first_new, day = iid is None, None
            if first_new:
                iid, day = self._incident(b, ids, g.key, rows[0])
                inc_ids[g.key] = iid
                if self.made is not None:
                    self.made["incidents"][g.key] = iid
            for r in rows:
                if r.source_key and (first_new or r.source_key in new_sources):
                    links.add((iid, source_ids[r.source_key]))
                if has_act:
                    self._act(b, ids, iid, r, person_ids.get(r.person_key) if r.person_key else None,
                              new_persons.get(r.person_key) if r.person_key else None, day)
        b.rows["incident_sources"].extend(sorted(links))
        return b, c

    # -- rows of each table ----------------------------------------------------------
    def _incident(self, b: Batch, ids: IdBlock, key: str, r: ParsedRow) -> tuple[int, date]:
        inc = r.parts["incident"]
        start = self._date(inc["date_start"])
        end = self._date(inc["date_end"]) if inc.get("date_end") else None
        place = inc.get("place")
        lat, lon, precision = inc.get("lat"), inc.get("lon"), inc.get("location_precision")
        if place and lat is None and place[1] is not None:
            lat, lon, precision = place[1], place[2], precision or place[3]
        i18n = {"uk": inc["narrative_uk"]} if inc.get("narrative_uk") else None
        iid = ids("incidents")
        b.rows["incidents"].append((
            iid, key, inc.get("confidentiality", "restricted"), inc["title"], inc.get("narrative"),
            json.dumps(i18n) if i18n is not None else None, start.to_iso(), end.to_iso() if end else None,
            start.lo.isoformat(), (end or start).hi.isoformat(), place[0] if place else None, lat, lon, precision,
            inc.get("verification_status", "unverified"), search_text(inc["title"], inc.get("narrative"), i18n)))
        b.incidents += 1
        return iid, start.lo

    def _person(self, b: Batch, ids: IdBlock, key: str, r: ParsedRow, keys: list[str]) -> int:
        p = r.parts["person"]
        v = r.parts.get("victim") or {}
        pid = ids("persons")
        bd = self._date(p["birth_date"]) if p.get("birth_date") else None
        place = p.get("residence_place")
        ring = self.app.keyring
        b.rows["persons"].append((
            pid, key, p.get("confidentiality", "restricted"), p["full_name"], p.get("family_name"), p.get("given_name"),
            p.get("patronymic"), p.get("sex") or v.get("sex") or "unknown", bd.to_iso() if bd else None,
            bd.lo.isoformat() if bd else None, bd.hi.isoformat() if bd else None,
            p.get("status") or v.get("status") or "unknown",
            p.get("life_status") or ("dead" if v.get("harm") == "killed" else "unknown"),
            people.pack(p.get("characteristics", [])), place[0] if place else None,
            ring.encrypt(p.get("address"), f"persons.address:{pid}"),
            ring.encrypt(p.get("contact"), f"persons.contact:{pid}"), p.get("notes")))
        b.rows["person_names"].append((ids("person_names"), pid, p["full_name"], script_of(p["full_name"])))
        for k in keys:
            b.rows["person_name_keys"].append((ids("person_name_keys"), pid, k))
        return pid

    def _source(self, b: Batch, ids: IdBlock, key: str, r: ParsedRow) -> int:
        src = r.parts["source"]
        sid = ids("sources")
        ring = self.app.keyring
        b.rows["sources"].append((
            sid, key, src.get("confidentiality", "confidential"), src["kind"], src.get("description"),
            src.get("pseudonym") or "SRC-" + secrets.token_hex(3).upper(), src.get("reliability", "F"),
            src.get("credibility", "6"), ring.encrypt(src.get("identity"), f"sources.identity:{sid}"),
            ring.encrypt(src.get("contact"), f"sources.contact:{sid}"), src.get("url"),
            int(bool(src.get("consent_contact", False))), int(bool(src.get("consent_share_prosecutors", False))),
            int(bool(src.get("consent_publish", False))), src.get("risk")))
        return sid

    def _act(self, b: Batch, ids: IdBlock, iid: int, r: ParsedRow, person_id: int | None,
             new_person: ParsedRow | None, day) -> None:
        a = r.parts["act"]
        aid = ids("acts")
        b.rows["acts"].append((aid, r.row_key, iid, a["violation_type"], a.get("means"), a.get("description"),
                               a.get("date_start")))
        for code in a.get("qualifications", []):
            b.rows["qualifications"].append((ids("qualifications"), aid, code))
        if a.get("perpetrator"):
            b.rows["perpetrators"].append((ids("perpetrators"), aid, a["perpetrator"], a.get("perpetrator_mode", "unknown")))
        v = r.parts.get("victim")
        if v is None:
            return
        person = (r.parts.get("person") or {}) if person_id else {}
        sex = v.get("sex") or person.get("sex") or "unknown"
        age = v.get("age")
        if age is None and person.get("birth_date") and day is not None:
            age = _incident_age(person["birth_date"], day)
        chars = people.characteristics_at_age([*v.get("characteristics", []), *person.get("characteristics", [])], age)
        b.rows["victims"].append((
            ids("victims"), aid, person_id, 1 if person_id else v.get("count", 1), v.get("group_description"), v["harm"],
            v.get("status") or person.get("status") or "unknown", sex, age, self._band(age), people.pack(chars)))

    def _band(self, age: int | None) -> str | None:
        band = self._bands.get(age, "")
        if band == "":
            band = self._bands[age] = people.age_band(self.app.vocab, age)
        return band


def insert(s: Session, b: Batch) -> None:
    """The batch's rows through the shared bulk path (``services.bulk.insert_batch``)."""
    bulk.insert_batch(s, b)
