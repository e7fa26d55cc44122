"""Staging an incoming file: copy it to a private temporary file while hashing it.

Every store stages first, so a blob is checked (size, declared hash, limit) before
anything is committed and metadata can be read from a local plaintext file. Memory is
constant whatever the file size: a regular file is hashed and copied through 16 MiB
memory-mapped windows (no read copy); any other stream goes through a few 4 MiB
buffers, hashed in the calling thread while a second thread writes.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import queue
import stat
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .blobs import (
    EmptyFileError,
    EvidenceStoreError,
    HashMismatchError,
    SizeMismatchError,
    check_sha256,
)

CHUNK_SIZE = 4 << 20
_MAP_WINDOW = 16 << 20
_BUFFERS = 4


@dataclass(frozen=True)
class Staged:
    path: Path
    sha256: str
    size: int
    head: bytes


def new_temp_path(tmp_dir: Path) -> Path:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return tmp_dir / f"{uuid.uuid4().hex}.part"


def stage(fileobj: BinaryIO, tmp_dir: Path, expected_sha256: str | None = None, expected_size: int | None = None,
          max_size: int | None = None) -> Staged:
    """Copy ``fileobj`` into ``tmp_dir`` (mode 0600) and check it; the caller removes ``Staged.path``.

    Raises ``EmptyFileError``, ``SizeMismatchError`` (also when the stream passes
    ``max_size``, checked while reading) or ``HashMismatchError``; nothing is left then.
    """
    expected = check_sha256(expected_sha256) if expected_sha256 else None
    tmp_path = new_temp_path(tmp_dir)
    try:
        src_fd = _mappable_fd(fileobj)
        if src_fd is not None:
            if max_size is not None and os.fstat(src_fd).st_size > max_size:
                raise SizeMismatchError(_too_big(max_size))
            digest, size, head = _write_temp_mapped(src_fd, tmp_path)
        else:
            digest, size, head = _write_temp(fileobj, tmp_path, max_size)
        check_received(digest, size, expected, expected_size)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return Staged(tmp_path, digest, size, head)


def hash_in_place(path: Path, expected_sha256: str | None = None, expected_size: int | None = None,
                  max_size: int | None = None) -> Staged:
    """Hash a local file without copying it (a remote store uploads straight from it)."""
    expected = check_sha256(expected_sha256) if expected_sha256 else None
    hasher = hashlib.sha256()
    size, head = 0, b""
    with open(path, "rb", buffering=0) as fh:
        if max_size is not None and os.fstat(fh.fileno()).st_size > max_size:
            raise SizeMismatchError(_too_big(max_size))
        buf = bytearray(CHUNK_SIZE)
        while n := fh.readinto(buf):
            if not head:
                head = bytes(buf[: min(n, 4096)])
            hasher.update(memoryview(buf)[:n])
            size += n
    check_received(hasher.hexdigest(), size, expected, expected_size)
    return Staged(Path(path), hasher.hexdigest(), size, head)


def check_received(digest: str, size: int, expected: str | None, expected_size: int | None) -> None:
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


def _write_temp(fileobj: BinaryIO, tmp_path: Path, max_size: int | None) -> tuple[str, int, bytes]:
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


