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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, text, update

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.interop import mapping as mapping_mod
from svidok.interop.convert import ParsedRow
from svidok.interop.tables import Table
from svidok.storage.models import ImportRun

from . import ledger
from .import_rows import BatchWriter
from .import_update_plan import ALIAS, COMPARED, Plan, RowChange, new_values, row_fields
from .imports import ImportReport, batches, checked_rows, file_sha256, open_file

if TYPE_CHECKING:
    from svidok.app import Svidok

LISTED = 10_000  # changed rows listed in a report (all are counted)


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


def _stored_sql(fields: dict[str, list[str]], by: str) -> str:
    cols = [f"{ALIAS[p]}.{COMPARED[p][n]}" for p, n in row_fields(fields)] if by == "row" else \
        [f"i.{COMPARED['incident'][n]}" for n in fields["incident"]]
    if by == "row":
        return (f"SELECT a.source_key{''.join(', ' + c for c in cols)} FROM acts a "
                "LEFT JOIN victims v ON v.act_id = a.id LEFT JOIN persons p ON p.id = v.person_id "
                "WHERE a.import_source = :src AND a.deleted_at IS NULL")
    return (f"SELECT i.source_key{''.join(', ' + c for c in cols)} FROM incidents i "
            "WHERE i.import_source = :src AND i.deleted_at IS NULL")


def _refuse_changed_keys(app: Svidok, mapping: mapping_mod.Mapping) -> None:
    if not mapping.keys.row or not mapping.act:
        raise ValidationFailed(FieldError("keys.row", M_("updating in place needs a mapping with a row key (keys: row:) and acts: each row is matched to the act it created")))
    with app.db.session() as s:
        first = s.scalar(select(ImportRun).where(ImportRun.name == f"import:{mapping.name}",
                                                 ImportRun.status == "finished").order_by(ImportRun.id).limit(1))
    if first is not None:
        before = (first.mapping or {}).get("keys", {})
        now = mapping.keys.model_dump(exclude_defaults=True)
        for k in ("row", "incident"):
            if before.get(k, []) != now.get(k, []):
                raise ValidationFailed(FieldError(f"keys.{k}", (
                    M_("the %(k)s key column changed since the first import of %(name)r (was %(value)s, now %(value2)s); rows cannot be matched to their records. Keep the original key column, or import under a new mapping name", k=k, name=mapping.name, value=before.get(k), value2=now.get(k)))))


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
        raise ValidationFailed(FieldError("withdraw_reason", M_("give a reason for withdrawing the missing rows")))
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
            if h is not None and h != hash(new_values("incident", fields["incident"], r)):
                inc_changed[r.incident_key] = r
        h = stored.pop(r.row_key, None)
        if h is None:
            new_rows.append(r)
            continue
        new = ()
        for part, names in by_part.items():
            if names:
                new += new_values(part, names, r)
        if h == hash(new):
            rep.rows_unchanged += 1
        else:
            changed.append(r)
    dupes = [p for p in base.problems if p.field == "keys.row"]
    if dupes:
        raise ValidationFailed([FieldError(f"row {p.row}", p.reason) for p in dupes[:50]]
                               + ([FieldError("keys.row", M_("… %(value)s more", value=len(dupes) - 50))] if len(dupes) > 50 else []))
    known = rep.rows_unchanged + len(changed)
    if known == 0 and stored:
        raise ValidationFailed(FieldError("keys.row", (
            M_("none of the row keys in column(s) %(row)s matches the %(count)s rows stored from earlier imports of %(src)r: the key column's content changed; nothing was written", row=mapping.keys.row, count=len(stored), src=src))))
    if withdraw_reason and base.rows_bad:
        raise ValidationFailed(FieldError("file", (
            M_("%(rows_bad)s row(s) have problems, so rows missing from the file cannot be told apart from rows that could not be read; correct them first, or update without withdrawing", rows_bad=base.rows_bad))))
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
        plan = Plan(s, src, fields, changed, inc_changed, missing)
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


def run_file(app: Svidok, actor: Actor, path: Path | str, mapping_path: Path | str, dry_run: bool = False,
             withdraw_reason: str | None = None, progress: Callable[[int], None] | None = None) -> UpdateReport:
    try:
        mapping = mapping_mod.load(mapping_path)
    except mapping_mod.MappingError as exc:
        raise ValidationFailed(FieldError("mapping", str(exc))) from None
    return run(app, actor, path, mapping, dry_run, withdraw_reason, progress)

