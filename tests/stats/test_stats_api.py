"""/api/v1/stats: breakdowns, disproportionality and charts over HTTP, as an API client sees them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from svidok.api.app import create_app
from svidok.services import accounts
from svidok.core.actors import SYSTEM
from tests import fixtures as fx


def _client(app, role: str) -> TestClient:  # noqa: ANN001
    accounts.create_user(app, SYSTEM, role, "correct horse battery", role)
    c = TestClient(create_app(app), raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {accounts.create_token(app, SYSTEM, role)}"
    return c


@pytest.fixture
def data(app):  # noqa: ANN001, ANN201
    acts = [{"violation_type": "killing_of_civilians", "means": "missile", "victims": [
        {"harm": "killed", "sex": "female", "age": 75, "status": "civilian"},
        {"harm": "injured", "sex": "male", "age": 6, "status": "civilian"},
        {"harm": "killed", "count": 4, "status": "civilian"}]}]
    fx.incident(app, date_start="2022-03-05", acts=acts)
    fx.incident(app, date_start="2022-05-20", place=fx.CRIMEA, acts=acts)
    fx.incident(app, date_start="2022-04-01", confidentiality="confidential", acts=acts)  # analysts cannot see it
    return app


def test_breakdown_by_age_band_with_filter(data) -> None:  # noqa: ANN001
    with _client(data, "analyst") as c:
        r = c.get("/api/v1/stats/breakdown", params={"by": "age_band"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert {row["key"]: (row["killed"], row["injured"]) for row in body["rows"]} == {"5-9": (0, 2), "70-79": (2, 0)}
        assert body["missing"] == 8 and body["total"] == 12
        assert body["rows"][0]["label_uk"] == "5–9 років"
        r = c.get("/api/v1/stats/breakdown", params={"by": "oblast", "harm": "killed", "place": fx.CRIMEA})
        assert [(row["key"], row["killed"]) for row in r.json()["rows"]] == [(fx.CRIMEA, 5)]


def test_bad_parameters_are_problem_details(data) -> None:  # noqa: ANN001
    with _client(data, "viewer") as c:
        r = c.get("/api/v1/stats/breakdown", params={"by": "shoe_size"})
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        r = c.get("/api/v1/stats/breakdown", params={"by": "sex", "means": "catapult"})
        assert r.status_code == 422 and "means" in r.text
        r = c.get("/api/v1/stats/disproportionality", params={"bands": "0-17,30+"})
        assert r.status_code == 422 and "bands" in r.text
        r = c.get("/api/v1/stats/charts/pie.svg")
        assert r.status_code == 422


def test_needs_sign_in(data) -> None:  # noqa: ANN001
    with TestClient(create_app(data), raise_server_exceptions=False) as c:
        assert c.get("/api/v1/stats/breakdown", params={"by": "sex"}).status_code == 401


def test_disproportionality_and_charts(data) -> None:  # noqa: ANN001
    with _client(data, "analyst") as c:
        r = c.get("/api/v1/stats/disproportionality", params={"by": "age"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["victims_known"] == 4 and body["victims_unknown"] == 8  # the confidential incident is not counted
        assert [g["group"] for g in body["groups"]] == ["0-17", "18-59", "60+"]
        svg = c.get("/api/v1/stats/charts/pyramid.svg", params={"lang": "uk"})
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert "<svg" in svg.text and "Задокументовані" in svg.text
        months = c.get("/api/v1/stats/charts/by-month.svg")
        assert months.status_code == 200 and "2022-04" in months.text  # an empty month is drawn as 0


def test_no_server_errors_on_generated_requests(sqlite_app) -> None:  # noqa: ANN001
    """Schemathesis on the /api/v1/stats operations only, with more examples: odd input gets a 4xx, never a 5xx."""
    from tests.fuzzing import server_errors

    operations, failures = server_errors(sqlite_app, "/api/v1/stats", max_examples=25)
    assert operations == 3
    assert failures == []
