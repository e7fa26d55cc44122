"""The advocacy and briefs API, through an in-process client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts, demo


@pytest.fixture
def client(sqlite_app):
    demo.load(sqlite_app, size=300)
    accounts.create_user(sqlite_app, SYSTEM, "inv", "correct horse battery", "investigator")
    token = accounts.create_token(sqlite_app, SYSTEM, "inv")
    with TestClient(create_app(sqlite_app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


def test_status_change_views_and_briefs(client) -> None:
    r = client.post("/api/v1/interventions/1/status", json={"status": "acknowledged", "note": "reply received"})
    assert r.status_code == 200, r.text
    assert r.json()["status_history"][-1] == {**r.json()["status_history"][-1], "status": "acknowledged", "note": "reply received"}
    bad = client.post("/api/v1/interventions/1/status", json={"status": "draft"})
    assert bad.status_code == 422 and "cannot become 'draft'" in bad.text
    assert client.get("/api/v1/advocacy/targets").json()[0]["by_status"] == {"acknowledged": 1}
    themes = {t["theme"]: t for t in client.get("/api/v1/advocacy/themes").json()}
    assert len(themes["mine_action"]["recommendations"]) == 1
    since = client.get("/api/v1/advocacy/since-last-letter", params={"target": "Head of State (demo)"}).json()
    assert since["last"]["id"] == 1
    names = {b["name"] for b in client.get("/api/v1/briefs").json()}
    assert "monthly_update" in names
    html = client.post("/api/v1/briefs/mine_action/render", json={"edition": "public"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html") and "Annex" in html.text
    err = client.post("/api/v1/briefs/monthly_update/render", json={"params": {"month": "2026-13"}})
    assert err.status_code == 422 and "monthly_update.md.j2:13" in err.text
    q = client.post("/api/v1/briefs/queries/hazard_areas", json={"args": {"hazard_status": "cleared"}}).json()
    assert q["kind"] == "number" and q["value"] == q["records"]
    unknown = client.post("/api/v1/briefs/queries/nothing", json={"args": {}})
    assert unknown.status_code == 422 and "unknown query" in unknown.text
