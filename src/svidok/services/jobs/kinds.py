"""The job kinds of the services layer: import a file, a linkage run, an evidence bundle, verify,
a backup.

(The brief kind is registered by ``svidok.reports.job_kinds``.) Each adapter turns the
job's parameters into the service's arguments and its progress callback into the job's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, Forbidden, ValidationFailed
from svidok.core.messages import M_

from .context import JobCancelled
from .registry import register

if TYPE_CHECKING:
    from svidok.app import Svidok

# The services are imported inside each adapter: a worker that never runs a linkage job does
# not load the linkage engine.


def _admin(app: Svidok, actor: Actor, params: dict) -> None:
    if not actor.is_admin:
        raise Forbidden(M_("administrators only"))


def _file(params: dict, name: str) -> Path:
    value = params.get(name)
    if not value:
        raise ValidationFailed(FieldError(name, M_("required")))
    path = Path(value)
    if not path.is_file():
        raise ValidationFailed(FieldError(name, M_("no such file on the server: %(value)s", value=value)))
    return path


# -- import a spreadsheet ----------------------------------------------------------------

def _check_import(app: Svidok, actor: Actor, params: dict) -> None:
    if not params.get("dry_run"):
        access.require_writer(actor)
    _file(params, "path")
    _file(params, "mapping")
    if params.get("attachments"):
        _folder(params, "attachments")


def import_file(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.imports``: batches commit with their progress, so a rerun resumes; never forks here."""
    from svidok.interop import mapping as mapping_mod

    from .. import imports

    path, mapping_path = _file(params, "path"), _file(params, "mapping")
    try:
        mapping = mapping_mod.load(mapping_path)
    except mapping_mod.MappingError as exc:
        raise ValidationFailed(FieldError("mapping", str(exc))) from None
    if params.get("update") or params.get("withdraw_missing"):
        # Update in place: one transaction at the end, so a rerun after a crash starts over safely.
        from .. import import_update

        ctx.progress(message=f"comparing {path.name}")
        rep = import_update.run(app, actor, path, mapping, bool(params.get("dry_run")), params.get("withdraw_missing"),
                                progress=lambda rows: ctx.progress(advance=rows, message=f"comparing {path.name}: rows"))
        out = rep.to_dict()
        out["problems"], out["changed"] = out["problems"][:50], out["changed"][:1000]
        out = {"import_run": rep.base.run_id, **out}
    else:
        ctx.progress(message=f"importing {path.name}")
        table = subs = None
        if params.get("kind") == "odk":  # form submissions, read into one row per victim for the odk mapping
            from svidok.interop import submissions
            from svidok.interop.tables import TableError

            try:
                subs = submissions.read(path)
                table = submissions.table(subs)
            except TableError as exc:
                raise ValidationFailed(FieldError("file", str(exc))) from None
        report = imports.run(app, actor, path, mapping, bool(params.get("dry_run")), table=table,
                             progress=lambda rows: ctx.progress(advance=rows, message=f"importing {path.name}: rows"))
        media = _attachments(app, actor, params, subs, report, ctx)
        out = report.to_dict()
        out["problems"] = out["problems"][:50]
        if media is not None:
            out["attachments"] = media
        # Every problem, for the person who corrects the spreadsheet; "file" is what the job's download gives.
        problems = _problems_csv(report.problems, ctx.output_dir / "problems.csv") if report.problems else None
        out = {"import_run": report.run_id, **out, "source_file": out["file"], "file": problems}
    uploads = (app.settings.data_dir / "jobs" / "uploads").resolve()
    # An uploaded file is no longer needed once imported; after a dry run it stays, for the
    # import that follows the check (the imports page's "Import N rows").
    if not params.get("dry_run") and path.resolve().parent.parent == uploads:
        import shutil

        shutil.rmtree(path.resolve().parent, ignore_errors=True)
    return out


def _attachments(app: Svidok, actor: Actor, params: dict, subs, report, ctx) -> dict | None:
    """The form submissions' attachments uploaded with them (``params["attachments"]``, a folder
    the imports page staged): counted by a check, stored as evidence by the import; a submission
    whose file is missing gets a problem row. None when no attachments came with the file."""
    if not params.get("attachments") or subs is None:
        return None
    from .. import import_forms

    ctx.progress(message="attachments")
    forms = import_forms.FormReport(report)
    import_forms.attach(app, actor, subs, _folder(params, "attachments"), bool(params.get("dry_run")), forms)
    report.problems.extend(forms.problems)
    return {"found": forms.attachments_found, "stored": forms.attachments_stored,
            "existing": forms.attachments_existing, "missing": len(forms.problems)}


def _folder(params: dict, name: str) -> Path:
    path = Path(params[name])
    if not path.is_dir():
        raise ValidationFailed(FieldError(name, M_("no such folder on the server: %(value)s", value=params[name])))
    return path


def _problems_csv(problems, final: Path) -> str:
    """The problems as CSV (row, column, field, value, reason), written whole or not at all."""
    import csv
    import os

    part = final.with_name(".part-" + final.name)
    with part.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "column", "field", "value", "reason"])
        w.writerows([p.row, p.column or "", p.field, p.value or "", p.reason] for p in problems)
    os.replace(part, final)
    return str(final)


register("import", import_file, resumable=True, check=_check_import)


# -- a linkage run -------------------------------------------------------------------------

def linkage_run(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.person_linkage.run``: writes one transaction at the end, so a rerun is safe."""
    from .. import person_linkage

    return person_linkage.run(app, actor, threshold=float(params.get("threshold", 0.9)),
                              review_threshold=float(params.get("review_threshold", 0.5)),
                              backend=params.get("backend"), progress=lambda msg: ctx.progress(message=msg))


register("linkage", linkage_run, resumable=True, check=_admin)


# -- an evidence bundle --------------------------------------------------------------------

def bundle(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.evidence_bundles.create`` into the job's folder (the file is written atomically)."""
    from .. import evidence_bundles

    ctx.progress(message="selecting and checking evidence")
    out = ctx.output_dir / "bundle.tar"
    made = evidence_bundles.create(app, actor, out, incident_ids=params.get("incident_ids") or (),
                                   case_id=params.get("case_id"), evidence_ids=params.get("evidence_ids") or (),
                                   purpose=params.get("purpose") or "")
    return {**made, "file": made["path"]}


def _check_bundle(app: Svidok, actor: Actor, params: dict) -> None:
    """A writer, a purpose, and a selection that names evidence the actor may see (said at once)."""
    from .. import evidence_bundles

    access.require_writer(actor)
    if not (params.get("purpose") or "").strip():
        raise ValidationFailed(FieldError("purpose", M_("say for whom and why the bundle is made")))
    with app.db.session() as s:
        evidence_bundles.select_items(s, actor, params.get("incident_ids") or (), params.get("case_id"),
                                      params.get("evidence_ids") or ())


register("bundle", bundle, check=_check_bundle,
         on_loss="its export custody events may be recorded without a bundle file (the file is written "
                 "atomically, so no partial bundle exists); submit it again")


# -- verify --------------------------------------------------------------------------------

def verify(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.integrity.verify``: reads only, so a rerun is safe."""
    from .. import integrity

    report = integrity.verify(app, check_files=bool(params.get("check_files", True)),
                              progress=lambda msg: ctx.progress(message=msg))
    out = report.as_dict()
    out["problems_total"], out["problems"] = len(out["problems"]), out["problems"][:200]
    return out


register("verify", verify, resumable=True, check=_admin)


# -- a backup ------------------------------------------------------------------------------

def backup(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.backup.create`` into ``.part-backup`` of the job's folder, renamed when complete:
    a killed or cancelled job leaves no folder called ``backup``, and a rerun starts afresh."""
    import os
    import shutil

    from .. import backup as backup_mod
    from .secrets import reveal

    final, part = ctx.output_dir / "backup", ctx.output_dir / ".part-backup"
    shutil.rmtree(part, ignore_errors=True)
    try:
        made = backup_mod.create(app, part, reveal(app, ctx.job_id, params, "passphrase"),
                                 progress=lambda msg: ctx.progress(message=msg))
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    os.replace(part, final)
    ctx.forget_secrets()
    return {**made, "path": str(final)}


def _check_backup(app: Svidok, actor: Actor, params: dict) -> None:
    _admin(app, actor, params)
    if not params.get("secret_passphrase"):
        raise ValidationFailed(FieldError("passphrase", M_("required (it seals the keys in the backup)")))


register("backup", backup, resumable=True, check=_check_backup)


# -- web captures ----------------------------------------------------------------------------

def _check_capture(app: Svidok, actor: Actor, params: dict) -> None:
    from .. import captures

    access.require_writer(actor)
    captures.batch(app, actor, int(params.get("batch_id") or 0))  # NotFound unless the actor may see it


def capture(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.captures.run_batch``: each URL commits whole, so a rerun takes up the rest."""
    from .. import captures

    batch_id = int(params["batch_id"])
    ctx.progress(message="starting Chromium")

    def progress(n: int, total: int, url: str) -> None:
        # Not raised in the middle of a batch: other pages in flight would be cut off and counted as
        # failed. run_batch asks ``cancelled`` before each URL; the job ends as cancelled below.
        try:
            ctx.progress(done=n, total=total, message=url)
        except JobCancelled:
            pass

    done = captures.run_batch(app, actor, batch_id, progress=progress, cancelled=ctx.cancelled)
    ctx.check()
    return {**done, "url": f"/captures/batches/{batch_id}"}


register("capture", capture, resumable=True, check=_check_capture)
