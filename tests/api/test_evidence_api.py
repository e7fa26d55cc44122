"""Evidence through the API: upload, custody, download, assessments, proofs and bundles."""

import hashlib

from svidok.evidence.bundle_verify import verify_bundle
from svidok.services import evidence
from tests import fixtures as fx

PHOTO = b"\xff\xd8\xff\xe0" + b"synthetic jpeg-ish bytes " * 400


def test_upload_download_and_custody_history(client, app):
    inc = fx.incident(app)
    digest = hashlib.sha256(PHOTO).hexdigest()
    r = client.post("/api/v1/evidence", files={"file": ("strike.jpg", PHOTO, "image/jpeg")},
                    data={"incident_id": str(inc["id"]), "acquired_by": "field team (synthetic)",
                          "acquisition_method": "phone camera"}, headers={"X-Content-SHA256": digest})
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["sha256"] == digest and item["size"] == len(PHOTO)
    r = client.post(f"/api/v1/evidence/{item['id']}/download", json={"purpose": "review"})
    assert r.content == PHOTO and r.headers["x-content-sha256"] == digest
    got = client.get(f"/api/v1/evidence/{item['id']}").json()
    assert [e["action"] for e in got["custody_events"]][:2] == ["acquisition", "download"]
    r = client.post(f"/api/v1/evidence/{item['id']}/assessments",
                    json={"kind": "geolocation", "method": "matched skyline", "result": "49.99N 36.23E", "confidence": "high"})
    assert r.status_code == 201
    proof = client.get(f"/api/v1/evidence/{item['id']}/proof").json()
    assert proof["tree_head"]["tree_size"] >= 1


def test_a_wrong_declared_hash_or_empty_file_is_refused_and_nothing_stays(client, app):
    r = client.post("/api/v1/evidence", files={"file": ("x.jpg", PHOTO, "image/jpeg")},
                    headers={"X-Content-SHA256": "0" * 64})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = client.post("/api/v1/evidence", files={"file": ("empty.jpg", b"", "image/jpeg")})
    assert r.status_code == 422
    store = evidence.evidence_store(app)
    assert list(store.iter_blobs()) == [] and list(store.stale_temp_files()) == []


def test_raw_streaming_upload_and_an_offline_verifiable_bundle(client, app, tmp_path):
    inc = fx.incident(app)
    body = b"%PDF-1.4 synthetic" + bytes(range(256)) * 100
    r = client.put("/api/v1/evidence/raw", params={"original_name": "report.pdf", "incident_id": inc["id"]},
                   content=body, headers={"content-type": "application/pdf"})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/bundles", json={"incident_ids": [inc["id"]], "purpose": "prosecutor request (synthetic)"})
    assert r.status_code == 200, r.text
    bundle = tmp_path / "b.tar"
    bundle.write_bytes(r.content)
    key = client.get("/api/v1/evidence/public-key").json()
    pem = key["public_key_pem"]
    report = verify_bundle(bundle, pem)
    assert report.ok, report
    damaged = bytearray(r.content)
    damaged[len(damaged) // 2] ^= 1
    bundle.write_bytes(bytes(damaged))
    assert not verify_bundle(bundle, pem).ok


def _actions(client, item_id: int) -> list[str]:
    return [e["action"] for e in client.get(f"/api/v1/evidence/{item_id}").json()["custody_events"]]


def test_reads_that_write_custody_are_posts(client, app):
    """A cross-site link (a GET) cannot add ledger entries; a download is a POST, hashed as served."""
    inc = fx.incident(app)
    item = client.post("/api/v1/evidence", files={"file": ("фото_свідка.jpg", PHOTO, "image/jpeg")},
                       data={"incident_id": str(inc["id"])}).json()
    for _ in range(3):
        assert client.get(f"/api/v1/evidence/{item['id']}").status_code == 200
    assert _actions(client, item["id"]) == ["acquisition"]
    assert client.get(f"/api/v1/evidence/{item['id']}/file").status_code == 403  # ranges need a viewing token
    assert client.get(f"/api/v1/evidence/{item['id']}/download").status_code == 405
    r = client.post(f"/api/v1/evidence/{item['id']}/download", json={"purpose": "court copy"})
    assert r.status_code == 200 and r.content == PHOTO
    assert "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE" in r.headers["content-disposition"]
    assert _actions(client, item["id"]) == ["acquisition", "download"]
    token = client.post(f"/api/v1/evidence/{item['id']}/view", json={"purpose": "look"}).json()["token"]
    for _ in range(3):  # playback: many ranged GETs, one recorded access (the POST)
        assert client.get(f"/api/v1/evidence/{item['id']}/file?token={token}",
                          headers={"Range": "bytes=0-9"}).content == PHOTO[:10]
    assert _actions(client, item["id"]) == ["acquisition", "download", "access"]


def test_a_tampered_file_is_not_served_whole_and_the_ledger_says_so(client, app):
    inc = fx.incident(app)
    item = client.post("/api/v1/evidence", files={"file": ("s.jpg", PHOTO, "image/jpeg")},
                       data={"incident_id": str(inc["id"])}).json()
    path = evidence.evidence_store(app).path_for(item["sha256"])
    path.chmod(0o644)
    path.write_bytes(PHOTO + b"!")
    r = client.post(f"/api/v1/evidence/{item['id']}/download", json={})
    assert r.status_code == 409 and "no longer matches" in r.json()["detail"]
    got = client.get(f"/api/v1/evidence/{item['id']}").json()["custody_events"][-1]
    assert got["action"] == "verification" and got["sha256"] == hashlib.sha256(PHOTO + b"!").hexdigest()


def test_a_refused_bundle_leaves_no_folder(client, app):
    before = set(app.settings.data_dir.glob(".bundle-*"))
    r = client.post("/api/v1/bundles", json={"incident_ids": [999_999], "purpose": "prosecutor request"})
    assert r.status_code == 422
    assert set(app.settings.data_dir.glob(".bundle-*")) == before


def test_a_viewing_token_serves_only_its_item_and_its_user(client, app):
    inc = fx.incident(app)
    one = client.post("/api/v1/evidence", files={"file": ("a.jpg", PHOTO, "image/jpeg")}, data={"incident_id": str(inc["id"])}).json()
    two = client.post("/api/v1/evidence", files={"file": ("b.jpg", PHOTO[::-1], "image/jpeg")},
                      data={"incident_id": str(inc["id"])}).json()
    token = client.post(f"/api/v1/evidence/{one['id']}/view").json()["token"]
    assert client.get(f"/api/v1/evidence/{one['id']}/file?token={token}").content == PHOTO
    assert client.get(f"/api/v1/evidence/{two['id']}/file?token={token}").status_code == 403
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert client.get(f"/api/v1/evidence/{one['id']}/file?token={forged}").status_code == 403
