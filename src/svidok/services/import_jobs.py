"""A spreadsheet and its mapping sent over the API, kept on the server and imported (or updated in place) as a job."""

from __future__ import annotations

import shutil
import uuid
from typing import TYPE_CHECKING, BinaryIO

import yaml

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.interop import mapping as mapping_mod

from . import jobs

if TYPE_CHECKING:
    from svidok.app import Svidok

SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")


def submit_upload(app: Svidok, actor: Actor, fileobj: BinaryIO, filename: str | None, mapping_text: str, *,
                  dry_run: bool = False, update: bool = False, withdraw_missing: str | None = None) -> dict:
    """Check the mapping, keep both files under ``<data_dir>/imports/``, and queue the ``import`` job.

    The job's result is the report: with ``update``, the changed fields per row (see
    ``services.import_update``). Writers only (the upload door refuses others first).
    """
    access.require_writer(actor)
    name = (filename or "upload.csv").rsplit("/", 1)[-1]
    if not name.lower().endswith(SUFFIXES):
        raise ValidationFailed(FieldError("file", f"{name!r}: send a CSV or XLSX file"))
    try:
        raw = yaml.safe_load(mapping_text)
        mapping_mod.parse(raw if isinstance(raw, dict) else {}, "mapping")
    except (yaml.YAMLError, mapping_mod.MappingError) as exc:
        raise ValidationFailed(FieldError("mapping", str(exc))) from None
    folder = app.settings.data_dir / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path, mapping_path = folder / name, folder / "mapping.yaml"
    with path.open("wb") as out:
        shutil.copyfileobj(fileobj, out, 1 << 20)
    mapping_path.write_text(mapping_text, encoding="utf-8")
    return jobs.submit(app, actor, "import", {"path": str(path), "mapping": str(mapping_path), "dry_run": dry_run,
                                              "update": update, "withdraw_missing": withdraw_missing})
