"""What every evidence store offers, whatever holds the bytes (local disk or S3).

Blobs are named by the SHA-256 of the original file and never overwritten. Reads give
the original bytes (decrypted when the store encrypts at rest), whole or a byte range.
Services, bundles, `svidok verify`, migration and backups use only these methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

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


class StoreUnavailableError(EvidenceStoreError):
    """The store cannot be reached or refuses to work (network, credentials, bucket, disk full)."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str
    #: False when identical bytes were already in the store (deduplicated).
    created: bool
    #: The local file for a plain local store, else None (bytes live elsewhere or encrypted).
    path: Path | None = None
    #: What the ``inspect`` callback of ``put_stream`` returned (run on the plaintext before it is stored).
    inspected: Any = None


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


#: Called with the staged plaintext file and its sniffed media type before the blob is committed.
Inspect = Callable[[Path, str], Any]


@runtime_checkable
class BlobStore(Protocol):
    """The evidence store interface. ``start``/``end`` are byte offsets, ``end`` exclusive."""

    #: Human-readable location for messages ("/data/evidence", "s3://bucket/prefix").
    location: str
    #: True when blobs are stored encrypted (the bytes at rest are not the original).
    encrypted: bool

    def put_stream(self, fileobj: BinaryIO, expected_sha256: str | None = None, expected_size: int | None = None,
                   media_type: str | None = None, original_name: str | None = None, max_size: int | None = None,
                   inspect: Inspect | None = None) -> StoredBlob: ...

    def put_file(self, path: Path | str, **kwargs: Any) -> StoredBlob: ...

    def open(self, sha256: str, start: int | None = None, end: int | None = None) -> BinaryIO:
        """The original bytes ``[start, end)``; ``BlobMissingError`` if absent."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None:
        """Size of the original file, None when absent."""
        ...

    def iter_hashes(self) -> Iterator[str]:
        """SHA-256 of every stored blob, in hash order."""
        ...

    def verify(self, sha256: str, expected_size: int | None = None) -> BlobCheck: ...

    def verify_many(self, items: Iterable[tuple[str, int | None]]) -> Iterator[BlobCheck]:
        """Checks of many blobs, in the order given (a remote store runs several at once)."""
        ...

    def discard(self, sha256: str) -> None:
        """Remove a blob no record points to (a failed ingest, ``migrate --remove-local``)."""
        ...

    def unfinished_uploads(self, older_than_seconds: float = 3600) -> list[str]:
        """Leftovers of writes killed mid-way (kill -9, power loss); safe to delete."""
        ...
