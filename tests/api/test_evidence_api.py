"""Evidence through the API: upload, custody, download, assessments, proofs and bundles."""

import hashlib
import io

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
    job = fx.finished_job(app, client, client.post("/api/v1/bundles", json={
        "incident_ids": [inc["id"]], "purpose": "prosecutor request (synthetic)"}))
    r = client.get(f"/api/v1/jobs/{job['id']}/result")  # a bundle is made by a background job
    assert r.status_code == 200, job
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


def test_a_refused_bundle_leaves_no_folder_and_no_job(client, app):
    before = set(app.settings.data_dir.rglob("*"))
    r = client.post("/api/v1/bundles", json={"incident_ids": [999_999], "purpose": "prosecutor request"})
    assert r.status_code == 422 and "selection" in r.text
    assert set(app.settings.data_dir.rglob("*")) == before and client.get("/api/v1/jobs").json()["items"] == []


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


def _upload(client, name: str, body: bytes, media_type: str, incident_id: int, acquired_at: str) -> dict:
    r = client.post("/api/v1/evidence", files={"file": (name, body, media_type)},
                    data={"incident_id": str(incident_id), "acquired_at": acquired_at})
    assert r.status_code == 201, r.text
    return r.json()


def test_evidence_list_filters_and_cursor_pages(client, app):
    a, b = fx.incident(app, title="Shelling of a school"), fx.incident(app, title="Strike on a bridge")
    photo = _upload(client, "school_front.jpg", PHOTO, "image/jpeg", a["id"], "2022-03-05T10:00:00Z")
    pdf = _upload(client, "Report School.pdf", b"%PDF-1.4 synthetic report", "application/pdf", a["id"],
                  "2022-03-07T10:00:00Z")
    other = _upload(client, "bridge.jpg", PHOTO + b"2", "image/jpeg", b["id"], "2022-04-01T09:00:00Z")

    def ids(**params) -> list[int]:
        r = client.get("/api/v1/evidence", params=params)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    assert ids() == [other["id"], pdf["id"], photo["id"]]  # newest first
    assert ids(incident_id=a["id"]) == [pdf["id"], photo["id"]]
    assert ids(media_type="image/") == [other["id"], photo["id"]]
    assert ids(acquired_from="2022-03-06", acquired_to="2022-03-31") == [pdf["id"]]
    assert ids(acquired_to="2022-03-05") == [photo["id"]]  # the end day is included
    assert ids(q="school") == [pdf["id"], photo["id"]]  # any case, anywhere in the name
    assert ids(q="100%") == []
    first = client.get("/api/v1/evidence", params={"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [other["id"], pdf["id"]]
    assert first["items"][0]["incident_title"] == "Strike on a bridge"
    rest = client.get("/api/v1/evidence", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in rest["items"]] == [photo["id"]] and rest["next_cursor"] is None
    assert client.get("/api/v1/evidence/count", params={"media_type": "image/"}).json() == {"count": 2}
    r = client.get("/api/v1/evidence", params={"acquired_from": "2022-05-01", "acquired_to": "2022-04-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "acquired_to"
    assert client.get("/api/v1/evidence", params={"cursor": "nonsense"}).status_code == 422


def test_a_viewer_does_not_list_evidence_of_a_strictly_confidential_incident(client, app):
    from fastapi.testclient import TestClient

    from svidok.core.actors import SYSTEM
    from svidok.server import create_app
    from svidok.services import accounts

    open_inc = fx.incident(app, title="Public strike", confidentiality="public")
    secret = fx.incident(app, title="Witness-protected strike", confidentiality="strictly_confidential")
    # The item itself is marked public: only its incident hides it (need-to-know parents).
    shown = _upload(client, "public.jpg", PHOTO, "image/jpeg", open_inc["id"], "2022-03-05T10:00:00Z")
    hidden = evidence.ingest(app, SYSTEM, io.BytesIO(PHOTO + b"s"), original_name="secret.jpg",
                             media_type="image/jpeg", incident_id=secret["id"], confidentiality="public")
    r = client.post("/api/v1/evidence", files={"file": ("open.jpg", PHOTO + b"o", "image/jpeg")},
                    data={"incident_id": str(open_inc["id"]), "confidentiality": "public"})
    public = r.json()
    accounts.create_user(app, SYSTEM, "view", "correct horse battery", "viewer")
    token = accounts.create_token(app, SYSTEM, "view")
    with TestClient(create_app(app), raise_server_exceptions=False) as viewer:
        viewer.headers["Authorization"] = f"Bearer {token}"
        listed = [i["id"] for i in viewer.get("/api/v1/evidence").json()["items"]]
        assert listed == [public["id"]]  # not the restricted item, not the one of the secret incident
        assert viewer.get(f"/api/v1/evidence/{hidden['id']}").status_code == 404  # exactly as get()
        assert viewer.get("/api/v1/evidence/count").json() == {"count": 1}
        assert viewer.get("/api/v1/evidence", params={"incident_id": secret["id"]}).json()["items"] == []
    everything = [i["id"] for i in client.get("/api/v1/evidence").json()["items"]]
    assert hidden["id"] not in everything and shown["id"] in everything  # an investigator's clearance ends below


def test_a_file_c2pa_cannot_parse_is_not_examined_not_failed(client, app):
    """PHOTO starts like a JPEG and is none: the API says the credentials could not be examined, and why."""
    r = client.post("/api/v1/evidence", files={"file": ("odd.jpg", PHOTO, "image/jpeg")},
                    data={"incident_id": str(fx.incident(app)["id"])})
    assert r.status_code == 201, r.text
    c2pa = client.get(f"/api/v1/evidence/{r.json()['id']}").json()["extracted"]["c2pa"]
    assert (c2pa["state"], c2pa["trust"]) == ("NotExamined", "not examined") and c2pa["reason"]
