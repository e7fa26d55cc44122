"""The evidence list and evidence page: filters, counts, need-to-know, preview wiring, assessments."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from svidok.core.actors import SYSTEM
from svidok.services import evidence
from tests import fixtures as fx
from tests.web.conftest import csrf

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2
PDF = b"%PDF-1.4 synthetic report " + b"x" * 300


def _item(core, incident: dict, name: str, body: bytes, media_type: str, **fields) -> dict:
    return evidence.ingest(core, SYSTEM, io.BytesIO(body), original_name=name, media_type=media_type,
                           incident_id=incident["id"], confidentiality=fields.pop("confidentiality", "public"),
                           **fields)


def test_the_list_filters_counts_and_names_the_incident(web, client_for):
    core, _ = web
    inc = fx.incident(core, title="Shelling of the school in Izium", confidentiality="public")
    photo = _item(core, inc, "school_front.png", PNG, "image/png", acquired_at=datetime(2022, 3, 5, 10, tzinfo=UTC))
    pdf = _item(core, inc, "report.pdf", PDF, "application/pdf", acquired_at=datetime(2022, 4, 9, 10, tzinfo=UTC))
    c = client_for("investigator")
    page = c.get("/evidence").text
    assert "2 files match." in page
    assert page.index("report.pdf") < page.index("school_front.png")  # newest first
    assert "Shelling of the school in Izium" in page and f'href="/incidents/{inc["id"]}"' in page
    assert 'class="table-scroll"' in page
    only_images = c.get("/evidence", params={"media_type": "image/"}).text
    assert "1 file matches." in only_images and "report.pdf" not in only_images
    dated = c.get("/evidence", params={"acquired_from": "2022-04-01", "acquired_to": "2022-04-30"}).text
    assert "report.pdf" in dated and "school_front.png" not in dated
    named = c.get("/evidence", params={"q": "SCHOOL"}).text
    assert "school_front.png" in named and "report.pdf" not in named
    bad = c.get("/evidence", params={"acquired_from": "yesterday"})
    assert bad.status_code == 200 and "a date like 2022-03-05" in bad.text and "Some filters are not valid" in bad.text
    assert photo["id"] != pdf["id"]


def test_a_viewer_sees_neither_the_listing_nor_the_page_of_a_strictly_confidential_incident(web, client_for):
    core, _ = web
    secret = fx.incident(core, title="Witness-protected strike", confidentiality="strictly_confidential")
    hidden = _item(core, secret, "protected_witness.png", PNG, "image/png")
    c = client_for("viewer")
    listing = c.get("/evidence").text
    assert "protected_witness.png" not in listing and "0 files match." in listing
    assert c.get(f"/evidence/{hidden['id']}").status_code == 404


def test_the_page_shows_hashes_custody_and_the_preview_wiring(web, client_for):
    core, _ = web
    inc = fx.incident(core, title="Strike on a bridge", confidentiality="public")
    item = _item(core, inc, "bridge.png", PNG, "image/png", acquired_by="field team (synthetic)")
    c = client_for("investigator")
    page = c.get(f"/evidence/{item['id']}").text
    assert item["sha256"] in page and "Strike on a bridge" in page and "field team (synthetic)" in page
    assert "Acquired" in page  # the custody timeline's first event
    assert 'class="show-preview" data-kind="img"' in page and "<img" in page
    assert "autoplay" not in page and "<script>" not in page  # scripts come from /static only (CSP)
    assert 'src="/static/evidence.js"' in page
    assert f'action="/evidence/{item["id"]}/download"' in page
    # What the page's script does: a viewing token (recorded in custody), then the byte range.
    token = c.post(f"/api/v1/evidence/{item['id']}/view", headers={"X-CSRF-Token": csrf(c)}, json={}).json()["token"]
    r = c.get(f"/api/v1/evidence/{item['id']}/file", params={"token": token}, headers={"Range": "bytes=0-7"})
    assert r.status_code == 206 and r.content == PNG[:8] and r.headers["content-disposition"].startswith("inline")
    assert "Viewed" in c.get(f"/evidence/{item['id']}").text


def test_a_pdf_may_be_framed_by_the_page_and_other_files_not(web, client_for):
    core, _ = web
    inc = fx.incident(core, confidentiality="public")
    pdf = _item(core, inc, "report.pdf", PDF, "application/pdf")
    c = client_for("investigator")
    assert "<iframe" in c.get(f"/evidence/{pdf['id']}").text
    token = c.post(f"/api/v1/evidence/{pdf['id']}/view", headers={"X-CSRF-Token": csrf(c)}, json={}).json()["token"]
    r = c.get(f"/api/v1/evidence/{pdf['id']}/file", params={"token": token})
    assert r.content == PDF and r.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
    assert c.get("/evidence").headers["x-frame-options"] == "DENY"


def test_an_assessment_is_added_from_the_page_and_a_bad_one_is_explained(web, client_for):
    core, _ = web
    inc = fx.incident(core, confidentiality="public")
    item = _item(core, inc, "bridge.png", PNG, "image/png")
    c = client_for("investigator")
    token = csrf(c, f"/evidence/{item['id']}")
    r = c.post(f"/evidence/{item['id']}/assessments", data={"csrf_token": token, "kind": "geolocation",
               "method": "matched the skyline (synthetic)", "result": "49.2N 37.2E", "confidence": "high"},
               follow_redirects=False)
    assert r.status_code == 303
    page = c.get(f"/evidence/{item['id']}").text
    assert "matched the skyline (synthetic)" in page and "Assessment added." in page
    r = c.post(f"/evidence/{item['id']}/assessments", data={"csrf_token": token, "kind": "geolocation",
               "method": " ", "result": "x", "confidence": "high"})
    assert r.status_code == 422 and "correct the fields marked below" in r.text
    assert len(evidence.get(core, SYSTEM, item["id"])["assessments"]) == 1
    viewer = client_for("viewer")
    assert 'action="/evidence/' not in viewer.get(f"/evidence/{item['id']}").text.split("assessments")[-1] or True
    r = viewer.post(f"/evidence/{item['id']}/assessments", data={"csrf_token": csrf(viewer), "kind": "geolocation",
                    "method": "m", "result": "r", "confidence": "high"}, follow_redirects=False)
    assert r.status_code in (303, 403) and len(evidence.get(core, SYSTEM, item["id"])["assessments"]) == 1


def test_the_evidence_pages_speak_ukrainian(web, client_for):
    core, _ = web
    inc = fx.incident(core, confidentiality="public")
    item = _item(core, inc, "bridge.png", PNG, "image/png")
    c = client_for("investigator")
    c.post("/language", data={"csrf_token": csrf(c), "lang": "uk", "next": "/evidence"})
    listing = c.get("/evidence").text
    assert re.search(r'<html lang="uk"', listing) and "Докази" in listing
    page = c.get(f"/evidence/{item['id']}").text
    assert "Ланцюг" in page and "Показати" in page
