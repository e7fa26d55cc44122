"""Merkle tree over ledger entries, as defined in RFC 9162 (Certificate Transparency 2.0).

Leaves are the ``entry_hash`` bytes of ledger entries in ``seq`` order. Leaf hash is
``SHA-256(0x00 || leaf)``, interior node hash is ``SHA-256(0x01 || left || right)``; a tree
of ``n`` leaves splits at the largest power of two below ``n``. Proofs (inclusion and
consistency) and their verification follow RFC 9162 sections 2.1.3 and 2.1.4.

``MerkleTree`` keeps every *complete* subtree hash in one ``bytearray`` per level
(32 bytes per node, about 64 MB for a million leaves), so a root or a proof for any
tree size up to the current one costs O(log² n) hashes and appending a leaf O(log n).
Only the standard library is used, so the offline bundle verifier can mirror it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import sha256

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = sha256(b"").digest()


class ProofError(ValueError):
    """A proof was asked for an index or size the tree does not have."""


def leaf_hash(leaf: bytes) -> bytes:
    return sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only RFC 9162 tree; ``root(n)`` and proofs work for every size ``n <= size``."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        level0 = b"".join(sha256(LEAF_PREFIX + leaf).digest() for leaf in leaves)
        self._levels: list[bytearray] = [bytearray(level0)]
        # Build complete subtrees level by level: a pair of siblings is one contiguous
        # 64-byte slice, so each node is a single hash call over a slice.
        while len(self._levels[-1]) >= 2 * HASH_SIZE:
            below = self._levels[-1]
            pairs = len(below) // (2 * HASH_SIZE)
            self._levels.append(
                bytearray(
                    b"".join(
                        sha256(NODE_PREFIX + below[j : j + 2 * HASH_SIZE]).digest()
                        for j in range(0, pairs * 2 * HASH_SIZE, 2 * HASH_SIZE)
                    )
                )
            )

    @property
    def size(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def append(self, leaf: bytes) -> int:
        """Add one leaf; returns its index."""
        index = self.size
        self._levels[0] += leaf_hash(leaf)
        level = 0
        # A level with an even number of nodes has just completed a pair.
        while (len(self._levels[level]) // HASH_SIZE) % 2 == 0:
            row = self._levels[level]
            parent = sha256(NODE_PREFIX + row[-2 * HASH_SIZE :]).digest()
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level + 1] += parent
            level += 1
        return index

    def leaf_hash_at(self, index: int) -> bytes:
        if not 0 <= index < self.size:
            raise ProofError(f"leaf index {index} outside tree of size {self.size}")
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def _subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]); ``lo`` is always aligned to the left split of the range."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            height = n.bit_length() - 1
            i = lo >> height
            return bytes(self._levels[height][i * HASH_SIZE : (i + 1) * HASH_SIZE])
        k = _split(n)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def _check_size(self, tree_size: int | None) -> int:
        n = self.size if tree_size is None else tree_size
        if not 0 <= n <= self.size:
            raise ProofError(f"tree size {n} outside 0..{self.size}")
        return n

    def root(self, tree_size: int | None = None) -> bytes:
        n = self._check_size(tree_size)
        return EMPTY_ROOT if n == 0 else self._subtree(0, n)

    def inclusion_proof(self, index: int, tree_size: int | None = None) -> list[bytes]:
        """Audit path PATH(index, D[0:tree_size]) of RFC 9162 2.1.3.1."""
        n = self._check_size(tree_size)
        if not 0 <= index < n:
            raise ProofError(f"leaf index {index} outside tree of size {n}")
        proof: list[bytes] = []
        lo, hi, m = 0, n, index
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo, m = lo + k, m - k
        proof.reverse()  # the RFC lists the path from the leaf upwards
        return proof

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:second]) of RFC 9162 2.1.4.1."""
        n = self._check_size(second)
        if not 0 < first <= n:
            raise ProofError(f"old tree size {first} must be in 1..{n}")
        proof: list[bytes] = []
        lo, hi, m, complete = 0, n, first, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo, m, complete = lo + k, m - k, False
        if not complete:
            proof.append(self._subtree(lo, hi))
        proof.reverse()
        return proof


class CompactRange:
    """The right edge of a tree: one complete-subtree hash per set bit of ``size``.

    Enough to append leaves and compute the root without the earlier leaves, so sealing
    after a previous seal reads only the entries added since (RFC 9162 roots, same as
    ``MerkleTree``). ``frontier`` lists the subtree hashes from the largest to the smallest.
    """

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        if len(frontier) != size.bit_count():
            raise ValueError(f"a range of size {size} needs {size.bit_count()} hashes, got {len(frontier)}")
        self.size = size
        self.frontier = list(frontier)

    @classmethod
    def of(cls, tree: MerkleTree, tree_size: int | None = None) -> CompactRange:
        n = tree.size if tree_size is None else tree_size
        hashes, lo = [], 0
        for height in range(n.bit_length() - 1, -1, -1):
            if n >> height & 1:
                hashes.append(tree._subtree(lo, lo + (1 << height)))
                lo += 1 << height
        return cls(n, hashes)

    def append(self, leaf: bytes) -> None:
        h = leaf_hash(leaf)
        size = self.size
        # Merge with equal-sized subtrees on the right edge, like carrying in binary addition.
        while size & 1:
            h = node_hash(self.frontier.pop(), h)
            size >>= 1
        self.frontier.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.frontier:
            return EMPTY_ROOT
        r = self.frontier[-1]
        for h in reversed(self.frontier[:-1]):
            r = node_hash(h, r)
        return r


def root_of(leaves: Iterable[bytes]) -> bytes:
    return MerkleTree(leaves).root()


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` show ``leaf`` at ``index`` in the tree with ``root``?"""
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf_hash(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree of size ``second`` an append-only extension of ``first``?"""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if not path:
        return False
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
