"""Job kinds for exchange with partners: write a package for a partner, check or import a package.

Both are administrators' work (``sharing.require_admin``) and neither is resumable: an export
records its package at the very end and an import is one transaction, so a lost worker leaves
nothing behind and the job is simply submitted again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_

from .registry import register

if TYPE_CHECKING:
    from svidok.app import Svidok


def _check_export(app: Svidok, actor: Actor, params: dict) -> None:
    from .. import sharing

    sharing.require_admin(actor)
    with app.db.session() as s:
        sharing.require_partner(s, str(params.get("partner") or ""))


def share_export(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``share_export.export`` into the job's folder, named as the CLI names it (``NAME-00001.svidok-share``)."""
    from .. import share_export as exporter

    name = params["partner"]
    part = ctx.output_dir / ".part-package"
    ctx.progress(message=f"writing the package for {name}")
    with open(part, "wb") as out:  # the export reads in one session and writes only at its end
        made = exporter.export(app, actor, name, out, progress=lambda n: ctx.progress(
            advance=n, message=f"writing the package for {name}: incidents"))
    final = ctx.output_dir / f"{name}-{made['sequence']:05d}.svidok-share"
    os.replace(part, final)
    return {"file": str(final), **made}


def _check_import(app: Svidok, actor: Actor, params: dict) -> None:
    from .. import sharing

    sharing.require_admin(actor)
    if not params.get("path") or not Path(params["path"]).is_file():
        raise ValidationFailed(FieldError("file", M_("the package file is no longer on the server: upload it again")))


def share_import(app: Svidok, actor: Actor, params: dict, ctx) -> dict:
    """``share_import.run``: a dry run keeps the uploaded file for the import that follows; an import removes it."""
    from .. import share_import as importer

    path = Path(params["path"])
    dry = bool(params.get("dry_run"))
    doing = ("checking " if dry else "importing ") + (params.get("file_name") or path.name)
    ctx.progress(message=doing)
    with ctx.one_transaction():  # the import is one transaction: on SQLite it holds the only write lock
        out = importer.run(app, actor, path, dry_run=dry,
                           progress=lambda n: ctx.progress(advance=n, message=f"{doing}: incidents"))
    uploads = (app.settings.data_dir / "jobs" / "uploads").resolve()
    if not dry and path.resolve().parent.parent == uploads:
        shutil.rmtree(path.resolve().parent, ignore_errors=True)
    return {**out, "file_name": params.get("file_name")}


register("share_export", share_export, check=_check_export)
register("share_import", share_import, check=_check_import)
