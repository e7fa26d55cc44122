"""The attachments of ODK/Kobo form submissions uploaded with them on the imports page: photos,
video, audio or PDF files, one by one or as a .zip (flat, or a folder per submission as ODK
Central, Briefcase and Kobo export them).

They are checked and kept beside the staged submissions before any job is queued; the import
job then stores them as evidence of their submission's incident (``import_forms.attach``).
A file that no submission names, a file of an unsupported type, a broken zip or more than the
size limit refuses the whole upload: nothing is kept.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.evidence.media_types import OCTET_STREAM, sniff_media_type
from svidok.interop.submissions import Submission

#: What an attachment may be: what a phone's form records, and PDF documents.
ACCEPTED_PREFIXES = ("image/", "video/", "audio/")
ACCEPTED_TYPES = {"application/pdf", "text/plain"}
MAX_FILES = 10_000
_CHUNK = 1 << 20


def _safe(part: str) -> str:
    return re.sub(r"[^\w.\- ]", "_", part)[:120].strip(". ") or "file"


class _Budget:
    """Bytes left of the upload limit, over every file and zip member together."""

    def __init__(self, limit: int):
        self.limit, self.left, self.files = limit, limit, 0

    def copy(self, src: BinaryIO, dest: Path) -> None:
        self.files += 1
        if self.files > MAX_FILES:
            raise ValidationFailed(FieldError("attachments", M_("more than %(n)s attachments", n=MAX_FILES)))
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as out:
            while chunk := src.read(_CHUNK):
                self.left -= len(chunk)
                if self.left < 0:
                    raise ValidationFailed(FieldError("attachments", M_(
                        "the attachments are larger than the limit of %(limit)s bytes together", limit=self.limit)))
                out.write(chunk)


def _check_type(path: Path, shown: str) -> None:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise ValidationFailed(FieldError("attachments", M_("%(name)s is empty", name=shown)))
    media_type = sniff_media_type(head)  # by its bytes: a program named "photo.jpg" is not a photo
    if media_type == OCTET_STREAM:  # some audio (AMR) and plain text have no magic bytes: the name says
        named = sniff_media_type(b"", path.name)
        media_type = named if named.startswith("audio/") or named == "text/plain" else media_type
    if not (media_type.startswith(ACCEPTED_PREFIXES) or media_type in ACCEPTED_TYPES):
        raise ValidationFailed(FieldError("attachments", M_(
            "%(name)s is not a photo, video, audio or PDF file (%(media_type)s)", name=shown, media_type=media_type)))


def _unzip(data: BinaryIO, name: str, wanted: set[str], folder: Path, budget: _Budget) -> int:
    """The members a submission names, each under its own (made safe) path; other members are left out."""
    try:
        archive = zipfile.ZipFile(data)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed(FieldError("attachments", M_("%(name)s is not a zip file that can be read", name=name))) from None
    kept = 0
    for m in members:
        parts = [p for p in PurePosixPath(m.filename.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
        if not parts or parts[-1] not in wanted or "\x00" in parts[-1]:
            continue
        dest = folder.joinpath(*map(_safe, parts[:-1]), parts[-1])  # the name the submission gives
        try:
            with archive.open(m) as src:
                budget.copy(src, dest)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):  # damaged, encrypted, odd method
            raise ValidationFailed(FieldError("attachments", M_("%(name)s: %(member)s cannot be unpacked", name=name,
                                                                 member=m.filename))) from None
        _check_type(dest, f"{name}: {m.filename}")
        kept += 1
    return kept


def stage(folder: Path, subs: list[Submission], files: list[tuple[str, BinaryIO]], limit: int) -> int:
    """Keep ``files`` (name, data) in ``folder`` for the submissions ``subs``; how many were kept.
    ValidationFailed on the field ``attachments`` naming what to change (the caller removes ``folder``)."""
    wanted = {n for s in subs for n in s.attachments}
    if not wanted:
        raise ValidationFailed(FieldError("attachments", M_("none of these submissions has an attachment")))
    budget, kept = _Budget(limit), 0
    for name, data in files:
        if name.lower().endswith(".zip"):
            got = _unzip(data, name, wanted, folder, budget)
            if not got:
                raise ValidationFailed(FieldError("attachments", M_(
                    "%(name)s holds none of the files the submissions name (%(wanted)s)", name=name,
                    wanted=", ".join(sorted(wanted)[:10]))))
            kept += got
            continue
        base = PurePosixPath(name.replace("\\", "/")).name
        if base not in wanted or base in (".", ".."):
            raise ValidationFailed(FieldError("attachments", M_(
                "%(name)s is not an attachment of any of these submissions", name=base)))
        dest = folder / base
        budget.copy(data, dest)
        _check_type(dest, base)
        kept += 1
    return kept
