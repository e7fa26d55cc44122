"""Witness protection, evidence upload, records forms, the map and the dashboard's need-to-know."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.figures import dashboard
from svidok.services import incidents, records, reference
from svidok.storage.models import EvidenceItem, LedgerEntry
from tests import fixtures as fx
from tests.web.conftest import csrf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _ledger_reads(core) -> int:
    with core.db.session() as s:
        return s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.action == "protected.read"))


def _public_incident_with_source(core) -> tuple[dict, dict]:
    src = fx.source(core, confidentiality="public")
    inc = fx.incident(core, confidentiality="public", source_ids=[src["id"]])
    return inc, src


def test_viewer_sees_the_pseudonym_and_is_refused_the_identity(web, client_for):
    core, _ = web
    inc, src = _public_incident_with_source(core)
    c = client_for("viewer")
    page = c.get(f"/incidents/{inc['id']}").text
    assert src["pseudonym"] in page
    assert "Коваленко" not in page and "Protected: your role sees the pseudonym only." in page
    r = c.post(f"/incidents/{inc['id']}/sources/{src['id']}/identity",
               data={"csrf_token": csrf(c), "purpose": "curious"})
    assert r.status_code == 403 and "Коваленко" not in r.text
    assert "you see the pseudonym" in r.text
    assert _ledger_reads(core) == 0


def test_investigator_reveals_an_identity_and_the_read_is_logged(web, client_for):
    core, _ = web
    inc, src = _public_incident_with_source(core)
    c = client_for("investigator")
    r = c.post(f"/incidents/{inc['id']}/sources/{src['id']}/identity",
               data={"csrf_token": csrf(c), "purpose": "preparing a case file"})
    assert r.status_code == 200 and "Коваленко Ірина (synthetic)" in r.text
    assert _ledger_reads(core) == 1


def test_person_protected_fields_for_cleared_roles_only(web, client_for):
    core, _ = web
    p = fx.person(core, confidentiality="public", address="вул. Синтетична, 1 (synthetic)")
    viewer = client_for("viewer")
    page = viewer.get(f"/persons/{p['id']}").text
    assert "Шевченко Олександр Петрович" in page and "Синтетична" not in page
    r = viewer.post(f"/persons/{p['id']}/protected", data={"csrf_token": csrf(viewer), "purpose": "checking"})
    assert r.status_code == 403 and "Синтетична" not in r.text
    inv = client_for("investigator")
    r = inv.post(f"/persons/{p['id']}/protected", data={"csrf_token": csrf(inv), "purpose": "tracing the family"})
    assert r.status_code == 200 and "вул. Синтетична, 1 (synthetic)" in r.text
    assert _ledger_reads(core) == 1


def test_add_a_source_from_the_incident_page(web, client_for):
    core, _ = web
    inc = fx.incident(core)
    c = client_for("investigator")
    r = c.post(f"/incidents/{inc['id']}/sources", data={
        "csrf_token": csrf(c), "kind": "witness", "description": "neighbour on the 3rd floor",
        "identity": "Synthetic Witness", "confidentiality": "restricted"}, follow_redirects=False)
    assert r.status_code == 303
    after = incidents.get(core, SYSTEM, inc["id"])
    assert len(after["sources"]) == 1 and after["sources"][0]["description"] == "neighbour on the 3rd floor"
    r = c.post(f"/incidents/{inc['id']}/sources", data={"csrf_token": csrf(c), "kind": "rumour"})
    assert r.status_code == 200 and "rumour" in r.text and 'id="kind-error"' in r.text
    assert len(incidents.get(core, SYSTEM, inc["id"])["sources"]) == 1


def _upload(c, incident_id: int, name: str, content: bytes, mime: str = "application/octet-stream"):
    return c.post(f"/upload/incidents/{incident_id}/evidence", data={"csrf_token": csrf(c), "method": "handed over"},
                  files={"file": (name, io.BytesIO(content), mime)}, follow_redirects=False)


def _evidence_count(core) -> int:
    with core.db.session() as s:
        return s.scalar(select(func.count()).select_from(EvidenceItem))


def test_upload_evidence_and_refuse_unknown_types_and_oversized_files(web, client_for, monkeypatch):
    core, _ = web
    inc = fx.incident(core)
    c = client_for("investigator")
    r = _upload(c, inc["id"], "photo.png", PNG, "image/png")
    assert r.status_code == 303, r.text
    page = c.get(f"/incidents/{inc['id']}").text
    assert "photo.png" in page and "image/png" in page
    import hashlib
    assert hashlib.sha256(PNG).hexdigest() in page
    r = _upload(c, inc["id"], "tool.exe", b"MZ\x90\x00" + b"\x01" * 300)
    assert r.status_code == 422 and "unknown or unsupported file type" in r.text
    r = _upload(c, inc["id"], "empty.jpg", b"", "image/jpeg")
    assert r.status_code == 422 and "empty" in r.text
    monkeypatch.setattr(core.settings, "max_upload_bytes", 100)
    r = _upload(c, inc["id"], "big.png", PNG, "image/png")
    assert r.status_code == 422 and "the limit is 100 bytes" in r.text
    assert _evidence_count(core) == 1


def test_hazard_area_form_and_the_map_layers(web, client_for):
    core, _ = web
    fx.incident(core, lat=49.99, lon=36.23, confidentiality="public")
    c = client_for("investigator")
    r = c.post("/records/hazard-areas/new", data={
        "csrf_token": csrf(c), "name": "Field near Izium", "lat": "95", "lon": "37.2",
        "contamination": "ap_mine", "status": "suspected", "confidentiality": "public"})
    assert r.status_code == 422 and 'id="lat-error"' in r.text
    r = c.post("/records/hazard-areas/new", data={
        "csrf_token": csrf(c), "name": "Field near Izium", "lat": "49.2", "lon": "37.2",
        "contamination": "ap_mine", "status": "suspected", "confidentiality": "public"}, follow_redirects=False)
    assert r.status_code == 303
    hazards = c.get("/map/hazards.geojson").json()["features"]
    assert [h["properties"]["name"] for h in hazards] == ["Field near Izium"]
    points = c.get("/map/incidents.geojson").json()["features"]
    assert points[0]["geometry"]["coordinates"] == [36.23, 49.99]
    oblasts = c.get("/map/boundaries.geojson").json()["features"]
    crimea = next(f for f in oblasts if f["properties"]["code"] == fx.CRIMEA)
    assert crimea["properties"]["occupied"] == "occupied"


def test_custody_episode_appears_on_the_person_page(web, client_for):
    core, _ = web
    p = fx.person(core)
    c = client_for("investigator")
    r = c.post("/records/custody-episodes/new", data={
        "csrf_token": csrf(c), "person_id": str(p["id"]), "authority": "fsb", "date_from": "2022-04",
        "outcome": "in_custody", "incommunicado": "yes", "confidentiality": "restricted"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(f"/persons/{p['id']}").text
    assert "2022-04" in page and "FSB" in page.upper()
    items, _n = records.listing(core, SYSTEM, "custody_episode")
    assert items[0]["incommunicado"] is True


def test_dashboard_counts_only_what_the_reader_may_see(web, client_for):
    core, _ = web
    fx.incident(core, confidentiality="public")
    fx.incident(core, confidentiality="confidential", title="Confidential strike")
    dashboard.forget()
    viewer = client_for("viewer").get("/").text
    admin = client_for("administrator").get("/").text
    assert "1 incident you may see." in viewer and "Confidential strike" not in viewer
    assert "2 incidents you may see." in admin and "Confidential strike" in admin
    figures = dashboard.summary(core, SYSTEM, fresh=True)
    assert figures["by_family"] == [["attacks_on_civilians", 2]]
    assert figures["by_month"] == [["2022-03", 2]]
    (oblast_id, _en, _uk, n), = figures["by_oblast"]
    assert n == 2 and reference.place(core, oblast_id)["code"] == fx.KHARKIV_OBLAST


def test_an_upload_over_a_megabyte_is_refused_clearly_whichever_limit_applies(web, client_for, monkeypatch):
    """The core's request limit (1 MB) or the upload limit: a clear answer, nothing stored."""
    core, _ = web
    inc = fx.incident(core)
    monkeypatch.setattr(core.settings, "max_upload_bytes", 1_100_000)
    c = client_for("investigator")
    r = _upload(c, inc["id"], "big.png", PNG + b"\x00" * 1_200_000, "image/png")
    assert r.status_code in (413, 422)
    assert "bytes" in r.text and "Traceback" not in r.text
    assert _evidence_count(core) == 0


def test_download_from_the_incident_page_is_a_recorded_post(web, client_for):
    import re

    from svidok.services import evidence

    core, _ = web
    inc = fx.incident(core, confidentiality="public")
    c = client_for("viewer")
    item = evidence.ingest(core, SYSTEM, io.BytesIO(PNG), original_name="photo.png", incident_id=inc["id"],
                           confidentiality="public")
    page = c.get(f"/incidents/{inc['id']}").text
    assert re.search(rf'<form method="post" action="/evidence/{item["id"]}/download"', page)
    assert c.post(f"/evidence/{item['id']}/download", data={}).status_code == 403  # no CSRF token: nothing read
    r = c.post(f"/evidence/{item['id']}/download", data={"csrf_token": csrf(c)})
    assert r.status_code == 200 and r.content == PNG
    actions = [e["action"] for e in evidence.get(core, SYSTEM, item["id"])["custody_events"]]
    assert actions == ["acquisition", "download"]


def test_the_map_takes_located_incidents_first(web, client_for, monkeypatch):
    from svidok.web.views import maps

    core, _ = web
    located = [fx.incident(core, lat=49.9 + i / 100, lon=36.2, confidentiality="public")["id"] for i in range(2)]
    for _ in range(3):  # newer, without a point
        fx.incident(core, confidentiality="public", place=None)
    monkeypatch.setattr(maps, "MAP_LIMIT", 2)
    doc = client_for("viewer").get("/map/incidents.geojson").json()
    assert sorted(f["properties"]["id"] for f in doc["features"]) == located and doc["truncated"] is False
