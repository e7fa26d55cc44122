"""The statistics page: choose lists and strata, run an estimate as a job, read its summary."""

from __future__ import annotations

import random
import re
import threading
import time

from sqlalchemy import update

from svidok.core.actors import SYSTEM
from svidok.schemas.records import IncidentIn
from svidok.services import incidents, jobs
from svidok.storage.models import Person
from tests.fixtures import CRIMEA, KHARKIV_OBLAST

from .conftest import csrf


def _list(app, name: str, people: list[int], place: str, confidential: bool = False) -> dict[int, int]:
    """One list's incident documenting ``people`` (synthetic); returns person number -> record id."""
    victims = [{"harm": "killed", "status": "civilian", "sex": "female", "age": 40,
                "person": {"full_name": f"Синтетична особа {i}", "sex": "female", "status": "civilian"}}
               for i in people]
    data = {"title": f"Synthetic strike ({name})", "date_start": "2022-04-01", "place": place,
            "acts": [{"violation_type": "killing_of_civilians", "means": "missile", "victims": victims}]}
    if confidential:
        data["confidentiality"] = "confidential"
    inc = incidents.create(app, SYSTEM, IncidentIn.model_validate(data))
    ids = [v["person_id"] for v in inc["acts"][0]["victims"]]
    with app.db.session() as s:  # what an import of that list would have recorded
        s.execute(update(Person).where(Person.id.in_(ids)).values(import_source=name))
    return dict(zip(people, ids, strict=True))


def _three_lists(app, place: str, size: int = 400, seed: int = 1) -> int:
    """``size`` people, each found by lists A, B, C independently (40, 35, 30 %); linkage done."""
    rng = random.Random(seed)
    found = {name: [i for i in range(size) if rng.random() < p] for name, p in (("A", .4), ("B", .35), ("C", .3))}
    records = {name: _list(app, name, people, place) for name, people in found.items()}
    first: dict[int, int] = {}
    with app.db.session() as s:
        for name in "ABC":
            for i, rid in records[name].items():
                if i in first:  # the same person on an earlier list: linkage merged the records
                    s.execute(update(Person).where(Person.id == rid).values(merged_into_id=first[i]))
                else:
                    first[i] = rid
    return len(first)


def _form(client, **kw) -> str:
    """The form once its list sizes are counted (a first visit may say they are being computed)."""
    for _ in range(200):
        page = client.get("/statistics", **kw).text
        if "being computed" not in page:
            return page
        time.sleep(0.05)
    raise AssertionError("the list sizes were never counted")


def _run(client, core, data: dict) -> tuple[int, str]:
    r = client.post("/statistics", data={"csrf_token": csrf(client, "/statistics"), **data}, follow_redirects=False)
    assert r.status_code == 303, r.text
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    jobs.DatabaseWorker(core).run(burst=True)
    page = client.get(f"/statistics/estimates/{job_id}")
    assert page.status_code == 200
    return job_id, page.text


def test_stratified_estimate_shows_a_plain_summary_with_a_total(web, client_for) -> None:
    core, _asgi = web
    documented = _three_lists(core, KHARKIV_OBLAST) + 8
    _list(core, "A", list(range(1000, 1008)), CRIMEA)  # a stratum too small to estimate
    analyst = client_for("analyst")
    form = _form(analyst)
    assert 'href="/statistics"' in form
    assert re.search(r'value="A" checked> A \((\d+) people\)', form)
    job_id, page = _run(analyst, core, {"lists": ["A", "B", "C"], "harm": "killed", "stratify": "oblast",
                                        "method": "loglinear", "min_records": "20"})
    summary = jobs.get(core, SYSTEM, job_id)
    assert summary["status"] == "done", summary["error"]
    assert "documented on the chosen lists" in page and "estimated total is about" in page
    assert f"<td class=\"num\">{documented}</td>" in page.replace("\u202f", "")
    assert "Kharkiv" in page and "not estimated: too few lists with records: 1" in page
    total = summary["result"]
    assert documented < total["lower"] < total["estimate"] < total["upper"], total  # 400 people, not all found
    assert "Show the full model tables" in page and "Deviance" not in page
    with_models = analyst.get(f"/statistics/estimates/{job_id}?models=1").text
    assert "Deviance" in with_models and "AIC" in with_models
    # Another user does not see this job.
    assert client_for("viewer").get(f"/statistics/estimates/{job_id}").status_code == 404


def test_lcmcr_estimate_has_diagnostics_and_trace_plots(web, client_for) -> None:
    core, _asgi = web
    _three_lists(core, KHARKIV_OBLAST)
    analyst = client_for("analyst")
    job_id, page = _run(analyst, core, {"lists": ["A", "B", "C"], "harm": "killed", "stratify": "none",
                                        "method": "lcmcr", "chains": "2", "samples": "100", "burnin": "200",
                                        "thinning": "2", "min_records": "20"})
    assert jobs.get(core, SYSTEM, job_id)["status"] == "done"
    assert "R-hat" in page and "ESS (bulk)" in page and "posterior draws added draw by draw" in page
    svg = analyst.get(f"/statistics/estimates/{job_id}/traces/0.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and "occupied classes" in svg.text
    assert analyst.get(f"/statistics/estimates/{job_id}/traces/5.svg").status_code == 404


def test_bad_settings_are_refused_on_the_form_and_one_list_fails_the_job_with_the_reason(web, client_for) -> None:
    core, _asgi = web
    _three_lists(core, KHARKIV_OBLAST)
    analyst = client_for("analyst")
    r = analyst.post("/statistics", data={"csrf_token": csrf(analyst, "/statistics"), "method": "lcmcr",
                                          "chains": "99", "stratify": "planet"})
    assert r.status_code == 422 and "must be 1 to 8" in r.text and "must be one of none" in r.text
    job_id, page = _run(analyst, core, {"lists": ["A"], "method": "loglinear"})
    job = jobs.get(core, SYSTEM, job_id)
    assert job["status"] == "failed" and "at least two" in job["error"]
    assert "at least two" in page


def test_the_page_counts_only_records_the_user_may_see(web, client_for) -> None:
    core, _asgi = web
    _three_lists(core, KHARKIV_OBLAST)
    _list(core, "Secret", list(range(2000, 2040)), KHARKIV_OBLAST, confidential=True)
    assert "Secret" in _form(client_for("administrator"))
    analyst = _form(client_for("analyst"))  # counted for the analyst's clearance, not the administrator's
    assert "Secret" not in analyst and re.search(r'value="A" checked> A \((\d+) people\)', analyst)


def test_a_first_visit_does_not_wait_for_the_count(web, client_for) -> None:
    """The list sizes are counted in the background: while the figures' worker is busy the form
    is shown at once, saying so; once counted, the sizes are there."""
    from svidok.figures import cached
    from svidok.services import figure_cache

    core, _asgi = web
    _three_lists(core, KHARKIV_OBLAST, size=60)
    analyst = client_for("analyst")
    release = threading.Event()
    busy = cached.refresh(core, "test-busy", figure_cache.data_version(core), lambda: release.wait(30) and {})
    try:
        started = time.perf_counter()
        page = analyst.get("/statistics")
        assert page.status_code == 200 and "being computed" in page.text
        assert "Run the estimate" in page.text and time.perf_counter() - started < 5
    finally:
        release.set()
        busy.result(30)
    assert re.search(r'value="A" checked> A \((\d+) people\)', _form(analyst))


def test_the_page_is_in_ukrainian(web, client_for) -> None:
    core, _asgi = web
    analyst = client_for("analyst")
    page = analyst.get("/statistics", headers={"Accept-Language": "uk"}).text
    assert "Скільки жертв ще не задокументовано?" in page


def test_model_averaging_lists_the_models_weights_on_request(web, client_for) -> None:
    core, _asgi = web
    _three_lists(core, KHARKIV_OBLAST)
    analyst = client_for("analyst")
    job_id, page = _run(analyst, core, {"lists": ["A", "B", "C"], "harm": "killed", "method": "dga"})
    assert jobs.get(core, SYSTEM, job_id)["status"] == "done" and "estimated total is about" in page
    models = analyst.get(f"/statistics/estimates/{job_id}?models=1").text
    assert "Weight" in models and "[A][B][C]" in models
