"""The comparing and writing half of an update in place (``services.import_update``).

``new_values`` says what an import would store for a row's fields; ``Plan`` reads the
stored values of the rows whose hash differed, lists their changed fields, and writes the
changes, versions and withdrawals in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.domain import dates
from svidok.domain.ledger import content_hash
from svidok.interop.convert import ParsedRow
from svidok.storage.models import Act, Incident, Person, RecordVersion, Victim

from .incidents import _incident_age, search_text

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
ALIAS = {"incident": "i", "act": "a", "victim": "v", "person": "p"}

@dataclass
class RowChange:
    row: int
    key: str
    changes: dict[str, list]  # "part.field" -> [stored, new]



def new_values(part: str, names: list[str], r: ParsedRow) -> tuple:
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


def row_fields(fields: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(part, n) for part in ("act", "victim", "person") for n in fields[part]]



class Plan:
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
                new += new_values(part, self.fields[part], r)
            for (part, name), old, value in zip(row_fields(fields), stored, new):
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
            for name, old, value in zip(fields["incident"], stored, new_values("incident", fields["incident"], r)):
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
        cols = "".join(f", {ALIAS[p]}.{COMPARED[p][n]}" for p, n in row_fields(self.fields))
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
