"""Updating records in place from a spreadsheet imported before (``svidok import --update``).

The row key column (``keys.row``) of the first import maps each row to the act it created
(``acts.source_key``), and through it to its victim, person and incident. Re-reading the
file compares each row with what is stored, field by field over the fields the mapping
fills, and:

- a changed row gives its records a new version (incident, act, person), the changed
  fields listed per row in the report (the dry run shows them before anything is written);
- an unchanged row is left alone, a row with a new key is imported as usual;
- with ``withdraw_reason``, stored rows missing from the file are withdrawn with that
  reason (acts; an incident whose acts are all withdrawn, too); never deleted.

Everything is written in one transaction with its ledger entries, so a process killed
at any moment leaves the database as before or as after, never in between. A file whose
key column changed (missing, renamed in the mapping, keys no longer unique, or none of
its keys known) is refused before any write. The reading pass keeps one hash per stored
row, so a million-row file needs no copy of the stored records in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.domain import dates
from svidok.domain.ledger import content_hash
from svidok.interop import mapping as mapping_mod
from svidok.interop.convert import ParsedRow
from svidok.interop.tables import Table
from svidok.storage.models import Act, ImportRun, Incident, Person, RecordVersion, Victim

from . import ledger
from .import_rows import BatchWriter
from .imports import ImportReport, batches, checked_rows, file_sha256, open_file
from .incidents import _incident_age, search_text

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Fields compared per part (the mapping's own field names) and the stored column of each.
COMPARED: dict[str, dict[str, str]] = {
    "incident": {"title": "title", "narrative": "narrative", "date_start": "date_start", "date_end": "date_end",
                 "place": "place_id", "location_precision": "location_precision",
                 "verification_status": "verification_status", "confidentiality": "confidentiality"},
    "act": {"violation_type": "violation_type", "means": "means", "description": "description",
            "date_start": "date_start"},
    "victim": {"harm": "harm", "status": "status", "sex": "sex", "age": "age", "count": "count",
               "group_description": "group_description"},
    "person": {"full_name": "full_name", "family_name": "family_name", "given_name": "given_name",
               "patronymic": "patronymic", "birth_date": "birth_date", "notes": "notes"},
}
_ALIAS = {"incident": "i", "act": "a", "victim": "v", "person": "p"}
LISTED = 10_000  # changed rows listed in a report (all are counted)


@dataclass
class RowChange:
    row: int
    key: str
    changes: dict[str, list]  # "part.field" -> [stored, new]


@dataclass
class UpdateReport:
    """What an update changed (or, dry, would change)."""

    base: ImportReport
    rows_unchanged: int = 0
    rows_changed: int = 0
    rows_new: int = 0
    rows_withdrawn: int = 0
    incidents_withdrawn: int = 0
    versions: int = 0
    changed: list[RowChange] = field(default_factory=list)
    withdrawn_keys: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = self.base.to_dict()
        out.update(update=True, rows_unchanged=self.rows_unchanged, rows_changed=self.rows_changed,
                   rows_new=self.rows_new, rows_withdrawn=self.rows_withdrawn,
                   incidents_withdrawn=self.incidents_withdrawn, versions=self.versions,
                   changed=[{"row": c.row, "key": c.key, "changes": c.changes} for c in self.changed[:LISTED]],
                   withdrawn_keys=self.withdrawn_keys[:LISTED])
        return out


def _fields(mapping: mapping_mod.Mapping) -> dict[str, list[str]]:
    """The compared fields the mapping fills, per part."""
    return {part: [f for f in cols if f in mapping.part(part)] for part, cols in COMPARED.items()}


def _new_values(part: str, names: list[str], r: ParsedRow) -> tuple:
    """What the import would store for these fields of this row (as ``import_rows`` does)."""
    got = r.parts.get(part) or {}
    if part == "incident":
        return tuple((got.get(n) or (None,))[0] if n == "place" else
                     got.get(n, {"confidentiality": "restricted", "verification_status": "unverified"}.get(n))
                     for n in names)
    if part == "victim":
        person = (r.parts.get("person") or {}) if r.person_key else {}
        out = []
        for n in names:
            if n in ("sex", "status"):
                out.append(got.get(n) or person.get(n) or "unknown")
            elif n == "count":
                out.append(1 if r.person_key else got.get("count", 1))
            elif n == "age" and got.get("age") is None and person.get("birth_date"):
                day = dates.parse((r.parts.get("incident") or {}).get("date_start") or "").lo
                out.append(_incident_age(person["birth_date"], day))
            else:
                out.append(got.get(n))
        return tuple(out)
    if part == "person" and not r.person_key:
        return (None,) * len(names)
    return tuple(got.get(n) for n in names)


def _row_fields(fields: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(part, n) for part in ("act", "victim", "person") for n in fields[part]]


def _stored_sql(fields: dict[str, list[str]], by: str) -> str:
    cols = [f"{_ALIAS[p]}.{COMPARED[p][n]}" for p, n in _row_fields(fields)] if by == "row" else \
        [f"i.{COMPARED['incident'][n]}" for n in fields["incident"]]
    if by == "row":
        return (f"SELECT a.source_key{''.join(', ' + c for c in cols)} FROM acts a "
                "LEFT JOIN victims v ON v.act_id = a.id LEFT JOIN persons p ON p.id = v.person_id "
                "WHERE a.import_source = :src AND a.deleted_at IS NULL")
    return (f"SELECT i.source_key{''.join(', ' + c for c in cols)} FROM incidents i "
            "WHERE i.import_source = :src AND i.deleted_at IS NULL")


def _refuse_changed_keys(app: Svidok, mapping: mapping_mod.Mapping) -> None:
    if not mapping.keys.row or not mapping.act:
        raise ValidationFailed(FieldError("keys.row", "updating in place needs a mapping with a row key "
                                          "(keys: row:) and acts: each row is matched to the act it created"))
    with app.db.session() as s:
        first = s.scalar(select(ImportRun).where(ImportRun.name == f"import:{mapping.name}",
                                                 ImportRun.status == "finished").order_by(ImportRun.id).limit(1))
    if first is not None:
        before = (first.mapping or {}).get("keys", {})
        now = mapping.keys.model_dump(exclude_defaults=True)
        for k in ("row", "incident"):
            if before.get(k, []) != now.get(k, []):
                raise ValidationFailed(FieldError(f"keys.{k}", (
                    f"the {k} key column changed since the first import of {mapping.name!r} "
                    f"(was {before.get(k)}, now {now.get(k)}); rows cannot be matched to their records. "
                    "Keep the original key column, or import under a new mapping name")))


def run(app: Svidok, actor: Actor, path: Path | str, mapping: mapping_mod.Mapping, dry_run: bool = False,
        withdraw_reason: str | None = None, progress: Callable[[int], None] | None = None,
        table: Table | None = None) -> UpdateReport:
    """Update the records an earlier import of this mapping created; see the module docstring.

    ``table``: rows already read from ``path`` by another reader (form submissions).
    """
    path = Path(path)
    if not dry_run:
        access.require_writer(actor)
    if withdraw_reason is not None and not withdraw_reason.strip():
        raise ValidationFailed(FieldError("withdraw_reason", "give a reason for withdrawing the missing rows"))
    _refuse_changed_keys(app, mapping)
    table, conv = open_file(app, path, mapping, table)
    base = ImportReport(path.name, file_sha256(path), mapping.name, dry_run, notes=list(table.notes))
    rep = UpdateReport(base)
    fields = _fields(mapping)
    src = mapping.name
    with app.db.session() as s:  # one hash per stored row: the file is compared without a copy of the records
        stored = {k: hash(tuple(v)) for k, *v in s.execute(text(_stored_sql(fields, "row")), {"src": src})}
        stored_inc = {k: hash(tuple(v)) for k, *v in s.execute(text(_stored_sql(fields, "incident")), {"src": src})}
    changed: list[ParsedRow] = []
    new_rows: list[ParsedRow] = []
    inc_changed: dict[str, ParsedRow] = {}
    inc_seen: set[str] = set()
    by_part = {p: fields[p] for p in ("act", "victim", "person")}
    n = 0
    for r in checked_rows(table, conv, base):
        n += 1
        if progress and n % 10_000 == 0:
            progress(10_000)
        if r.incident_key not in inc_seen:  # the first row of an incident gives its fields, as on import
            inc_seen.add(r.incident_key)
            h = stored_inc.get(r.incident_key)
            if h is not None and h != hash(_new_values("incident", fields["incident"], r)):
                inc_changed[r.incident_key] = r
        h = stored.pop(r.row_key, None)
        if h is None:
            new_rows.append(r)
            continue
        new = ()
        for part, names in by_part.items():
            if names:
                new += _new_values(part, names, r)
        if h == hash(new):
            rep.rows_unchanged += 1
        else:
            changed.append(r)
    dupes = [p for p in base.problems if p.field == "keys.row"]
    if dupes:
        raise ValidationFailed([FieldError(f"row {p.row}", p.reason) for p in dupes[:50]]
                               + ([FieldError("keys.row", f"… {len(dupes) - 50} more")] if len(dupes) > 50 else []))
    known = rep.rows_unchanged + len(changed)
    if known == 0 and stored:
        raise ValidationFailed(FieldError("keys.row", (
            f"none of the row keys in column(s) {mapping.keys.row} matches the {len(stored)} rows stored from "
            f"earlier imports of {src!r}: the key column's content changed; nothing was written")))
    if withdraw_reason and base.rows_bad:
        raise ValidationFailed(FieldError("file", (
            f"{base.rows_bad} row(s) have problems, so rows missing from the file cannot be told apart from rows "
            "that could not be read; correct them first, or update without withdrawing")))
    missing = sorted(stored) if withdraw_reason else []
    rep.rows_new, rep.rows_withdrawn = len(new_rows), len(missing)
    rep.withdrawn_keys = missing
    with app.db.session() as s:
        s.info["svidok_actor"] = actor.username
        if not dry_run:
            # The write lock first, so what is compared below cannot change before it is written.
            r_obj = ImportRun(name=f"import:{src}", file_sha256=base.sha256, actor=actor.username, status="running",
                              mapping=mapping.model_dump(mode="json", exclude_defaults=True),
                              counts={"update": True}, notes=f"update from file {path.name}")
            s.add(r_obj)
            s.flush()
            base.run_id = r_obj.id
            ledger.append(s, actor.username, "import.update.start", "import_run", r_obj.id,
                          {"file_sha256": base.sha256, "file": path.name, "withdraw_reason": withdraw_reason})
        plan = _Plan(s, src, fields, changed, inc_changed, missing)
        rep.changed, rep.rows_changed = plan.row_changes, len(plan.row_changes)
        rep.rows_unchanged += len(changed) - rep.rows_changed  # a hash collision of equal values: not a change
        if dry_run:
            base.counts.rows_new = len(new_rows)
            w = BatchWriter(app, actor, src, mapping.synthetic)
            for groups in batches(iter(new_rows), mapping.batch_size):
                base.counts.add(w.plan(s, groups, dry=True)[1])
            rep.incidents_withdrawn = len(plan.incidents_emptied())
            s.rollback()
            return rep
        now = datetime.now(UTC)
        rep.versions = plan.write(actor, now, withdraw_reason, path.name)
        rep.incidents_withdrawn = plan.withdrawn_incidents
        w = BatchWriter(app, actor, src, mapping.synthetic)
        for groups in batches(iter(new_rows), mapping.batch_size):
            base.counts.add(w.write(s, groups))
        summary = {"update": True, "rows_read": base.rows_read, "rows_bad": base.rows_bad,
                   "unchanged": rep.rows_unchanged, "changed": rep.rows_changed, "new": rep.rows_new,
                   "withdrawn": rep.rows_withdrawn, "incidents_withdrawn": rep.incidents_withdrawn,
                   "versions": rep.versions, "added": vars(base.counts)}
        s.execute(update(ImportRun).where(ImportRun.id == base.run_id).values(
            counts=summary, status="finished", finished_at=now))
        ledger.append(s, actor.username, "import.update.finish", "import_run", base.run_id,
                      {"file_sha256": base.sha256, "counts": summary, "changes": plan.digest})
        s.commit()
    return rep


class _Plan:
    """The stored values of the changed rows, their differences, and the writes that apply them."""

    def __init__(self, s: Session, src: str, fields: dict[str, list[str]], changed: list[ParsedRow],
                 inc_changed: dict[str, ParsedRow], missing: list[str]):
        self.s, self.src, self.fields = s, src, fields
        self.row_changes: list[RowChange] = []
        self.updates: dict[str, dict[int, dict[str, Any]]] = {"incidents": {}, "acts": {}, "victims": {}, "persons": {}}
        self.before: dict[tuple[str, int], dict] = {}
        self.after: dict[tuple[str, int], dict] = {}
        self.missing = missing
        self.withdrawn_incidents = 0
        self.digest = content_hash([])
        per_row: dict[str, dict[str, list]] = {}
        ids = self._ids([r.row_key for r in changed])
        for r in changed:
            act_id, victim_id, person_id, incident_id = ids[r.row_key][:4]
            stored = ids[r.row_key][4:]
            new = ()
            for part in ("act", "victim", "person"):
                new += _new_values(part, self.fields[part], r)
            for (part, name), old, value in zip(_row_fields(fields), stored, new):
                if old == value:
                    continue
                table, rid = {"act": ("acts", act_id), "victim": ("victims", victim_id),
                              "person": ("persons", person_id)}[part]
                if rid is None:
                    continue
                self._change(table, rid, COMPARED[part][name], old, value)
                per_row.setdefault(r.row_key, {})[f"{part}.{name}"] = [old, value]
                # an act or victim change is a new version of the act's incident (its snapshot holds its acts)
                owner = ("persons", person_id) if part == "person" else ("incidents", incident_id)
                self._version(owner, f"{part}.{name}" + ("" if part == "person" else f" (row {r.row_key})"), old, value)
        inc = self._incidents(list(inc_changed))
        for key, r in inc_changed.items():
            iid, *stored = inc[key]
            for name, old, value in zip(fields["incident"], stored, _new_values("incident", fields["incident"], r)):
                if old != value:
                    self._change("incidents", iid, COMPARED["incident"][name], old, value)
                    self._version(("incidents", iid), f"incident.{name}", old, value)
                    per_row.setdefault(r.row_key, {})[f"incident.{name}"] = [old, value]
        numbers = {r.row_key: r.number for r in (*changed, *inc_changed.values())}
        self.row_changes = sorted((RowChange(numbers[k], k, v) for k, v in per_row.items()), key=lambda c: c.row)

    def _change(self, table: str, rid: int, column: str, old, new) -> None:
        self.updates[table].setdefault(rid, {})[column] = new

    def _version(self, owner: tuple[str, int], label: str, old, new) -> None:
        self.before.setdefault(owner, {})[label] = old
        self.after.setdefault(owner, {})[label] = new

    def _select(self, sql: str, keys: list[str]) -> list:
        out = []
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            params = {"src": self.src, **{f"k{j}": k for j, k in enumerate(chunk)}}
            marks = ", ".join(f":k{j}" for j in range(len(chunk)))
            out += self.s.execute(text(sql.replace("__KEYS__", marks)), params).all()
        return out

    def _ids(self, keys: list[str]) -> dict[str, tuple]:
        cols = "".join(f", {_ALIAS[p]}.{COMPARED[p][n]}" for p, n in _row_fields(self.fields))
        sql = (f"SELECT a.source_key, a.id, v.id, p.id, a.incident_id{cols} FROM acts a "
               "LEFT JOIN victims v ON v.act_id = a.id LEFT JOIN persons p ON p.id = v.person_id "
               "WHERE a.import_source = :src AND a.deleted_at IS NULL AND a.source_key IN (__KEYS__)")
        return {k: tuple(v) for k, *v in self._select(sql, keys)}

    def _incidents(self, keys: list[str]) -> dict[str, tuple]:
        cols = "".join(f", i.{COMPARED['incident'][n]}" for n in self.fields["incident"])
        sql = (f"SELECT i.source_key, i.id{cols} FROM incidents i WHERE i.import_source = :src "
               "AND i.deleted_at IS NULL AND i.source_key IN (__KEYS__)")
        return {k: tuple(v) for k, *v in self._select(sql, keys)}

    def incidents_emptied(self) -> list[int]:
        """Incidents whose live acts are all among the withdrawn rows."""
        if not self.missing:
            return []
        rows = self._select("SELECT a.incident_id, a.id FROM acts a WHERE a.import_source = :src "
                            "AND a.deleted_at IS NULL AND a.source_key IN (__KEYS__)", self.missing)
        gone: dict[int, int] = {}
        for iid, _ in rows:
            gone[iid] = gone.get(iid, 0) + 1
        out = []
        ids = list(gone)
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            for iid, live in self.s.execute(select(Act.incident_id, text("count(*)")).where(
                    Act.incident_id.in_(chunk), Act.deleted_at.is_(None)).group_by(Act.incident_id)):
                if live == gone[iid]:
                    out.append(iid)
        return out

    def write(self, actor: Actor, now: datetime, reason: str | None, file: str) -> int:
        """Apply the changes and withdrawals in the session's transaction; the number of versions written."""
        s = self.s
        emptied = self.incidents_emptied()
        act_rows = self._select("SELECT a.id, a.incident_id, a.source_key FROM acts a WHERE a.import_source = :src "
                                "AND a.deleted_at IS NULL AND a.source_key IN (__KEYS__)", self.missing)
        for _, iid, key in act_rows:  # a withdrawn row is a new version of its incident, with the reason
            self._version(("incidents", iid), f"act (row {key})", "recorded", f"withdrawn: {reason}")
        versioned = {**{("incidents", i): None for i in emptied}, **dict.fromkeys(self.before)}
        touched_acts = set(self.updates["acts"]) | {rid for rid, _, _ in act_rows}
        touched_acts |= {a for a, in self._victim_acts(list(self.updates["victims"]))}
        current = self._versions("incidents", [i for t, i in versioned if t == "incidents"])
        current.update({("persons", k[1]): v for k, v in
                        self._versions("persons", [i for t, i in versioned if t == "persons"]).items()})
        text_fields = {}
        if "title" in self.fields["incident"] or "narrative" in self.fields["incident"]:
            text_fields = self._texts(list(self.updates["incidents"]))
        for table, model in (("incidents", Incident), ("acts", Act), ("victims", Victim), ("persons", Person)):
            groups: dict[tuple, list[dict]] = {}
            for rid, values in self.updates[table].items():
                row = {"id": rid, **values}
                if table == "incidents" and rid in text_fields:
                    title, narrative, i18n = text_fields[rid]
                    row_title, row_narr = values.get("title", title), values.get("narrative", narrative)
                    row["search_text"] = search_text(row_title, row_narr, i18n)
                if table != "victims":
                    row["updated_at"] = now
                groups.setdefault(tuple(sorted(row)), []).append(row)
            for rows in groups.values():
                s.execute(update(model), rows)
        if touched_acts:
            self._bump(Act, sorted(touched_acts), now)
        if act_rows:
            s.execute(update(Act), [{"id": rid, "deleted_at": now, "deleted_reason": reason} for rid, _, _ in act_rows])
        if emptied:
            s.execute(update(Incident), [{"id": i, "deleted_at": now, "deleted_reason": reason} for i in emptied])
        self.withdrawn_incidents = len(emptied)
        owners = sorted(versioned)
        for table, model in (("incidents", Incident), ("persons", Person)):
            ids = [i for t, i in owners if t == table]
            if ids:
                self._bump(model, ids, now)
        entity = {"incidents": "incident", "persons": "person"}
        versions = []
        for owner in owners:
            withdrawn = owner[0] == "incidents" and owner[1] in emptied
            versions.append({
                "entity": entity[owner[0]], "record_id": owner[1], "version": current[owner] + 1,
                "op": "delete" if withdrawn else "update", "at": now, "actor": actor.username,
                "reason": reason if withdrawn else f"updated from spreadsheet {file}",
                "before": self.before.get(owner), "after": self.after.get(owner)})
        if versions:
            s.execute(insert(RecordVersion), versions)
        # One ledger entry vouches for every version of the run (thousands of entries would cost more
        # than the rest of the update); each version is in record_versions with its before and after.
        self.digest = content_hash(json.loads(json.dumps(
            [{k: v for k, v in d.items() if k != "at"} for d in versions], default=str)))
        return len(versions)

    def _victim_acts(self, victim_ids: list[int]) -> list[tuple[int]]:
        out = []
        for i in range(0, len(victim_ids), 900):
            out += self.s.execute(select(Victim.act_id).where(Victim.id.in_(victim_ids[i:i + 900]))).all()
        return out

    def _versions(self, table: str, ids: list[int]) -> dict[tuple[str, int], int]:
        model = Incident if table == "incidents" else Person
        out = {}
        for i in range(0, len(ids), 900):
            for rid, v in self.s.execute(select(model.id, model.version).where(model.id.in_(ids[i:i + 900]))):
                out[(table, rid)] = v
        return out

    def _texts(self, ids: list[int]) -> dict[int, tuple]:
        out = {}
        for i in range(0, len(ids), 900):
            for rid, t, n, i18n in self.s.execute(select(Incident.id, Incident.title, Incident.narrative,
                                                         Incident.narrative_i18n).where(Incident.id.in_(ids[i:i + 900]))):
                out[rid] = (t, n, i18n)
        return out

    def _bump(self, model, ids: list[int], now: datetime) -> None:
        for i in range(0, len(ids), 900):
            self.s.execute(update(model).where(model.id.in_(ids[i:i + 900]))
                           .values(version=model.version + 1, updated_at=now))


def run_file(app: Svidok, actor: Actor, path: Path | str, mapping_path: Path | str, dry_run: bool = False,
             withdraw_reason: str | None = None, progress: Callable[[int], None] | None = None) -> UpdateReport:
    try:
        mapping = mapping_mod.load(mapping_path)
    except mapping_mod.MappingError as exc:
        raise ValidationFailed(FieldError("mapping", str(exc))) from None
    return run(app, actor, path, mapping, dry_run, withdraw_reason, progress)

