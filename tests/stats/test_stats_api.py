"""/api/v1/stats: breakdowns, disproportionality and charts over HTTP, as an API client sees them."""

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
def data(app):
    acts = [{"violation_type": "killing_of_civilians", "means": "missile", "victims": [
        {"harm": "killed", "sex": "female", "age": 75, "status": "civilian"},
        {"harm": "injured", "sex": "male", "age": 6, "status": "civilian"},
        {"harm": "killed", "count": 4, "status": "civilian"}]}]
    fx.incident(app, date_start="2022-03-05", acts=acts)
    fx.incident(app, date_start="2022-05-20", place=fx.CRIMEA, acts=acts)
    fx.incident(app, date_start="2022-04-01", confidentiality="confidential", acts=acts)  # analysts cannot see it
    return app


def test_breakdown_by_age_band_with_filter(data) -> None:
    with _client(data, "analyst") as c:
        r = c.get("/api/v1/stats/breakdown", params={"by": "age_band"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert {row["key"]: (row["killed"], row["injured"]) for row in body["rows"]} == {"5-9": (0, 2), "70-79": (2, 0)}
        assert body["missing"] == 8 and body["total"] == 12
        assert body["rows"][0]["label_uk"] == "5–9 років"
        r = c.get("/api/v1/stats/breakdown", params={"by": "oblast", "harm": "killed", "place": fx.CRIMEA})
        assert [(row["key"], row["killed"]) for row in r.json()["rows"]] == [(fx.CRIMEA, 5)]


def test_bad_parameters_are_problem_details(data) -> None:
    with _client(data, "viewer") as c:
        r = c.get("/api/v1/stats/breakdown", params={"by": "shoe_size"})
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        r = c.get("/api/v1/stats/breakdown", params={"by": "sex", "means": "catapult"})
        assert r.status_code == 422 and "means" in r.text
        r = c.get("/api/v1/stats/disproportionality", params={"bands": "0-17,30+"})
        assert r.status_code == 422 and "bands" in r.text
        r = c.get("/api/v1/stats/charts/pie.svg")
        assert r.status_code == 422


def test_needs_sign_in(data) -> None:
    with TestClient(create_app(data), raise_server_exceptions=False) as c:
        assert c.get("/api/v1/stats/breakdown", params={"by": "sex"}).status_code == 401


def test_disproportionality_and_charts(data) -> None:
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


def test_no_server_errors_on_generated_requests(sqlite_app) -> None:
    """Schemathesis on the /api/v1/stats operations only, with more examples: odd input gets a 4xx, never a 5xx."""
    from tests.fuzzing import server_errors

    operations, failures = server_errors(sqlite_app, "/api/v1/stats", max_examples=25)
    assert operations == 6  # breakdown (JSON and CSV), disproportionality, charts, estimate, closedp
    assert failures == []


KOSOVO_ROWS = [
    ([1, 0, 0, 0], 1131), ([0, 1, 0, 0], 845), ([0, 0, 1, 0], 936), ([0, 0, 0, 1], 306), ([1, 1, 0, 0], 177),
    ([1, 0, 1, 0], 228), ([1, 0, 0, 1], 106), ([0, 1, 1, 0], 217), ([0, 1, 0, 1], 31), ([0, 0, 1, 1], 123),
    ([1, 1, 1, 0], 181), ([1, 1, 0, 1], 18), ([1, 0, 1, 1], 42), ([0, 1, 1, 1], 32), ([1, 1, 1, 1], 27),
]  # fmt: skip


def test_estimate_from_counts_loglinear_and_lcmcr_with_diagnostics(app) -> None:
    body = {"lists": ["EXH", "ABA", "OSCE", "HRW"], "rows": [{"pattern": p, "count": c} for p, c in KOSOVO_ROWS]}
    with _client(app, "analyst") as c:
        r = c.post("/api/v1/stats/estimate", json=body)
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["observed"] == 4400 and d["lower"] < d["estimate"] < d["upper"] and len(d["ranking"]) == 10
        r = c.post("/api/v1/stats/estimate", json={**body, "method": "lcmcr", "chains": 2, "samples": 50,
                                                    "burnin": 200, "thinning": 2, "diagnostics": True})
        assert r.status_code == 200, r.text
        d = r.json()
        assert len(d["traces"]["N"]) == 2 and len(d["traces"]["alpha"][0]) == 50
        assert {"N", "alpha", "classes"} <= d["diagnostics"].keys()


def test_estimate_refuses_bad_tables_with_the_reason(app) -> None:
    with _client(app, "analyst") as c:
        too_big = {"lists": ["A", "B"], "rows": [{"pattern": [1, 0], "count": 10**20}]}
        assert c.post("/api/v1/stats/estimate", json=too_big).status_code == 422
        repeat = {"lists": ["A", "B", "C"], "rows": [{"pattern": [1, 0, 0], "count": 3}, {"pattern": [1, 0, 0], "count": 4}]}
        r = c.post("/api/v1/stats/estimate", json=repeat)
        assert r.status_code == 422 and "repeats row 1" in r.text


def test_estimate_by_model_averaging_names_the_models(app) -> None:
    body = {"lists": ["EXH", "ABA", "OSCE", "HRW"], "rows": [{"pattern": p, "count": c} for p, c in KOSOVO_ROWS],
            "method": "dga", "models": 3}
    with _client(app, "analyst") as c:
        r = c.post("/api/v1/stats/estimate", json=body)
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["method"] == "dga" and d["n_models"] == 61 and len(d["models"]) == 3
        assert d["models"][0]["model"] == "[EXH,ABA,OSCE][EXH,OSCE,HRW]"
        assert d["lower"] < d["median"] < d["upper"] and abs(sum(d["posterior"]) - 1) < 1e-9
        r = c.post("/api/v1/stats/estimate", json={**body, "lists": ["A", "B"], "rows": [
            {"pattern": [1, 0], "count": 30}, {"pattern": [0, 1], "count": 20}, {"pattern": [1, 1], "count": 5}]})
        assert r.status_code == 422 and "need 3 for dga" in r.text


def test_closedp_matches_rcapture_and_fits_a_design_of_ones_own(app) -> None:
    from tests.stats.test_estimate_closedp import HIV, R_HIV

    rows = [{"pattern": [int(ch) for ch in h], "count": n} for h, n in HIV.items()]
    body = {"lists": ["c1", "c2", "c3", "c4"], "rows": rows}
    # A design of one's own: the number of lists a person is on, which is model M0 again.
    design = [{"pattern": [int(ch) for ch in f"{m:04b}"], "values": {"captures": f"{m:04b}".count("1")}}
              for m in range(1, 16)]
    with _client(app, "viewer") as c:
        r = c.post("/api/v1/stats/closedp", json={**body, "design": design, "design_name": "by captures"})
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["observed"] == sum(HIV.values()) and len(d["models"]) == 13
        by_name = {m["model"]: m for m in d["models"]}
        for name, (abundance, stderr, deviance, df, aic, _bic) in zip(("M0", "Mt", "Mh Chao (LB)"), R_HIV, strict=False):
            m = by_name[name]
            assert abs(m["abundance"] - abundance) < 1e-4 * abundance and abs(m["stderr"] - stderr) < 1e-3 * stderr
            assert abs(m["deviance"] - deviance) < 1e-4 and m["df"] == df and abs(m["aic"] - aic) < 1e-4
        assert abs(by_name["by captures"]["abundance"] - by_name["M0"]["abundance"]) < 1e-6
        r = c.post("/api/v1/stats/closedp", json={**body, "design": design[:-1]})
        assert r.status_code == 422 and "1 capture histories have no row (e.g. 1111)" in r.text
        r = c.post("/api/v1/stats/closedp", json={**body, "design": [*design, design[0]]})
        assert r.status_code == 422 and "design, row 16: capture history (0, 0, 0, 1) given twice" in r.text
