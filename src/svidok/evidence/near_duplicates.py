"""An in-memory index of perceptual hashes answering "which stored hashes lie within d bits of this one?".

Hashes are packed into a ``(n, words)`` uint64 array; a query XORs it with the query hash and
counts bits per row (``np.bitwise_count`` on NumPy >= 2, a byte lookup table otherwise). That is
a linear scan, but a vectorised one: a million 256-bit hashes fit in 32 MB and are scanned in
tens of milliseconds (figures in docs/benchmarks.md), which is simpler and more predictable
than a metric tree at this size.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)

_HAS_BITWISE_COUNT = hasattr(np, "bitwise_count")
_BYTE_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def pack(hashes: Iterable[str], bits: int) -> np.ndarray:
    """Hex hashes of ``bits`` bits as a ``(n, bits // 64)`` big-endian-word uint64 array."""
    if bits % 64:
        raise ValueError(f"hash width {bits} is not a multiple of 64 bits")
    raw = b"".join(_hex_bytes(h, bits) for h in hashes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, bits // 64)


def _hex_bytes(h: str, bits: int) -> bytes:
    if len(h) * 4 != bits:
        raise ValueError(f"hash {h[:16]!r}… has {len(h) * 4} bits, the index holds {bits}-bit hashes")
    return bytes.fromhex(h)


def popcount_rows(x: np.ndarray) -> np.ndarray:
    """Set bits per row of a 2-D uint64 array."""
    if _HAS_BITWISE_COUNT:
        return np.bitwise_count(x).sum(axis=1, dtype=np.uint16)
    return _BYTE_POPCOUNT[x.view(np.uint8)].sum(axis=1, dtype=np.uint16)


class NearDuplicateIndex(Generic[K]):
    """Keys with fixed-width hex hashes; several hashes may share a key (a video's keyframes)."""

    def __init__(self, bits: int = 256) -> None:
        self.bits = bits
        self._keys: list[K] = []
        self._pending: list[str] = []
        self._packed = np.zeros((0, bits // 64), dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: K, hash_hex: str) -> None:
        _hex_bytes(hash_hex, self.bits)  # refuse a wrong width now, not at query time
        self._keys.append(key)
        self._pending.append(hash_hex)

    def add_packed(self, keys: list[K], packed: np.ndarray) -> None:
        """Bulk load: ``packed`` as returned by :func:`pack`."""
        if packed.shape != (len(keys), self.bits // 64):
            raise ValueError(f"packed array of shape {packed.shape} for {len(keys)} keys of {self.bits} bits")
        self._flush()
        self._keys.extend(keys)
        self._packed = np.concatenate([self._packed, packed.astype(np.uint64, copy=False)])

    def _flush(self) -> None:
        if self._pending:
            self._packed = np.concatenate([self._packed, pack(self._pending, self.bits)])
            self._pending = []

    def distances(self, hash_hex: str) -> np.ndarray:
        """Hamming distance from ``hash_hex`` to every stored hash, in insertion order."""
        self._flush()
        q = pack([hash_hex], self.bits)
        return popcount_rows(self._packed ^ q)

    def query(self, hash_hex: str, max_distance: int) -> list[tuple[K, int]]:
        """Stored (key, distance) within ``max_distance`` bits, nearest first."""
        d = self.distances(hash_hex)
        hits = np.flatnonzero(d <= max_distance)
        hits = hits[np.argsort(d[hits], kind="stable")]
        return [(self._keys[i], int(d[i])) for i in hits]
