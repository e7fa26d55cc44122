"""Duplicate incidents over the HTTP API: the answer to a create, the check, the queue, decisions."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts
from tests import fixtures as fx

STRIKE = {"title": "Drone attack on a bus stop in Kherson", "date_start": "2023-11-02", "place": fx.KHARKIV_OBLAST,
          "lat": 46.6354, "lon": 32.6169, "acts": [{"violation_type": "attack_on_civilian_objects", "means": "drone",
                                                    "victims": [{"harm": "injured", "count": 2, "status": "civilian"}]}]}


def _client(app, role: str) -> TestClient:
    accounts.create_user(app, SYSTEM, role, "correct horse battery", role)
    c = TestClient(create_app(app), raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {accounts.create_token(app, SYSTEM, role)}"
    return c


def test_api_round_trip(app):
    with _client(app, "investigator") as inv, _client(app, "administrator") as admin:
        r = inv.post("/api/v1/incidents", json=STRIKE)
        assert r.status_code == 201, r.text
        first = r.json()
        assert first["possible_duplicates"] == [] and first["merged_into_id"] is None
        again = STRIKE | {"title": "Атака дрона на зупинку в Херсоні", "lat": 46.6360, "lon": 32.6175}
        check = inv.post("/api/v1/incident-duplicates/check", json=again)
        assert check.status_code == 200 and [d["incident_id"] for d in check.json()["possible_duplicates"]] == [first["id"]]
        second = inv.post("/api/v1/incidents", json=again).json()
        assert [d["incident_id"] for d in second["possible_duplicates"]] == [first["id"]]
        pair, = inv.get("/api/v1/incident-duplicates/pairs").json()["items"]
        shown = inv.get(f"/api/v1/incident-duplicates/pairs/{pair['id']}").json()
        assert {r["field"] for r in shown["evidence"]["reasons"]} >= {"date", "place", "type", "means"}
        done = inv.post(f"/api/v1/incident-duplicates/pairs/{pair['id']}/same", json={"note": "one attack"}).json()
        assert done["merge"]["survivor_id"] == first["id"]
        assert inv.get(f"/api/v1/incidents/{second['id']}").json()["merged_into_id"] == first["id"]
        assert inv.post(f"/api/v1/incident-duplicates/pairs/{pair['id']}/different", json={}).status_code == 409
        assert inv.post(f"/api/v1/incident-duplicates/pairs/{pair['id']}/undo", json={}).json()["status"] == "pending"
        assert inv.get(f"/api/v1/incidents/{second['id']}").json()["merged_into_id"] is None
        assert inv.post("/api/v1/incident-duplicates/runs", json={}).status_code == 403
        run = admin.post("/api/v1/incident-duplicates/runs", json={"min_probability": 0.5})
        assert run.status_code == 201 and run.json()["updated"] == 1
        assert inv.get("/api/v1/incident-duplicates/pairs", params={"status": "maybe"}).status_code == 422
        assert inv.post("/api/v1/incident-duplicates/check", json={"title": ""}).status_code == 422
