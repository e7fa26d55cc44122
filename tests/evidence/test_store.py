"""Content-addressed store: write once, stream, refuse bad uploads without leaving anything behind."""

import hashlib
import io
import os

import pytest

from svidok.evidence.store import (
    EmptyFileError,
    EvidenceStore,
    EvidenceStoreError,
    HashMismatchError,
    SizeMismatchError,
)


class TrickleStream(io.RawIOBase):
    """A socket-like stream: short reads of at most ``step`` bytes."""

    def __init__(self, data: bytes, step: int = 1000, fail_at: int | None = None):
        self.data, self.pos, self.step, self.fail_at = data, 0, step, fail_at

    def readable(self):
        return True

    def readinto(self, b):
        if self.fail_at is not None and self.pos >= self.fail_at:
            raise ConnectionResetError("client went away")
        chunk = self.data[self.pos : self.pos + min(self.step, len(b))]
        b[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


def leftovers(store):
    return [p for p in store.root.rglob("*") if p.is_file()]


def test_stores_once_by_hash_and_reads_back(store_root):
    store = EvidenceStore(store_root)
    data = os.urandom(9 * 1024 * 1024 + 17)  # spans several buffers
    digest = hashlib.sha256(data).hexdigest()
    blob = store.put_stream(io.BytesIO(data), original_name="clip.bin")
    assert (blob.sha256, blob.size, blob.created) == (digest, len(data), True)
    assert blob.path == store_root / "objects" / digest[:2] / digest[2:4] / digest
    with store.open(digest) as fh:
        assert fh.read() == data
    assert not os.access(blob.path, os.W_OK) or os.geteuid() == 0
    assert blob.path.stat().st_mode & 0o222 == 0  # stored read-only
    again = store.put_stream(TrickleStream(data, step=777_777), expected_sha256=digest.upper())
    assert again.created is False and again.sha256 == digest
    assert list(store.iter_blobs()) == [digest]
    assert store.verify(digest).ok
    assert list((store_root / "tmp").iterdir()) == []


def test_streams_without_readinto(store_root):
    class ReadOnly:
        def __init__(self, data):
            self.buf = io.BytesIO(data)

        def read(self, n=-1):
            return self.buf.read(min(n, 5000))

    data = b"web capture " * 100_000
    blob = EvidenceStore(store_root).put_stream(ReadOnly(data))
    assert blob.size == len(data) and blob.sha256 == hashlib.sha256(data).hexdigest()


def test_empty_file_is_refused(store_root):
    store = EvidenceStore(store_root)
    with pytest.raises(EmptyFileError, match="empty file: 0 bytes"):
        store.put_stream(io.BytesIO(b""))
    assert leftovers(store) == []


def test_declared_hash_mismatch_is_refused_and_nothing_stays(store_root):
    store = EvidenceStore(store_root)
    data = b"photo bytes" * 1000
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(HashMismatchError) as err:
        store.put_stream(io.BytesIO(data), expected_sha256=wrong)
    assert wrong in str(err.value) and hashlib.sha256(data).hexdigest() in str(err.value)
    assert leftovers(store) == []


def test_truncated_upload_is_refused(store_root):
    store = EvidenceStore(store_root)
    data = os.urandom(100_000)
    with pytest.raises(SizeMismatchError, match="declared 150000 bytes, received 100000 bytes \\(truncated\\)"):
        store.put_stream(io.BytesIO(data), expected_size=150_000)
    assert leftovers(store) == []


def test_broken_connection_leaves_nothing(store_root):
    store = EvidenceStore(store_root)
    with pytest.raises(ConnectionResetError):
        store.put_stream(TrickleStream(os.urandom(10_000_000), step=1 << 20, fail_at=5_000_000))
    assert leftovers(store) == []


def test_bad_hash_text_is_named(store_root):
    with pytest.raises(EvidenceStoreError, match="not a SHA-256 hex digest: 'abc'"):
        EvidenceStore(store_root).put_stream(io.BytesIO(b"x"), expected_sha256="abc")


def test_verify_names_a_changed_or_missing_file(store_root):
    store = EvidenceStore(store_root)
    blob = store.put_stream(io.BytesIO(b"original testimony audio" * 100))
    os.chmod(blob.path, 0o644)
    with open(blob.path, "r+b") as fh:
        fh.seek(10)
        fh.write(b"X")
    check = store.verify(blob.sha256)
    assert not check.ok and "content changed: file now hashes to" in check.problem
    blob.path.unlink()
    assert store.verify(blob.sha256).problem.startswith("missing: no file at")


def test_media_type_comes_from_the_bytes_not_the_name(store_root):
    store = EvidenceStore(store_root)
    pdf = store.put_stream(io.BytesIO(b"%PDF-1.4\n..."), original_name="photo.jpg", media_type="image/jpeg")
    assert pdf.media_type == "application/pdf"
    txt = store.put_stream(io.BytesIO(b"plain notes"), original_name="notes.txt")
    assert txt.media_type == "text/plain"
    unknown = store.put_stream(io.BytesIO(b"\x00\x01\x02"))
    assert unknown.media_type == "application/octet-stream"


def test_size_limit_stops_the_stream_and_leaves_nothing(store_root, tmp_path):
    store = EvidenceStore(store_root)
    data = os.urandom(10_000_000)
    with pytest.raises(SizeMismatchError, match="file too large: more than the limit of 5000000 bytes"):
        store.put_stream(TrickleStream(data, step=1 << 20), max_size=5_000_000)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    with pytest.raises(SizeMismatchError, match="file too large"):
        store.put_file(path, max_size=5_000_000)
    assert leftovers(store) == []
    assert store.put_file(path, max_size=10_000_000).size == 10_000_000
