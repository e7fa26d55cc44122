"""Starting jobs from the API or a web page when the job needs more than plain parameters:
an import's uploaded file (kept in the job area until the job ends) and a backup's passphrase
(kept encrypted, see ``secrets``). Everything else is ``jobs.submit(app, actor, kind, params)``."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_

from . import secrets

if TYPE_CHECKING:
    from svidok.app import Svidok

IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
COPY_CHUNK = 1 << 20


def _safe_name(name: str | None, default: str) -> str:
    """The file's own name without folders or odd characters (it stays visible in the job)."""
    base = Path(name or default).name
    return re.sub(r"[^\w.\-]+", "_", base)[:120] or default


def upload_folder(app: Svidok) -> Path:
    path = app.settings.data_dir / "jobs" / "uploads" / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path


def start_import(app: Svidok, actor: Actor, data: BinaryIO, filename: str | None, *,
                 mapping_text: str | None = None, mapping_name: str | None = None, dry_run: bool = False,
                 update: bool = False, withdraw_missing: str | None = None) -> dict:
    """Keep an uploaded spreadsheet and its mapping (YAML text, or a shipped mapping's name),
    check both, and queue an ``import`` job; nothing is kept when they are refused."""
    from svidok.interop import builtin
    from svidok.interop import mapping as mapping_mod

    from . import submit

    name = _safe_name(filename, "upload.csv")
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        raise ValidationFailed(FieldError("file", M_("%(name)s: import a %(items)s file", name=name, items=", ".join(IMPORT_SUFFIXES))))
    if bool(mapping_text) == bool(mapping_name):
        raise ValidationFailed(FieldError("mapping", M_("send a mapping file or name a shipped mapping (%(items)s), not both", items=", ".join(builtin.names()))))
    folder = upload_folder(app)
    try:
        if mapping_name:
            if mapping_name not in builtin.names():
                raise ValidationFailed(FieldError("mapping_name", M_("no shipped mapping %(mapping_name)r (shipped: %(items)s)", mapping_name=mapping_name, items=", ".join(builtin.names()))))
            mapping_path = builtin.FOLDER / f"{mapping_name}.yaml"
        else:
            mapping_path = folder / "mapping.yaml"
            mapping_path.write_text(mapping_text or "", encoding="utf-8")
        try:
            mapping_mod.load(mapping_path)
        except mapping_mod.MappingError as exc:
            raise ValidationFailed(FieldError("mapping", str(exc))) from None
        path = folder / name
        with open(path, "wb") as out:
            shutil.copyfileobj(data, out, COPY_CHUNK)
        return submit(app, actor, "import", {"path": str(path), "mapping": str(mapping_path), "dry_run": dry_run,
                                             "file_name": name, "update": update, "withdraw_missing": withdraw_missing})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def start_backup(app: Svidok, actor: Actor, passphrase: str) -> dict:
    """Queue a ``backup`` job (administrators); the passphrase is kept encrypted until it ends."""
    from . import submit

    if len(passphrase or "") < 12:
        raise ValidationFailed(FieldError("passphrase", M_("use at least 12 characters")))
    return submit(app, actor, "backup", secrets.seal(app, "passphrase", passphrase))


SHARE_SUFFIX = ".svidok-share"


def start_share_import(app: Svidok, actor: Actor, data: BinaryIO, filename: str | None, dry_run: bool = True) -> dict:
    """Keep an uploaded exchange package and queue a ``share_import`` job (a dry run first, by default)."""
    from .. import sharing
    from . import submit

    sharing.require_admin(actor)
    name = _safe_name(filename, "package" + SHARE_SUFFIX)
    folder = upload_folder(app)
    try:
        path = folder / name
        with open(path, "wb") as out:
            shutil.copyfileobj(data, out, COPY_CHUNK)
        if path.stat().st_size == 0:
            raise ValidationFailed(FieldError("file", M_("choose the package file a partner sent (it is empty)")))
        return submit(app, actor, "share_import", {"path": str(path), "dry_run": dry_run, "file_name": name})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
