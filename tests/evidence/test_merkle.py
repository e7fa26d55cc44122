"""RFC 9162 Merkle tree: roots and proofs against the RFC's recursive definitions."""

from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svidok.evidence.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def leaves(n):
    return [sha256(f"entry {i}".encode()).digest() for i in range(n)]


def mth(d):
    """MTH as written in RFC 9162 section 2.1.1."""
    if not d:
        return sha256(b"").digest()
    if len(d) == 1:
        return sha256(b"\x00" + d[0]).digest()
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m, d):
    if len(d) <= 1:
        return []
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    return subproof(m, d[:k], b) + [mth(d[k:])] if m <= k else subproof(m - k, d[k:], False) + [mth(d[:k])]


def test_known_small_trees():
    d = leaves(3)
    expected = node_hash(node_hash(leaf_hash(d[0]), leaf_hash(d[1])), leaf_hash(d[2]))
    assert MerkleTree(d).root() == expected
    assert MerkleTree([]).root() == EMPTY_ROOT
    assert MerkleTree(d[:1]).root() == sha256(b"\x00" + d[0]).digest()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=70))
def test_roots_and_proofs_match_the_rfc_for_every_size(n):
    d = leaves(n)
    tree = MerkleTree(d)
    for size in range(1, n + 1):
        root = mth(d[:size])
        assert tree.root(size) == root
        for m in range(size):
            proof = tree.inclusion_proof(m, size)
            assert proof == path(m, d[:size])
            assert verify_inclusion(d[m], m, size, proof, root)
        for first in range(1, size + 1):
            proof = tree.consistency_proof(first, size)
            assert proof == subproof(first, d[:size], True)
            assert verify_consistency(first, size, mth(d[:first]), root, proof)


def test_appending_gives_the_same_tree_as_building_at_once():
    d = leaves(300)
    grown = MerkleTree()
    for i, leaf in enumerate(d):
        assert grown.append(leaf) == i
    built = MerkleTree(d)
    assert grown.root() == built.root()
    assert grown.inclusion_proof(123) == built.inclusion_proof(123)


def test_wrong_leaf_index_or_root_fails_verification():
    d = leaves(13)
    tree = MerkleTree(d)
    proof = tree.inclusion_proof(5)
    root = tree.root()
    assert verify_inclusion(d[5], 5, 13, proof, root)
    assert not verify_inclusion(d[6], 5, 13, proof, root)
    assert not verify_inclusion(d[5], 4, 13, proof, root)
    assert not verify_inclusion(d[5], 5, 6, proof, root)
    assert not verify_inclusion(d[5], 5, 13, proof[:-1], root)
    assert not verify_inclusion(d[5], 5, 13, proof, MerkleTree(d[:12]).root())
    bad = list(proof)
    bad[1] = bytes(32)
    assert not verify_inclusion(d[5], 5, 13, bad, root)


def test_consistency_fails_for_a_rewritten_history():
    d = leaves(20)
    tree = MerkleTree(d)
    old_root = tree.root(7)
    proof = tree.consistency_proof(7, 20)
    assert verify_consistency(7, 20, old_root, tree.root(), proof)
    rewritten = MerkleTree(d[:3] + [sha256(b"forged").digest()] + d[4:])
    assert not verify_consistency(7, 20, old_root, rewritten.root(), rewritten.consistency_proof(7, 20))


def test_proofs_outside_the_tree_are_refused_with_a_reason():
    tree = MerkleTree(leaves(4))
    with pytest.raises(ProofError, match="leaf index 4 outside tree of size 4"):
        tree.inclusion_proof(4)
    with pytest.raises(ProofError, match="tree size 5 outside 0..4"):
        tree.root(5)


def test_compact_range_continues_a_tree_from_its_right_edge():
    d = leaves(200)
    tree = MerkleTree(d)
    for start in (0, 1, 7, 64, 100, 199):
        rng = CompactRange.of(tree, start)
        assert rng.root() == tree.root(start)
        for i in range(start, 200):
            rng.append(d[i])
            if i % 13 == 0 or i == 199:
                assert rng.root() == tree.root(i + 1)
    with pytest.raises(ValueError, match="a range of size 5 needs 2 hashes, got 1"):
        CompactRange(5, [bytes(32)])
