"""Content-addressed, write-once evidence store.

Each file is stored once under ``objects/<aa>/<bb>/<sha256>`` and never modified (stored
read-only). Writes stream through a temporary file in ``tmp/`` on the same file system:
the bytes are hashed while they are written, the file is fsync'ed, checked against the
declared hash and size, then hard-linked into place — a link never overwrites, so a
blob appears complete or not at all. On any failure the temporary file is removed.

Memory is constant whatever the file size. A regular file is hashed and copied through
16 MiB memory-mapped windows (no read copy); any other stream goes through a few 4 MiB
buffers, hashed in the calling thread while a second thread writes.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import queue
import re
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .media_types import sniff_media_type

CHUNK_SIZE = 4 << 20
_MAP_WINDOW = 16 << 20
_BUFFERS = 4
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class EvidenceStoreError(ValueError):
    """An upload or a stored blob is not what it should be; the message says why."""


class EmptyFileError(EvidenceStoreError):
    pass


class HashMismatchError(EvidenceStoreError):
    pass


class SizeMismatchError(EvidenceStoreError):
    pass


class BlobMissingError(EvidenceStoreError, FileNotFoundError):
    pass


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str
    path: Path
    #: False when identical bytes were already in the store (deduplicated).
    created: bool


@dataclass(frozen=True)
class BlobCheck:
    sha256: str
    ok: bool
    problem: str | None = None


def check_sha256(value: str) -> str:
    """Normalise a hex SHA-256 or raise naming the bad value."""
    v = value.strip().lower()
    if not _SHA256_RE.match(v):
        raise EvidenceStoreError(f"not a SHA-256 hex digest: {value!r} (expected 64 hex characters)")
    return v


class EvidenceStore:
    """Files by SHA-256 under ``root``; safe for several processes writing at once."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"

    def path_for(self, sha256: str) -> Path:
        h = check_sha256(sha256)
        return self.objects / h[:2] / h[2:4] / h

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(self, path: Path | str, **kwargs) -> StoredBlob:
        kwargs.setdefault("original_name", Path(path).name)
        with open(path, "rb", buffering=0) as fh:
            return self.put_stream(fh, **kwargs)

    def put_stream(
        self,
        fileobj: BinaryIO,
        expected_sha256: str | None = None,
        expected_size: int | None = None,
        media_type: str | None = None,
        original_name: str | None = None,
        max_size: int | None = None,
    ) -> StoredBlob:
        """Store everything ``fileobj`` yields; check it against the declared hash and size.

        Raises ``EmptyFileError``, ``SizeMismatchError`` (also when the stream passes
        ``max_size``, checked while reading) or ``HashMismatchError``; nothing is stored then.
        ``media_type`` is the declared type; the sniffed type wins when known.
        """
        expected = check_sha256(expected_sha256) if expected_sha256 else None
        self.tmp.mkdir(parents=True, exist_ok=True)
        tmp_path = self.tmp / f"{uuid.uuid4().hex}.part"
        try:
            src_fd = _mappable_fd(fileobj)
            if src_fd is not None:
                if max_size is not None and os.fstat(src_fd).st_size > max_size:
                    raise SizeMismatchError(_too_big(max_size))
                digest, size, head = _write_temp_mapped(src_fd, tmp_path)
            else:
                digest, size, head = self._write_temp(fileobj, tmp_path, max_size)
            if size == 0:
                raise EmptyFileError("empty file: 0 bytes received; nothing stored")
            if expected_size is not None and size != expected_size:
                raise SizeMismatchError(
                    f"size mismatch: declared {expected_size} bytes, received {size} bytes "
                    f"({'truncated' if size < expected_size else 'longer than declared'}); nothing stored"
                )
            if expected is not None and digest != expected:
                raise HashMismatchError(
                    f"hash mismatch: declared sha256 {expected}, received content has sha256 {digest}; nothing stored"
                )
            created = self._link_into_place(tmp_path, digest, size)
        finally:
            tmp_path.unlink(missing_ok=True)
        sniffed = sniff_media_type(head, original_name, declared=media_type)
        return StoredBlob(digest, size, sniffed, self.path_for(digest), created)

    def _write_temp(self, fileobj: BinaryIO, tmp_path: Path, max_size: int | None) -> tuple[str, int, bytes]:
        hasher = hashlib.sha256()
        free: queue.Queue[bytearray] = queue.Queue()
        for _ in range(_BUFFERS):
            free.put(bytearray(CHUNK_SIZE))
        full: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
        errors: list[BaseException] = []
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)

        def writer() -> None:
            while (job := full.get()) is not None:
                buf, n = job
                try:
                    if not errors:
                        view = memoryview(buf)[:n]
                        while view:
                            view = view[os.write(fd, view) :]
                except BaseException as exc:  # reported by the reading thread
                    errors.append(exc)
                finally:
                    free.put(buf)

        thread = threading.Thread(target=writer, name="evidence-writer", daemon=True)
        thread.start()
        size, head = 0, b""
        readinto = getattr(fileobj, "readinto", None)
        try:
            try:
                while not errors:
                    buf = free.get()
                    n = _fill(fileobj, readinto, buf)
                    if n == 0:
                        free.put(buf)
                        break
                    if not head:
                        head = bytes(buf[: min(n, 4096)])
                    # hashlib releases the GIL for large updates, so this overlaps the write.
                    hasher.update(memoryview(buf)[:n])
                    size += n
                    full.put((buf, n))
                    if max_size is not None and size > max_size:
                        raise SizeMismatchError(_too_big(max_size))
            finally:
                full.put(None)
                thread.join()
            if errors:
                raise errors[0]
            os.fsync(fd)
        finally:
            os.close(fd)
        return hasher.hexdigest(), size, head

    def _link_into_place(self, tmp_path: Path, digest: str, size: int) -> bool:
        target = self.path_for(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp_path, 0o444)
        try:
            os.link(tmp_path, target)  # atomic, and never replaces an existing blob
        except FileExistsError:
            existing = target.stat().st_size
            if existing != size:
                raise EvidenceStoreError(
                    f"stored blob {digest} has {existing} bytes but its content is {size} bytes: "
                    "the store is damaged; run `svidok verify`"
                ) from None
            return False
        _fsync_dir(target.parent)
        return True

    def open(self, sha256: str) -> BinaryIO:
        path = self.path_for(sha256)
        try:
            return open(path, "rb")
        except FileNotFoundError:
            raise BlobMissingError(f"evidence file {sha256} is missing from the store ({path})") from None

    def verify(self, sha256: str, expected_size: int | None = None) -> BlobCheck:
        """Re-hash a stored blob; the check names what is wrong."""
        path = self.path_for(sha256)
        if not path.is_file():
            return BlobCheck(sha256, False, f"missing: no file at {path}")
        hasher = hashlib.sha256()
        size = 0
        buf = bytearray(CHUNK_SIZE)
        with open(path, "rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                hasher.update(memoryview(buf)[:n])
                size += n
        if expected_size is not None and size != expected_size:
            return BlobCheck(sha256, False, f"size changed: recorded {expected_size} bytes, file has {size}")
        if hasher.hexdigest() != sha256:
            return BlobCheck(sha256, False, f"content changed: file now hashes to {hasher.hexdigest()}")
        return BlobCheck(sha256, True)

    def iter_blobs(self) -> Iterator[str]:
        """SHA-256 of every stored blob (for finding files no record points to)."""
        if not self.objects.is_dir():
            return
        for path in sorted(self.objects.glob("*/*/*")):
            if path.is_file():
                yield path.name

    def stale_temp_files(self, older_than_seconds: float = 3600) -> list[Path]:
        """Leftovers of writes killed mid-way (power loss, kill -9); safe to delete."""
        if not self.tmp.is_dir():
            return []
        cutoff = time.time() - older_than_seconds
        return [p for p in self.tmp.glob("*.part") if p.stat().st_mtime < cutoff]


def _too_big(max_size: int) -> str:
    return f"file too large: more than the limit of {max_size} bytes; nothing stored"


def _mappable_fd(fileobj: BinaryIO) -> int | None:
    """A regular file read from its start can be memory-mapped instead of read()."""
    try:
        fd = fileobj.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode) or fileobj.tell() != 0:
            return None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd


def _write_temp_mapped(src_fd: int, tmp_path: Path) -> tuple[str, int, bytes]:
    """Hash and copy a regular file through small mmap windows.

    Hashing straight from the page cache saves the copy into a read buffer, the largest
    CPU cost after hashing itself; windows are unmapped as we go, so resident memory
    stays at one window whatever the file size.
    """
    size = os.fstat(src_fd).st_size
    hasher = hashlib.sha256()
    head = b""
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if size:
            os.posix_fadvise(src_fd, 0, size, os.POSIX_FADV_SEQUENTIAL)
        offset = 0
        while offset < size:
            n = min(_MAP_WINDOW, size - offset)
            with mmap.mmap(src_fd, n, prot=mmap.PROT_READ, offset=offset) as window:
                window.madvise(mmap.MADV_SEQUENTIAL)
                view = memoryview(window)
                try:
                    if not head:
                        head = bytes(view[:4096])
                    hasher.update(view)
                    rest = view
                    while rest:
                        rest = rest[os.write(fd, rest) :]
                    del rest
                finally:
                    view.release()
            offset += n
        if os.fstat(src_fd).st_size != size:
            raise EvidenceStoreError("the source file changed size while it was being stored; nothing stored")
        os.fsync(fd)
    finally:
        os.close(fd)
    return hasher.hexdigest(), size, head


def _fill(fileobj: BinaryIO, readinto, buf: bytearray) -> int:
    """Read until ``buf`` is full or the stream ends (sockets return short reads)."""
    view = memoryview(buf)
    total = 0
    while total < len(buf):
        if readinto is not None:
            n = readinto(view[total:])
        else:
            data = fileobj.read(len(buf) - total)
            n = len(data) if data else 0
            view[total : total + n] = data or b""
        if not n:
            break
        total += n
    return total


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
