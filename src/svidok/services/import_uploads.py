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
from svidok.core.messages import M_
from svidok.interop import builtin, submissions
from svidok.interop import mapping as mapping_mod
from svidok.interop.tables import TableError, read_table
from svidok.storage.models import ImportRun

if TYPE_CHECKING:
    from svidok.app import Svidok

SPREADSHEETS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
FORM_FILES = (".json", ".csv")
#: The kinds of file the imports page takes, as its messages name them.
KINDS = {"spreadsheet": "a spreadsheet (CSV or Excel .xlsx)", "acled": "an ACLED export (CSV)",
         "uwazi": "an Uwazi export (CSV)", "odk": "ODK Central or KoboToolbox submissions (JSON or CSV)"}
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
                raise ValidationFailed(FieldError("file", M_("the file is larger than the limit of %(limit)s bytes", limit=limit)))
            out.write(chunk)
    if size == 0:
        raise ValidationFailed(FieldError("file", M_("the file is empty")))
    return size


def stage(app: Svidok, actor: Actor, filename: str, data: BinaryIO, *, kind: str = "spreadsheet",
          mapping_name: str | None = None, mapping_text: bytes | str | None = None, limit: int | None = None,
          attachments: list[tuple[str, BinaryIO]] | None = None) -> dict:
    """Keep an uploaded file and its mapping for the import job; ValidationFailed naming the field
    (``kind``, ``file``, ``mapping`` or ``mapping_text``) and what to change. Nothing is kept when
    anything is wrong.

    ``kind``: ``spreadsheet`` (CSV/XLSX with a mapping chosen or written), ``acled`` and ``uwazi``
    (their CSV exports, with the shipped mapping unless one is written), ``odk`` (ODK Central or
    KoboToolbox submissions, JSON or CSV, read into rows for the shipped ``odk`` mapping).
    ``mapping_text``: a mapping written or edited on the page; its problems name their line.
    ``attachments`` (``odk`` only): the submissions' files, (name, data), or a .zip of them
    (``services.import_attachments``); kept in ``media/`` beside the file."""
    access.require_writer(actor)
    limit = limit or int(app.settings.max_upload_bytes)
    if kind not in KINDS:
        raise ValidationFailed(FieldError("kind", M_("unknown kind of file %(kind)r; choose one of: %(items)s", kind=kind, items=", ".join(KINDS))))
    if attachments and kind != "odk":
        raise ValidationFailed(FieldError("attachments", M_("attachments go with ODK or Kobo form submissions only")))
    name = _safe_name(filename or "")
    accepted = FORM_FILES if kind == "odk" else SPREADSHEETS
    if not filename:
        raise ValidationFailed(FieldError("file", M_("choose a file (%(value)s)", value=KINDS[kind])))
    if Path(name).suffix.lower() not in accepted:
        raise ValidationFailed(FieldError("file", M_("%(name)s is not a file this page reads as %(value)s: save it as %(items)s or %(value2)s", name=name, value=KINDS[kind], items=", ".join(accepted[:-1]), value2=accepted[-1])))
    if isinstance(mapping_text, bytes):
        try:
            mapping_text = mapping_text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(FieldError("mapping", M_("the mapping file is not UTF-8 text"))) from None
    mapping_text = mapping_text if mapping_text and mapping_text.strip() else None
    if mapping_text is None:
        mapping_name = kind if kind != "spreadsheet" else mapping_name
        if mapping_name not in builtin.names():
            raise ValidationFailed(FieldError("mapping", M_("choose one of the mappings, or write or upload your own")))
    else:
        check_mapping(mapping_text)
    target = folder(app) / secrets.token_hex(8)
    target.mkdir(parents=True)
    try:
        path = target / name
        _copy(data, path, limit)
        if mapping_text:
            mapping_path = target / "mapping.yaml"
            mapping_path.write_text(mapping_text, encoding="utf-8")
        else:
            mapping_path = builtin.FOLDER / f"{mapping_name}.yaml"
        try:
            mapping = mapping_mod.load(mapping_path)
        except mapping_mod.MappingError as exc:
            raise ValidationFailed(FieldError("mapping", str(exc))) from None
        header = _header(path, name, kind, mapping)
        problems = mapping.check(header)
        if problems:
            field = "mapping_text" if mapping_text else "mapping"
            raise ValidationFailed([FieldError(field, M_("the mapping %(name)r does not fit %(name2)s: %(p)s", name=mapping.name, name2=name, p=p))
                                    for p in problems])
        media = None
        if attachments:
            from . import import_attachments

            media = target / "media"
            import_attachments.stage(media, submissions.read(path), attachments, limit)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return {"path": str(path), "mapping": str(mapping_path), "file": name, "mapping_name": mapping.name, "kind": kind,
            **({"attachments": str(media)} if media else {})}


def check_mapping(text: str | bytes):
    """A mapping written or edited on the page, checked before use (no file needed): the mapping,
    or ValidationFailed with one ``mapping_text`` error per problem, its YAML line as ``row``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(FieldError("mapping_text", M_("the mapping file is not UTF-8 text"))) from None
    if len(text.encode("utf-8")) > MAX_MAPPING_BYTES:
        raise ValidationFailed(FieldError("mapping_text", M_("the mapping is over %(max_mapping_bytes)s bytes", max_mapping_bytes=MAX_MAPPING_BYTES)))
    mapping, problems = mapping_mod.check_text(text)
    if problems:
        raise ValidationFailed([FieldError("mapping_text", f"{p['entry']}: {p['reason']}" if p["entry"] else p["reason"],
                                           row=p["line"]) for p in problems])
    return mapping


def _header(path: Path, name: str, kind: str, mapping) -> list[str]:
    """The columns the mapping will read (only the header is read here; the rows are read by the job)."""
    if kind == "odk":
        try:
            subs = submissions.read(path)
        except (TableError, OSError, ValueError) as exc:
            raise ValidationFailed(FieldError("file", M_("%(name)s cannot be read as form submissions: %(exc)s", name=name, exc=exc))) from None
        if not subs:
            raise ValidationFailed(FieldError("file", M_("%(name)s holds no submissions", name=name)))
        return list(submissions.HEADER)
    try:
        table = read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet, mapping.header_row)
    except (TableError, OSError, ValueError) as exc:
        raise ValidationFailed(FieldError("file", M_("%(name)s cannot be read as a table: %(exc)s", name=name, exc=exc))) from None
    return table.header


def shipped_mapping(name: str) -> str:
    """The YAML text of a shipped mapping, to start an edited copy from."""
    if name not in builtin.names():
        raise ValidationFailed(FieldError("start", M_("no shipped mapping %(name)r (shipped: %(items)s)", name=name, items=", ".join(builtin.names()))))
    return (builtin.FOLDER / f"{name}.yaml").read_text(encoding="utf-8")


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
