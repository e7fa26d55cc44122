"""The job kinds of the services layer: import a file, a linkage run, an evidence bundle, verify.

(The brief kind is registered by ``svidok.reports.job_kinds``.) Each adapter turns the
job's parameters into the service's arguments and its progress callback into the job's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, Forbidden, ValidationFailed

from .context import JobCancelled
from .registry import register

if TYPE_CHECKING:
    from svidok.app import Svidok

# The services are imported inside each adapter: a worker that never runs a linkage job does
# not load the linkage engine.


def _admin(app: Svidok, actor: Actor, params: dict) -> None:
    if not actor.is_admin:
        raise Forbidden("administrators only")


def _file(params: dict, name: str) -> Path:
    value = params.get(name)
    if not value:
        raise ValidationFailed(FieldError(name, "required"))
    path = Path(value)
    if not path.is_file():
        raise ValidationFailed(FieldError(name, f"no such file on the server: {value}"))
    return path


# -- import a spreadsheet ----------------------------------------------------------------

def _check_import(app: Svidok, actor: Actor, params: dict) -> None:
    if not params.get("dry_run"):
        access.require_writer(actor)
    _file(params, "path")
    _file(params, "mapping")


def import_file(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``services.imports``: batches commit with their progress, so a rerun resumes; never forks here."""
    from svidok.interop import mapping as mapping_mod

    from .. import imports

    path, mapping_path = _file(params, "path"), _file(params, "mapping")
    try:
        mapping = mapping_mod.load(mapping_path)
    except mapping_mod.MappingError as exc:
        raise ValidationFailed(FieldError("mapping", str(exc))) from None
    ctx.progress(message=f"importing {path.name}")
    report = imports.run(app, actor, path, mapping, bool(params.get("dry_run")),
                         progress=lambda rows: ctx.progress(advance=rows, message=f"importing {path.name}: rows"))
    out = report.to_dict()
    out["problems"] = out["problems"][:50]
    return {"import_run": report.run_id, **out}


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
    access.require_writer(actor)
    if not (params.get("purpose") or "").strip():
        raise ValidationFailed(FieldError("purpose", "say for whom and why the bundle is made"))


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
