"""What only an object store does: conditional writes, object lock, an unreachable server."""

from __future__ import annotations

import io
import random

import pytest
from sqlalchemy import func, select

from svidok.core.actors import Actor
from svidok.core.errors import StorageUnavailable
from svidok.evidence.blobs import StoreUnavailableError
from svidok.services import evidence, evidence_reading
from svidok.storage.models import CustodyEvent, EvidenceItem, LedgerEntry
from tests import seaweed

from .conftest import LOCKED_BUCKET, make_s3_store, s3_settings

ADMIN = Actor("admin", "administrator")


def test_an_existing_object_is_never_overwritten(s3_server, tmp_path):
    store = make_s3_store(s3_server, tmp_path)
    data = random.Random(1).randbytes(12 << 20)
    sha = store.put_stream(io.BytesIO(data)).sha256
    before = store.client.head_object(Bucket=store.bucket, Key=store.key_for(sha))["ETag"]
    other = tmp_path / "other.bin"
    other.write_bytes(b"x" * (12 << 20))
    # Skip the existence check: the server itself must refuse (If-None-Match on the multipart completion)…
    assert store._upload(other, sha, other.stat().st_size) is False
    # …and on a single PUT.
    small = tmp_path / "small.bin"
    small.write_bytes(b"y" * 100)
    assert store._upload(small, sha, 100) is False
    assert store.client.head_object(Bucket=store.bucket, Key=store.key_for(sha))["ETag"] == before
    with store.open(sha) as fh:
        assert fh.read() == data
    assert store.unfinished_uploads(older_than_seconds=0) == []  # the refused upload was aborted


def test_object_lock_retention_is_set_and_holds(s3_server, tmp_path):
    store = make_s3_store(s3_server, tmp_path, bucket=LOCKED_BUCKET, object_lock=True, lock_mode="GOVERNANCE",
                          retention_days=1)
    sha = store.put_stream(io.BytesIO(b"locked synthetic evidence" * 100)).sha256
    head = store.client.head_object(Bucket=LOCKED_BUCKET, Key=store.key_for(sha))
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"]
    with pytest.raises(Exception, match="AccessDenied|Access Denied"):
        store.client.delete_object(Bucket=LOCKED_BUCKET, Key=store.key_for(sha), VersionId=head["VersionId"])
    with store.open(sha) as fh:
        assert fh.read() == b"locked synthetic evidence" * 100


def test_object_lock_on_a_bucket_without_it_is_a_clear_error(s3_server, tmp_path):
    store = make_s3_store(s3_server, tmp_path, object_lock=True)
    with pytest.raises(StoreUnavailableError, match="has none: create the bucket with object lock"):
        store.put_stream(io.BytesIO(b"x" * 10))
    assert list(store.iter_hashes()) == []


@pytest.fixture
def own_server(tmp_path, s3_server):
    """A server of this test's own, so the test can stop it (skips or fails as ``s3_server`` does)."""
    server = seaweed.start(tmp_path / "own-seaweedfs")
    yield server
    server.stop()


def _counts(app) -> tuple[int, int, int]:
    with app.db.session() as s:
        return (s.scalar(select(func.count()).select_from(EvidenceItem)),
                s.scalar(select(func.count()).select_from(CustodyEvent)),
                s.scalar(select(func.count()).select_from(LedgerEntry)))


def test_s3_unreachable_gives_a_clear_error_and_leaves_the_database_as_it_was(app, own_server):
    own_server.client().create_bucket(Bucket="svidok-evidence")
    app.settings = app.settings.model_copy(update=s3_settings(own_server))
    app.__dict__.pop("evidence_store", None)
    first = evidence.ingest(app, ADMIN, io.BytesIO(b"%PDF-1.4 first synthetic report"), original_name="a.pdf")
    before = _counts(app)
    own_server.stop()
    with pytest.raises(StorageUnavailable, match=r"evidence store s3://svidok-evidence/.* failed while .*nothing "
                                                 r"was recorded"):
        evidence.ingest(app, ADMIN, io.BytesIO(b"%PDF-1.4 second synthetic report"), original_name="b.pdf")
    assert _counts(app) == before
    store = evidence.evidence_store(app)
    assert not store.tmp.exists() or list(store.tmp.iterdir()) == []  # the staged copy is gone too
    with pytest.raises(StorageUnavailable, match="failed while reading"):
        evidence_reading.open_file(app, ADMIN, first["id"], evidence_reading.start_viewing(app, ADMIN, first["id"])["token"])


def test_s3_without_a_bucket_is_named(app):
    app.settings = app.settings.model_copy(update={"evidence_backend": "s3", "s3_bucket": None})
    app.__dict__.pop("evidence_store", None)
    with pytest.raises(StorageUnavailable, match="set SVIDOK_S3_BUCKET"):
        evidence.ingest(app, ADMIN, io.BytesIO(b"x" * 10), original_name="x.bin")
    assert _counts(app) == (0, 0, _counts(app)[2])
