"""Spreadsheets uploaded through the web page: kept in the data directory with their mapping,
checked (type, size, readable, the mapping's columns in its header) before any job is queued,
and the list of past import runs.

The import itself is the ``import`` job (``services.jobs.kinds``): first a dry run, then the
real run over the same staged file. A refused upload leaves nothing behind.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.interop import builtin
from svidok.interop import mapping as mapping_mod
from svidok.interop.tables import TableError, read_table
from svidok.storage.models import ImportRun

if TYPE_CHECKING:
    from svidok.app import Svidok

SPREADSHEETS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
MAX_MAPPING_BYTES = 200_000
_CHUNK = 1 << 20


def folder(app: Svidok) -> Path:
    """Where staged uploads live: under the jobs folder, the only place a job's files may be read from."""
    return app.settings.data_dir / "jobs" / "uploads"


def _safe_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\- ]", "_", name)[:120] or "upload"


def _copy(src: BinaryIO, dest: Path, limit: int) -> int:
    size = 0
    with dest.open("wb") as out:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ValidationFailed(FieldError("file", f"the file is larger than the limit of {limit} bytes"))
            out.write(chunk)
    if size == 0:
        raise ValidationFailed(FieldError("file", "the file is empty"))
    return size


def stage(app: Svidok, actor: Actor, filename: str, data: BinaryIO, *, mapping_name: str | None = None,
          mapping_text: bytes | None = None, limit: int | None = None) -> dict:
    """Keep an uploaded spreadsheet and its mapping for the import job; ValidationFailed naming the
    field (``file`` or ``mapping``) and what to change. Nothing is kept when anything is wrong."""
    access.require_writer(actor)
    limit = limit or int(app.settings.max_upload_bytes)
    name = _safe_name(filename or "")
    if not filename:
        raise ValidationFailed(FieldError("file", "choose a CSV or Excel (.xlsx) file"))
    if Path(name).suffix.lower() not in SPREADSHEETS:
        raise ValidationFailed(FieldError("file", f"{name} is not a spreadsheet this page reads: save it as CSV or "
                                                  "Excel (.xlsx)"))
    if not mapping_text and mapping_name not in builtin.names():
        raise ValidationFailed(FieldError("mapping", "choose one of the mappings, or upload your own mapping file"))
    target = folder(app) / secrets.token_hex(8)
    target.mkdir(parents=True)
    try:
        path = target / name
        _copy(data, path, limit)
        if mapping_text:
            if len(mapping_text) > MAX_MAPPING_BYTES:
                raise ValidationFailed(FieldError("mapping", f"the mapping file is over {MAX_MAPPING_BYTES} bytes"))
            mapping_path = target / "mapping.yaml"
            mapping_path.write_bytes(mapping_text)
        else:
            mapping_path = builtin.FOLDER / f"{mapping_name}.yaml"
        try:
            mapping = mapping_mod.load(mapping_path)
        except mapping_mod.MappingError as exc:
            raise ValidationFailed(FieldError("mapping", str(exc))) from None
        try:  # only the header is read here; the rows are read by the job
            table = read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet, mapping.header_row)
        except (TableError, OSError, ValueError) as exc:
            raise ValidationFailed(FieldError("file", f"{name} cannot be read as a table: {exc}")) from None
        problems = mapping.check(table.header)
        if problems:
            raise ValidationFailed([FieldError("mapping", f"the mapping {mapping.name!r} does not fit {name}: {p}")
                                    for p in problems])
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return {"path": str(path), "mapping": str(mapping_path), "file": name, "mapping_name": mapping.name}


def runs(app: Svidok, actor: Actor, limit: int = 50) -> list[dict]:
    """Past spreadsheet imports (not demo loads), newest first: an administrator's view holds everyone's, others their own."""
    access.require_writer(actor)
    q = select(ImportRun).where(ImportRun.name.like("import:%")).order_by(ImportRun.id.desc()).limit(limit)
    if not actor.is_admin:
        q = q.where(ImportRun.actor == actor.username)
    with app.db.session() as s:
        return [{"id": r.id, "name": r.name.removeprefix("import:"), "file": (r.notes or "").removeprefix("file "),
                 "actor": r.actor, "status": r.status, "started_at": r.started_at, "finished_at": r.finished_at,
                 "added": (r.counts or {}).get("added") or {}, "rows_read": (r.counts or {}).get("rows_read"),
                 "rows_bad": (r.counts or {}).get("rows_bad")}
                for r in s.scalars(q)]
