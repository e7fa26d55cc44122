"""Download ranges, `svidok verify` and bundles work the same on every kind of store."""

from __future__ import annotations

import io
import random
import tarfile

from svidok.core.actors import Actor
from svidok.evidence.bundle_verify import verify_bundle
from svidok.services import evidence, evidence_bundles, integrity
from tests import fixtures as fx

from .test_stores import _overwrite, raw_stored_bytes

ADMIN = Actor("admin", "administrator")
BODY = b"%PDF-1.4 synthetic forensic report\n" + random.Random(5).randbytes(300_000)


def test_download_with_http_ranges(store_app, client):
    r = client.post("/api/v1/evidence", files={"file": ("report.pdf", BODY, "application/pdf")})
    assert r.status_code == 201, r.text
    ident = r.json()["id"]
    assert client.get(f"/api/v1/evidence/{ident}/file").status_code == 403  # no viewing token: nothing served
    token = client.post(f"/api/v1/evidence/{ident}/view", json={"purpose": "playback"}).json()["token"]
    url = f"/api/v1/evidence/{ident}/file?token={token}"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.content == BODY and whole.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=65530-65600"})
    assert part.status_code == 206 and part.content == BODY[65530:65601]
    assert part.headers["content-range"] == f"bytes 65530-65600/{len(BODY)}"
    assert part.headers["content-length"] == "71"
    tail = client.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == BODY[-50:]
    rest = client.get(url, headers={"Range": f"bytes={len(BODY) - 7}-"})
    assert rest.content == BODY[-7:]
    beyond = client.get(url, headers={"Range": f"bytes={len(BODY)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(BODY)}"
    several = client.get(url, headers={"Range": "bytes=0-1,5-6"})  # not served as ranges: the whole file
    assert several.status_code == 200 and several.content == BODY


def test_verify_names_a_tampered_and_a_missing_file(store_app):
    a = evidence.ingest(store_app, ADMIN, io.BytesIO(BODY), original_name="a.pdf")
    b = evidence.ingest(store_app, ADMIN, io.BytesIO(BODY[::-1]), original_name="b.bin")
    report = integrity.verify(store_app)
    assert report.ok, report.problems
    store = evidence.evidence_store(store_app)
    raw = bytearray(raw_stored_bytes(store, a["sha256"]))
    raw[-100] ^= 1
    _overwrite(store, a["sha256"], bytes(raw))
    store.discard(b["sha256"])
    problems = integrity.verify(store_app).problems
    assert any(p.startswith(f"evidence item {a['id']}, file {a['sha256']}: content changed") for p in problems), problems
    assert any(p.startswith(f"evidence item {b['id']}, file {b['sha256']}: missing") for p in problems), problems


def test_a_bundle_holds_the_original_bytes(store_app, tmp_path):
    inc = fx.incident(store_app)
    item = evidence.ingest(store_app, ADMIN, io.BytesIO(BODY), original_name="report.pdf", incident_id=inc["id"])
    out = evidence_bundles.create(store_app, ADMIN, tmp_path / "case.tar", incident_ids=[inc["id"]],
                                  purpose="prosecutor request (synthetic)")
    report = verify_bundle(out["path"], evidence.public_key(store_app)["public_key_pem"])
    assert report.ok, report
    with tarfile.open(out["path"]) as tf:
        member = next(m for m in tf.getmembers() if m.name.split("/")[-2:-1] == ["files"] and item["sha256"] in m.name)
        assert tf.extractfile(member).read() == BODY
