"""The custody and displacement API, as a monitor's client uses it."""

from __future__ import annotations

import pytest
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


@pytest.fixture
def client(sqlite_app):
    with _client(sqlite_app, "investigator") as c:
        yield c


def test_monitor_status_and_counts_over_http(client, sqlite_app):
    p = fx.person(sqlite_app, birth_date="1950")["id"]
    r = client.post("/api/v1/custody-episodes", json={
        "person_id": p, "authority": "fsb", "date_from": "2022-03-20", "acknowledged": False,
        "incommunicado": True, "facility": "FAC-RU-TAGANROG-SIZO2"})
    assert r.status_code == 201, r.text
    page = client.get("/api/v1/custody/monitor", params={"days": 365, "in_russia": True, "today": "2026-11-01"}).json()
    assert page["total"] == 1
    row = page["items"][0]
    assert row["person_id"] == p and row["marks"] == ["older_person"] and row["possible_enforced_disappearance"]
    assert row["held_in_russia"] and row["days_without_proof_of_life"] == 1687
    status = client.get(f"/api/v1/persons/{p}/custody-status", params={"today": "2026-11-01"}).json()
    assert status["status"] == "disappeared" and status["enforced_disappearance"]["facts"]
    assert client.get("/api/v1/custody/counts").json() == {
        "deprived_of_liberty": 1, "possible_enforced_disappearance": 1, "held_in_russia": 1}


def test_bad_filters_are_problem_details(client):
    r = client.get("/api/v1/custody/monitor", params={"days": -3})
    assert r.status_code == 422 and "days" in r.text
    r = client.get("/api/v1/custody/monitor", params={"cursor": "nonsense"})
    assert r.status_code == 422 and "after" in r.text
    r = client.get("/api/v1/displacement/summary", params={"date_from": "2022-02-30"})
    assert r.status_code == 422 and "date_from" in r.text
    assert client.get("/api/v1/persons/999999/custody-status").status_code == 404


def test_displacement_summary_over_http(client, sqlite_app):
    r = client.post("/api/v1/displacements", json={"kind": "deported", "group_count": 4, "from_place": fx.CRIMEA,
                                                   "to_country": "RU", "date": "2023-02-01"})
    assert r.status_code == 201, r.text
    out = client.get("/api/v1/displacement/summary").json()
    assert out["forced_transfers"]["totals"]["people_from_occupied_areas"] == 4
    assert out["host_countries"] == [{"host_country": "RU", "protection_status": "unknown", "people": 4, "records": 1}]


def test_anonymous_requests_are_refused(sqlite_app):
    with TestClient(create_app(sqlite_app)) as c:
        assert c.get("/api/v1/custody/monitor").status_code == 401
