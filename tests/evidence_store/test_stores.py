"""The store interface on every kind of store: local and S3, plain and encrypted at rest."""

from __future__ import annotations

import io
import os
import random

import pytest

from svidok.evidence import at_rest
from svidok.evidence.blobs import BlobMissingError, BlobStore, HashMismatchError
from svidok.evidence.s3_store import S3Store
from svidok.evidence.store import LocalStore

DATA = random.Random(7).randbytes(13 * (1 << 20) + 12345)  # 3 parts of 5 MiB; not a multiple of 64 KiB


def raw_stored_bytes(store, sha: str) -> bytes:
    """What is at rest, read around the store (the file on disk, the object in the bucket)."""
    if isinstance(store, LocalStore):
        return store.path_for(sha).read_bytes()
    return store.client.get_object(Bucket=store.bucket, Key=store.key_for(sha))["Body"].read()


def test_ingest_dedup_and_read_back(any_store):
    assert isinstance(any_store, BlobStore)
    blob = any_store.put_stream(io.BytesIO(DATA), original_name="video.bin")
    assert blob.created and blob.size == len(DATA)
    again = any_store.put_stream(io.BytesIO(DATA), expected_sha256=blob.sha256.upper())
    assert not again.created and again.sha256 == blob.sha256
    assert list(any_store.iter_hashes()) == [blob.sha256]
    assert any_store.exists(blob.sha256) and any_store.size(blob.sha256) == len(DATA)
    with any_store.open(blob.sha256) as fh:
        assert fh.read() == DATA
    assert any_store.verify(blob.sha256, len(DATA)).ok


def test_a_wrong_declared_hash_stores_nothing(any_store):
    with pytest.raises(HashMismatchError):
        any_store.put_stream(io.BytesIO(b"testimony" * 1000), expected_sha256="ab" * 32)
    assert list(any_store.iter_hashes()) == [] and any_store.unfinished_uploads(older_than_seconds=0) == []


def test_byte_ranges_read_only_the_asked_bytes(any_store):
    sha = any_store.put_stream(io.BytesIO(DATA)).sha256
    chunk = at_rest.CHUNK
    rng = random.Random(3)
    cases = [(0, 1), (0, chunk), (chunk - 1, chunk + 1), (chunk, 2 * chunk), (len(DATA) - 5, len(DATA)),
             (len(DATA) - 5, len(DATA) + 100), (5 << 20, (5 << 20) + 3 * chunk + 7), (100, 100)]
    cases += [tuple(sorted(rng.sample(range(len(DATA)), 2))) for _ in range(8)]
    for start, end in cases:
        with any_store.open(sha, start, end) as fh:
            assert fh.read() == DATA[start:end], (start, end)
    with any_store.open(sha, len(DATA) - 10) as fh:  # to the end
        assert fh.read() == DATA[-10:]
    with any_store.open(sha, 0, 10) as fh:  # small reads
        assert fh.read(3) + fh.read(3) + fh.read() == DATA[:10]


def test_missing_blob_is_named(any_store):
    with pytest.raises(BlobMissingError, match="ab" * 32):
        any_store.open("ab" * 32)
    assert any_store.size("ab" * 32) is None
    assert any_store.verify("ab" * 32).problem.startswith("missing")


def test_encryption_at_rest_stores_no_plaintext_and_detects_tampering(any_store):
    marker = b"WITNESS-NAME-Olena-Synthetic " * 5000
    sha = any_store.put_stream(io.BytesIO(marker)).sha256
    raw = raw_stored_bytes(any_store, sha)
    if not any_store.encrypted:
        assert raw == marker
        return
    assert b"WITNESS-NAME" not in raw and raw[:8] == at_rest.MAGIC
    assert len(raw) == at_rest.cipher_size(len(marker))
    assert any_store.verify(sha, len(marker)).ok
    # flip one byte inside chunk 1's ciphertext, around the store
    bad = bytearray(raw)
    bad[at_rest.HEADER_SIZE + at_rest.CHUNK + 16 + 100] ^= 1
    _overwrite(any_store, sha, bytes(bad))
    check = any_store.verify(sha, len(marker))
    assert not check.ok and "chunk 1 fails authentication" in check.problem
    with any_store.open(sha, 0, 1000) as fh:  # chunk 0 is untouched: a range there still reads
        assert fh.read() == marker[:1000]


def test_an_encrypted_blob_cannot_be_passed_off_as_another(tmp_path, keyring):
    store = LocalStore(tmp_path / "ev", encrypt=True, keys=keyring)
    a = store.put_stream(io.BytesIO(b"first synthetic file" * 100)).sha256
    b = store.put_stream(io.BytesIO(b"second synthetic file" * 100)).sha256
    _overwrite(store, b, store.path_for(a).read_bytes())
    check = store.verify(b)
    assert not check.ok and "header fails authentication" in check.problem


def test_a_blob_under_a_rotated_key_still_reads(tmp_path, keyring):
    store = LocalStore(tmp_path / "ev", encrypt=True, keys=keyring)
    old = store.put_stream(io.BytesIO(b"before rotation" * 10)).sha256
    keyring.rotate()
    new = store.put_stream(io.BytesIO(b"after rotation" * 10)).sha256
    assert store.verify(old).ok and store.verify(new).ok
    stranger = LocalStore(tmp_path / "ev", keys=type(keyring).generate())
    with pytest.raises(at_rest.DecryptionError, match="not in the keyring"):
        stranger.open(old)


def _overwrite(store, sha: str, data: bytes) -> None:
    if isinstance(store, LocalStore):
        path = store.path_for(sha)
        os.chmod(path, 0o644)
        path.write_bytes(data)
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(Bucket=store.bucket, Key=store.key_for(sha), Body=data)
