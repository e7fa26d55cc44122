"""Form submissions (ODK Collect / KoboToolbox) -> incidents, persons, sources and evidence.

The records go through the spreadsheet import (``services.imports``) with the shipped
``odk`` mapping, so they get the same checks, source keys and batches. Attachments then
go into the evidence vault through ``services.evidence.ingest`` (hash, metadata,
acquisition custody event), linked to the submission's incident. A missing attachment is
reported against its submission; the submission's records are kept, and importing
again once the file is there adds just the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.interop import builtin, submissions
from svidok.interop.convert import Problem
from svidok.interop.tables import TableError
from svidok.storage.models import EvidenceItem, Incident

from . import imports

if TYPE_CHECKING:
    from svidok.app import Svidok


@dataclass
class FormReport:
    records: imports.ImportReport
    attachments_stored: int = 0
    attachments_existing: int = 0
    attachments_found: int = 0
    problems: list[Problem] = field(default_factory=list)
    update: Any = None  # import_update.UpdateReport of an update in place

    def summary(self) -> str:
        r, c = self.records, self.records.counts
        if self.update is not None:
            u = self.update
            return (f"{r.file}: {'would update' if r.dry_run else 'updated'} {u.rows_changed} submission(s), "
                    f"{u.rows_unchanged} unchanged, {u.rows_new} new, {u.rows_withdrawn} withdrawn; "
                    f"attachments stored {self.attachments_stored}; {len(self.problems)} problem(s)")
        verb = "would add" if r.dry_run else "added"
        return (f"{r.file}: {verb} {c.incidents} incidents, {c.persons} persons, {c.sources} sources; "
                f"attachments stored {self.attachments_stored}, already there {self.attachments_existing}; "
                f"{len(self.problems)} problem(s)")


def find_attachment(folder: Path | None, instance: str, name: str) -> Path | None:
    """The file as ODK Central, Briefcase or Kobo lay it out: flat, or in a folder per submission."""
    if folder is None:
        return None
    bare = instance.removeprefix("uuid:")
    for p in (folder / name, folder / instance / name, folder / bare / name, folder / "media" / name):
        if p.is_file():
            return p
    hits = [p for p in folder.rglob(name) if p.is_file()]
    inside = [p for p in hits if bare in str(p)]
    return (inside or hits or [None])[0]


def run(app: Svidok, actor: Actor, path: Path | str, attachments: Path | str | None = None, dry_run: bool = False,
        update: bool = False, withdraw_reason: str | None = None) -> FormReport:
    """Import submissions (``update``: update in place those imported before; see ``services.import_update``)."""
    path = Path(path)
    folder = Path(attachments) if attachments else path.parent
    try:
        subs = submissions.read(path)
    except TableError as exc:
        raise ValidationFailed(FieldError("file", str(exc))) from None
    if update or withdraw_reason:
        from . import import_update

        up = import_update.run(app, actor, path, builtin.load("odk"), dry_run, withdraw_reason,
                               table=submissions.table(subs))
        report = FormReport(up.base, update=up)
    else:
        report = FormReport(imports.run(app, actor, path, builtin.load("odk"), dry_run, table=submissions.table(subs)))
    report.problems.extend(report.records.problems)
    attach(app, actor, subs, folder, dry_run, report)
    return report


def attach(app: Svidok, actor: Actor, subs: list[submissions.Submission], folder: Path | None, dry_run: bool,
           report: FormReport) -> None:
    """Store the submissions' attachments found in ``folder`` as evidence of their incidents (after
    their records are imported); a missing one is a problem of its submission. A dry run only
    counts what it finds (``attachments_found``)."""
    for sub in subs:
        files = []
        for name in sub.attachments:
            found = find_attachment(folder, sub.instance, name)
            if found is None:
                report.problems.append(Problem(sub.row_number, "media", f"attachment {name!r} of submission "
                                               f"{sub.instance} is not in {folder}", value=name))
            else:
                files.append(found)
        report.attachments_found += len(files)
        if dry_run or not files:
            continue
        _store(app, actor, sub, files, report)


def _store(app: Svidok, actor: Actor, sub: submissions.Submission, files: list[Path], report: FormReport) -> None:
    from . import evidence

    with app.db.session() as s:
        incident_id = s.scalar(select(Incident.id).where(Incident.import_source == "odk", Incident.source_key == sub.instance))
        if incident_id is None:
            return
        have = set(s.scalars(select(EvidenceItem.sha256).where(EvidenceItem.incident_id == incident_id)))
    for f in files:
        sha = imports.file_sha256(f)
        if sha in have:
            report.attachments_existing += 1
            continue
        with f.open("rb") as fh:
            evidence.ingest(app, actor, fh, original_name=f.name, incident_id=incident_id,
                            acquisition_method="form submission", acquisition_device=str(sub.fields.get("deviceid") or "") or None,
                            purpose=f"form submission {sub.instance}")
        have.add(sha)
        report.attachments_stored += 1
