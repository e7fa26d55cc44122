"""Evidence encrypted at rest: AES-256-GCM in 64 KiB chunks, a data key per file.

Layout of a stored blob (all integers big-endian)::

    header  "SVDKEV01" | chunk size u32 | plaintext size u64 | file id (16 random bytes)
            | key id (8 ASCII) | nonce (12) | wrapped data key (32 + 16 tag)       = 104 bytes
    chunk i AES-GCM(data key, nonce = i as 12 bytes, aad = file id | i u64 | last u8) = n + 16 bytes

The data key is random per file and wrapped by the installation's key (the field
keyring, so a key rotation keeps old blobs readable); the wrap's associated data holds
the header fields and the file's SHA-256, so a header moved onto another blob, a
changed size or a swapped object does not decrypt. A chunk names its index and whether
it is the last, so chunks cannot be reordered, dropped or the blob cut short unseen.
The nonce can be the chunk index because each data key encrypts one file only.

A byte range needs only the chunks it touches (``cipher_span``).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .blobs import EvidenceStoreError
from .readers import ReaderOver, read_up_to

MAGIC = b"SVDKEV01"
CHUNK = 64 << 10
TAG = 16
_HEAD = struct.Struct(">8sIQ16s8s12s48s")
HEADER_SIZE = _HEAD.size  # 104


class KeySource(Protocol):
    """The installation's keyring (``services.field_crypto.Keyring``): an active key id and keys by id."""

    active: str
    keys: dict[str, bytes]


class DecryptionError(EvidenceStoreError):
    """A stored blob does not decrypt: it was changed, cut, swapped, or its key is missing."""


def cipher_size(plain_size: int, chunk: int = CHUNK) -> int:
    chunks = -(-plain_size // chunk)
    return HEADER_SIZE + plain_size + chunks * TAG


class Header:
    def __init__(self, chunk: int, plain_size: int, file_id: bytes, key_id: str, data_key: bytes) -> None:
        self.chunk, self.plain_size, self.file_id, self.key_id, self.data_key = chunk, plain_size, file_id, key_id, data_key

    @property
    def chunks(self) -> int:
        return -(-self.plain_size // self.chunk)

    def cipher_span(self, start: int, end: int) -> tuple[int, int, int]:
        """(first chunk, byte offset of its ciphertext, byte offset past the last needed chunk)."""
        first = start // self.chunk
        last = (end - 1) // self.chunk
        step = self.chunk + TAG
        return first, HEADER_SIZE + first * step, min(HEADER_SIZE + (last + 1) * step, cipher_size(self.plain_size, self.chunk))


def _wrap_aad(chunk: int, plain_size: int, file_id: bytes, kid: bytes, sha256: str) -> bytes:
    return MAGIC + struct.pack(">IQ", chunk, plain_size) + file_id + kid + bytes.fromhex(sha256)


def _chunk_aad(file_id: bytes, index: int, last: bool) -> bytes:
    return file_id + struct.pack(">QB", index, last)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def encrypt_chunks(read: Callable[[int], bytes], plain_size: int, sha256: str, keys: KeySource,
                   chunk: int = CHUNK) -> Iterator[bytes]:
    """The encrypted blob, piece by piece: the header, then one piece per chunk read."""
    data_key = AESGCM.generate_key(bit_length=256)
    file_id = os.urandom(16)
    kid = keys.active.encode("ascii")
    nonce = os.urandom(12)
    wrapped = AESGCM(keys.keys[keys.active]).encrypt(nonce, data_key,
                                                     _wrap_aad(chunk, plain_size, file_id, kid, sha256))
    yield _HEAD.pack(MAGIC, chunk, plain_size, file_id, kid, nonce, wrapped)
    aead = AESGCM(data_key)
    n_chunks = -(-plain_size // chunk)
    for i in range(n_chunks):
        data = read(chunk)
        want = min(chunk, plain_size - i * chunk)
        if len(data) != want:
            raise EvidenceStoreError(f"the file changed while it was being encrypted (chunk {i}); nothing stored")
        yield aead.encrypt(_nonce(i), data, _chunk_aad(file_id, i, i == n_chunks - 1))


def read_header(raw: bytes, sha256: str, keys: KeySource) -> Header:
    if len(raw) < HEADER_SIZE or raw[:8] != MAGIC:
        raise DecryptionError(f"evidence file {sha256} is not an encrypted Svidok blob (bad header)")
    _, chunk, plain_size, file_id, kid, nonce, wrapped = _HEAD.unpack(raw[:HEADER_SIZE])
    key_id = kid.decode("ascii", "replace")
    if key_id not in keys.keys:
        raise DecryptionError(f"evidence file {sha256} is encrypted with key {key_id}, which is not in the keyring; "
                              "restore the key file that was in use when it was stored")
    try:
        data_key = AESGCM(keys.keys[key_id]).decrypt(nonce, wrapped, _wrap_aad(chunk, plain_size, file_id, kid, sha256))
    except InvalidTag:
        raise DecryptionError(f"evidence file {sha256}: its header fails authentication "
                              "(changed, or belongs to another file)") from None
    return Header(chunk, plain_size, file_id, key_id, data_key)


class DecryptingReader(ReaderOver):
    """Plaintext ``[start, end)`` of an encrypted blob, read from ``raw`` positioned at chunk ``first``.

    Decrypts one chunk at a time; a chunk that fails authentication raises ``DecryptionError``.
    """

    def __init__(self, raw: BinaryIO, header: Header, start: int, end: int, sha256: str) -> None:
        self.raw, self.h, self.sha256 = raw, header, sha256
        self.aead = AESGCM(header.data_key)
        self.index = start // header.chunk
        self.skip = start - self.index * header.chunk
        self.remaining = end - start
        self.buf = b""

    def _next_chunk(self) -> bytes:
        h, i = self.h, self.index
        want = min(h.chunk, h.plain_size - i * h.chunk) + TAG
        data = read_up_to(self.raw, want)
        if len(data) != want:
            raise DecryptionError(f"evidence file {self.sha256}: chunk {i} is cut short ({len(data)} of {want} bytes)")
        try:
            plain = self.aead.decrypt(_nonce(i), data, _chunk_aad(h.file_id, i, i == h.chunks - 1))
        except InvalidTag:
            raise DecryptionError(f"evidence file {self.sha256}: chunk {i} fails authentication "
                                  "(the stored bytes were changed)") from None
        self.index += 1
        return plain

    def read(self, n: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if n is None or n < 0:
            n = self.remaining
        n = min(n, self.remaining)
        parts, have = [], 0
        while have < n:
            if not self.buf:
                self.buf = self._next_chunk()
                if self.skip:
                    self.buf, self.skip = self.buf[self.skip:], 0
            take = self.buf[: n - have]
            self.buf = self.buf[len(take):]
            parts.append(take)
            have += len(take)
        self.remaining -= have
        return b"".join(parts)

