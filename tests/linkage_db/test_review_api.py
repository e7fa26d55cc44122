"""The review queue over HTTP: list, show side by side, accept, undo, reject."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts
from tests import fixtures as fx


def _client(app, role: str) -> TestClient:
    accounts.create_user(app, SYSTEM, role, "correct horse battery", role)
    c = TestClient(create_app(app), raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {accounts.create_token(app, SYSTEM, role)}"
    return c


def test_review_queue_round_trip(sqlite_app):
    a = fx.person(sqlite_app, full_name="Мельник Ганна Петрівна", birth_date="1962-07-01", sex="female")["id"]
    b = fx.person(sqlite_app, full_name="Hanna Melnyk", birth_date="1962-07-01", sex="female")["id"]
    fx.person(sqlite_app, full_name="Бондаренко Ігор", birth_date="1990", sex="male")
    with _client(sqlite_app, "administrator") as admin, _client(sqlite_app, "investigator") as inv:
        r = admin.post("/api/v1/linkage/runs", json={"review_threshold": 0.3})
        assert fx.finished_job(sqlite_app, admin, r)["status"] == "done"  # a run is a background job
        assert inv.post("/api/v1/linkage/runs", json={}).status_code == 403
        queue = inv.get("/api/v1/linkage/pairs").json()
        pair = next(i for i in queue["items"] if {i["left"]["id"], i["right"]["id"]} == {a, b})
        side = inv.get(f"/api/v1/linkage/pairs/{pair['id']}").json()
        assert side["evidence"]["for"] and {side["left"]["id"], side["right"]["id"]} == {a, b}
        done = inv.post(f"/api/v1/linkage/pairs/{pair['id']}/accept", json={"note": "same person"}).json()
        assert done["status"] == "accepted" and done["merge"]["merged_id"] == b
        assert inv.get(f"/api/v1/persons/{b}").json()["merged_into_id"] == a
        again = inv.post(f"/api/v1/linkage/pairs/{pair['id']}/reject", json={})
        assert again.status_code == 409 and "undo" in again.text
        assert inv.post(f"/api/v1/linkage/pairs/{pair['id']}/undo", json={"note": "check again"}).status_code == 200
        assert inv.get(f"/api/v1/persons/{b}").json()["merged_into_id"] is None
        assert inv.post(f"/api/v1/linkage/pairs/{pair['id']}/reject", json={}).json()["status"] == "rejected"
        assert [m["active"] for m in inv.get(f"/api/v1/linkage/persons/{a}/merges").json()] == [False]
        assert inv.get("/api/v1/linkage/pairs", params={"status": "maybe"}).status_code == 422
        assert inv.get("/api/v1/linkage/pairs/999999").status_code == 404
