"""The local content-addressed, write-once evidence store (the default ``BlobStore``).

Each file is stored once under ``objects/<aa>/<bb>/<sha256>`` and never modified (stored
read-only). Writes stage through a temporary file in ``tmp/`` on the same file system
(``staging.stage``: hashed while written, fsync'ed, checked against the declared hash
and size), then the file — or, with encryption at rest, its encrypted form — is
hard-linked into place: a link never overwrites, so a blob appears complete or not at
all. On any failure the temporary files are removed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from . import at_rest
from .blobs import (  # noqa: F401 (re-exported: the names callers always imported from here)
    BlobCheck,
    BlobMissingError,
    EmptyFileError,
    EvidenceStoreError,
    HashMismatchError,
    Inspect,
    SizeMismatchError,
    StoredBlob,
    StoreUnavailableError,
    check_sha256,
)
from .media_types import sniff_media_type
from .readers import RangeReader, resolve
from .staging import CHUNK_SIZE, new_temp_path, stage

KeysArg = Callable[[], at_rest.KeySource] | at_rest.KeySource | None


def _keys_getter(keys: KeysArg) -> Callable[[], at_rest.KeySource]:
    if keys is None:
        def missing() -> at_rest.KeySource:
            raise at_rest.DecryptionError("this evidence file is encrypted at rest but no installation key was given")
        return missing
    return keys if callable(keys) else (lambda: keys)


class LocalStore:
    """Files by SHA-256 under ``root``; safe for several processes writing at once.

    ``encrypt`` stores new blobs encrypted with keys from ``keys`` (the installation's
    keyring, or a function returning it); blobs are read in whichever form they were stored.
    """

    encrypted: bool

    def __init__(self, root: Path | str, *, encrypt: bool = False, keys: KeysArg = None) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"
        self.encrypted = encrypt
        self._keys = _keys_getter(keys)
        self.location = str(self.root)

    def path_for(self, sha256: str) -> Path:
        h = check_sha256(sha256)
        return self.objects / h[:2] / h[2:4] / h

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(self, path: Path | str, **kwargs: Any) -> StoredBlob:
        kwargs.setdefault("original_name", Path(path).name)
        with open(path, "rb", buffering=0) as fh:
            return self.put_stream(fh, **kwargs)

    def put_stream(self, fileobj: BinaryIO, expected_sha256: str | None = None, expected_size: int | None = None,
                   media_type: str | None = None, original_name: str | None = None, max_size: int | None = None,
                   inspect: Inspect | None = None) -> StoredBlob:
        """Store everything ``fileobj`` yields; check it against the declared hash and size.

        Raises ``EmptyFileError``, ``SizeMismatchError`` (also when the stream passes
        ``max_size``, checked while reading) or ``HashMismatchError``; nothing is stored then.
        ``media_type`` is the declared type; the sniffed type wins when known.
        """
        staged = stage(fileobj, self.tmp, expected_sha256, expected_size, max_size)
        try:
            sniffed = sniff_media_type(staged.head, original_name, declared=media_type)
            inspected = inspect(staged.path, sniffed) if inspect else None
            if self.encrypted:
                created = self._put_encrypted(staged.path, staged.sha256, staged.size)
            else:
                created = self._link_into_place(staged.path, staged.sha256, staged.size)
        finally:
            staged.path.unlink(missing_ok=True)
        path = None if self.encrypted else self.path_for(staged.sha256)
        return StoredBlob(staged.sha256, staged.size, sniffed, created, path, inspected)

    def _put_encrypted(self, plain: Path, digest: str, size: int) -> bool:
        if self.exists(digest):
            return False
        enc = new_temp_path(self.tmp)
        try:
            fd = os.open(enc, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(plain, "rb") as src, os.fdopen(fd, "wb") as out:
                for piece in at_rest.encrypt_chunks(src.read, size, digest, self._keys()):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            return self._link_into_place(enc, digest, at_rest.cipher_size(size))
        finally:
            enc.unlink(missing_ok=True)

    def _link_into_place(self, tmp_path: Path, digest: str, stored_size: int) -> bool:
        target = self.path_for(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp_path, 0o444)
        try:
            os.link(tmp_path, target)  # atomic, and never replaces an existing blob
        except FileExistsError:
            if not self.encrypted and target.stat().st_size != stored_size:
                raise EvidenceStoreError(
                    f"stored blob {digest} has {target.stat().st_size} bytes but its content is {stored_size} bytes: "
                    "the store is damaged; run `svidok verify`"
                ) from None
            return False
        _fsync_dir(target.parent)
        return True

    def open(self, sha256: str, start: int | None = None, end: int | None = None) -> BinaryIO:
        """The original bytes ``[start, end)`` (decrypted if stored encrypted)."""
        path = self.path_for(sha256)
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            raise BlobMissingError(f"evidence file {sha256} is missing from the store ({path})") from None
        try:
            head = fh.read(at_rest.HEADER_SIZE)
            if head[:8] == at_rest.MAGIC:
                header = at_rest.read_header(head, sha256, self._keys())
                s, e = resolve(start, end, header.plain_size)
                if s == e:
                    fh.close()
                    return RangeReader(fh, 0)
                _, offset, _ = header.cipher_span(s, e)
                fh.seek(offset)
                return at_rest.DecryptingReader(fh, header, s, e, sha256)
            s, e = resolve(start, end, os.fstat(fh.fileno()).st_size)
            fh.seek(s)
            return RangeReader(fh, e - s)
        except BaseException:
            fh.close()
            raise

    def size(self, sha256: str) -> int | None:
        path = self.path_for(sha256)
        try:
            with open(path, "rb") as fh:
                head = fh.read(at_rest.HEADER_SIZE)
                if head[:8] == at_rest.MAGIC and len(head) == at_rest.HEADER_SIZE:
                    return int.from_bytes(head[12:20], "big")
                return os.fstat(fh.fileno()).st_size
        except FileNotFoundError:
            return None

    def verify(self, sha256: str, expected_size: int | None = None) -> BlobCheck:
        """Re-hash a stored blob (decrypting it if needed); the check names what is wrong."""
        try:
            fh = self.open(sha256)
        except BlobMissingError:
            return BlobCheck(sha256, False, f"missing: no file at {self.path_for(sha256)}")
        except at_rest.DecryptionError as exc:
            return BlobCheck(sha256, False, f"content changed: {exc}")
        return hash_check(sha256, fh, expected_size, "file")

    def verify_many(self, items: Iterable[tuple[str, int | None]]) -> Iterator[BlobCheck]:
        for sha, size in items:
            yield self.verify(sha, size)

    def iter_hashes(self) -> Iterator[str]:
        """SHA-256 of every stored blob, in hash order (for finding files no record points to)."""
        if not self.objects.is_dir():
            return
        for path in sorted(self.objects.glob("*/*/*")):
            if path.is_file():
                yield path.name

    iter_blobs = iter_hashes

    def discard(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def stale_temp_files(self, older_than_seconds: float = 3600) -> list[Path]:
        """Leftovers of writes killed mid-way (power loss, kill -9); safe to delete."""
        if not self.tmp.is_dir():
            return []
        cutoff = time.time() - older_than_seconds
        return [p for p in self.tmp.glob("*.part") if p.stat().st_mtime < cutoff]

    def unfinished_uploads(self, older_than_seconds: float = 3600) -> list[str]:
        return [str(p) for p in self.stale_temp_files(older_than_seconds)]


#: The name every caller used before stores became pluggable.
EvidenceStore = LocalStore


def hash_check(sha256: str, fh: BinaryIO, expected_size: int | None, what: str) -> BlobCheck:
    """Read ``fh`` to its end, hashing; compare with the name and the recorded size."""
    hasher = hashlib.sha256()
    size = 0
    buf = bytearray(CHUNK_SIZE)
    try:
        with fh:
            while n := fh.readinto(buf):
                hasher.update(memoryview(buf)[:n])
                size += n
    except at_rest.DecryptionError as exc:
        return BlobCheck(sha256, False, f"content changed: {exc}")
    if expected_size is not None and size != expected_size:
        return BlobCheck(sha256, False, f"size changed: recorded {expected_size} bytes, {what} has {size}")
    if hasher.hexdigest() != sha256:
        return BlobCheck(sha256, False, f"content changed: {what} now hashes to {hasher.hexdigest()}")
    return BlobCheck(sha256, True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def plain_path(store: LocalStore, sha256: str) -> Path | None:
    """The blob's file when it holds the original bytes (not encrypted), else None."""
    path = store.path_for(sha256)
    try:
        with open(path, "rb") as fh:
            return None if fh.read(len(at_rest.MAGIC)) == at_rest.MAGIC else path
    except FileNotFoundError:
        return None
