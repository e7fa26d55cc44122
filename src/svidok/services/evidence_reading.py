"""Reading an evidence item's stored file: downloads hashed as they are read, viewing tokens for byte ranges, image previews."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import TYPE_CHECKING, BinaryIO

from svidok.core.actors import Actor
from svidok.core.errors import Forbidden, ServiceError, StorageUnavailable
from svidok.core.messages import M_
from svidok.evidence.blobs import EvidenceStoreError, StoreUnavailableError
from svidok.evidence.byte_ranges import ByteRange
from svidok.storage.models import EvidenceItem

from .evidence import _require, add_custody, evidence_store

if TYPE_CHECKING:
    from svidok.app import Svidok


class StoredFileChanged(ServiceError):
    """The vault's file no longer hashes to its record: served incompletely, never as the original."""

    status = 409
    title = "Stored file changed"


class Download:
    """One download of an original: the bytes are hashed as they are read.

    Iterate for the chunks. The last chunk is held back until the whole file has been
    hashed: when the hash is the recorded one it is sent and a ``download`` custody event
    names the hash read; when it differs, a ``verification`` event records the mismatch
    (with the hash read) and :class:`StoredFileChanged` is raised, so the receiver gets
    fewer bytes than ``Content-Length`` promised — never a complete-looking altered file.
    A download stopped for any other reason (read error, the client went away) writes nothing.
    """

    def __init__(self, app, actor: Actor, item: EvidenceItem, purpose: str | None, chunk: int):
        self.app, self.actor, self.purpose, self.chunk = app, actor, purpose, chunk
        self.evidence_id = item.id
        self.info = {"sha256": item.sha256, "size": item.size, "media_type": item.media_type,
                     "original_name": item.original_name}
        self.sha256_read: str | None = None
        store = evidence_store(app)
        try:
            stored_size = store.size(item.sha256)
            self.fh = store.open(item.sha256)
        except StoreUnavailableError as exc:
            raise StorageUnavailable(str(exc)) from None
        except (OSError, EvidenceStoreError):
            raise StoredFileChanged(M_("evidence item %(id)s: the stored file %(sha256)s is missing; run `svidok verify`", id=item.id, sha256=item.sha256)) from None
        if stored_size != item.size:  # changed length: refuse before a byte is sent
            with self.fh:
                self.sha256_read = _hash_all(self.fh, chunk)
            self._mismatch()

    def __iter__(self):
        hasher = hashlib.sha256()
        held = b""
        with self.fh:
            while block := self.fh.read(self.chunk):
                hasher.update(block)
                if held:
                    yield held
                held = block
        self.sha256_read = hasher.hexdigest()
        if self.sha256_read != self.info["sha256"]:
            self._mismatch()
        if held:
            yield held
        self._record("download", self.purpose)

    def close(self) -> None:
        self.fh.close()

    def _mismatch(self) -> None:
        self._record("verification", f"download refused: the stored file hashes to {self.sha256_read}, "
                                     f"not the recorded {self.info['sha256']} (mismatch)")
        raise StoredFileChanged(M_("evidence item %(evidence_id)s: the stored file no longer matches its SHA-256 %(sha256)s (read %(sha256_read)s); nothing complete was served; run `svidok verify`", evidence_id=self.evidence_id, sha256=self.info['sha256'], sha256_read=self.sha256_read))

    def _record(self, action: str, purpose: str | None) -> None:
        with self.app.db.session() as s:
            add_custody(s, self.actor, s.get(EvidenceItem, self.evidence_id), action, purpose,
                        sha256_seen=self.sha256_read)

    def read_all_to(self, out: BinaryIO) -> str:
        """Write every chunk to ``out`` (the CLI); returns the hash read."""
        for block in self:
            out.write(block)
        return self.sha256_read or ""


def _hash_all(fh: BinaryIO, chunk: int) -> str:
    hasher = hashlib.sha256()
    while block := fh.read(chunk):
        hasher.update(block)
    return hasher.hexdigest()


def download(app: Svidok, actor: Actor, evidence_id: int, purpose: str | None = None,
             chunk: int = 1 << 20) -> Download:
    """Start a download of the original (need-to-know checked now; custody written when it completes)."""
    with app.db.session() as s:
        return Download(app, actor, _require(s, actor, evidence_id), purpose, chunk)


VIEW_TOKEN_SECONDS = 3600


def start_viewing(app: Svidok, actor: Actor, evidence_id: int, purpose: str | None = None) -> dict:
    """Record a viewing (custody event ``access``) and return a token that lets this actor read byte
    ranges of the file for an hour (video playback, previews): the GETs that play it write nothing."""
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        add_custody(s, actor, item, "access", purpose)
    expires = int(time.time()) + VIEW_TOKEN_SECONDS
    blob = app.keyring.encrypt(json.dumps([evidence_id, actor.username, expires]), context=VIEW_CONTEXT)
    return {"token": base64.urlsafe_b64encode(blob).decode(), "expires": expires}


VIEW_CONTEXT = "evidence-view-token"


def _check_view_token(app: Svidok, actor: Actor, evidence_id: int, token: str | None) -> None:
    try:
        ident, username, expires = json.loads(app.keyring.decrypt(base64.urlsafe_b64decode(token or ""), VIEW_CONTEXT))
    except Exception:
        ident, username, expires = None, None, 0
    if ident != evidence_id or username != actor.username or expires < time.time():
        raise Forbidden(M_("a viewing token from POST /api/v1/evidence/{id}/view is needed, for this item and user, less than an hour old"))


def open_preview(app: Svidok, actor: Actor, evidence_id: int) -> tuple[BinaryIO, dict]:
    """An image item's bytes for display inside Svidok's own pages (a capture's screenshot): need-to-know
    checked, nothing recorded, so that showing a page (a GET) never writes to the ledger. Only images:
    anything else is read through a download (POST) or a viewing token."""
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        if not (item.media_type or "").startswith("image/"):
            raise Forbidden(M_("evidence item %(evidence_id)s is not an image: download it or ask for a viewing token", evidence_id=evidence_id))
        info = {"sha256": item.sha256, "size": item.size, "media_type": item.media_type}
    try:
        return evidence_store(app).open(info["sha256"]), info
    except StoreUnavailableError as exc:
        raise StorageUnavailable(str(exc)) from None


def open_file(app: Svidok, actor: Actor, evidence_id: int, token: str | None,
              byte_range: ByteRange | None = None) -> tuple[BinaryIO, dict]:
    """Stream ``byte_range`` of the original (in ``info["range"]``) under a viewing token (see :func:`start_viewing`)."""
    _check_view_token(app, actor, evidence_id, token)
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        info = {"sha256": item.sha256, "size": item.size, "media_type": item.media_type,
                "original_name": item.original_name}
    start, end = info["range"] = byte_range.resolve(info["size"]) if byte_range else (0, info["size"])
    try:
        return evidence_store(app).open(info["sha256"], start, end), info
    except StoreUnavailableError as exc:
        raise StorageUnavailable(str(exc)) from None
