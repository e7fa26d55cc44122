"""The briefs pages: list, form, the job with its progress, the download, and a failure a reader
who may not see the records understands (not the template author's message)."""

from __future__ import annotations

import re

from svidok.server import create_app
from svidok.services import jobs
from tests import fixtures as fx
from tests.reports.conftest import demo_app, demo_db  # noqa: F401 - the demo database, as fixtures
from tests.web.conftest import csrf, sign_in


def _make(client, name: str, **form) -> str:
    token = csrf(client, f"/briefs/{name}")
    r = client.post(f"/briefs/{name}", data={"csrf_token": token, **form}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_list_and_form_show_the_shipped_templates_in_both_languages(web, client_for):
    c = client_for("analyst")
    page = c.get("/briefs")
    assert page.status_code == 200
    assert 'href="/briefs/monthly_update"' in page.text and "Monthly update on civilian harm" in page.text
    form = c.get("/briefs/monthly_update")
    assert 'name="p_month"' in form.text and 'value="2026-10"' in form.text and "the month, YYYY-MM" in form.text
    c.post("/language", data={"lang": "uk", "csrf_token": csrf(c)})
    uk = c.get("/briefs").text
    assert "Щомісячне оновлення про шкоду цивільному населенню" in uk and "Ваші нещодавні звіти" in uk
    assert c.get("/briefs/no_such_template").status_code == 404


def test_bad_parameters_are_named_and_nothing_is_queued(web, client_for):
    core, _ = web
    c = client_for("analyst")
    token = csrf(c, "/briefs/detainees_sitrep")
    r = c.post("/briefs/detainees_sitrep", data={"csrf_token": token, "p_as_of": "2026-10-31", "p_silence_days": "many",
                                                  "edition": "internal", "format": "html", "threshold": "0"})
    assert r.status_code == 422
    assert 'id="p_silence_days-error"' in r.text and 'id="threshold-error"' in r.text
    assert jobs.list_jobs(core, fx.user(core, "administrator", "root"), kind="brief")["items"] == []


def test_a_brief_over_records_the_reader_may_not_see_fails_in_their_terms(web, client_for):
    core, _ = web
    fx.incident(core, confidentiality="confidential")
    viewer = client_for("viewer")
    where = _make(viewer, "monthly_update", p_month="2022-03", p_since="2022-02-24", edition="internal",
                  format="html", threshold="10")
    jobs.DatabaseWorker(core).run(burst=True)
    page = viewer.get(where)
    assert page.status_code == 200
    assert "This brief needs incidents that you may not see" in page.text
    # the template author's wording stays in the details, not in the message
    message = re.search(r'<div class="message" role="alert"><p>(.*?)</p>', page.text, re.S).group(1)
    assert "allow_zero" not in message and "query" not in message
    assert "Invalid input: monthly_update.md.j2:" in page.text  # the author's details, folded away
    # another user's brief job is not even said to exist
    assert client_for("investigator").get(where).status_code == 404


def test_a_brief_is_made_as_a_job_and_downloaded(demo_app):  # noqa: F811
    fx.user(demo_app, "analyst", "ana")
    from fastapi.testclient import TestClient

    with TestClient(create_app(demo_app), raise_server_exceptions=False) as c:
        assert sign_in(c, "ana").status_code == 303
        where = _make(c, "monthly_update", p_month="2023-03", p_since="2022-02-24", edition="public",
                      format="html", threshold="10", small_counts="suppress")
        job_id = int(where.rsplit("/", 1)[1])
        for _ in range(600):
            status = c.get(f"/api/v1/jobs/{job_id}").json()["status"]
            if status in ("done", "failed"):
                break
            import time

            time.sleep(0.1)
        page = c.get(where)
        assert status == "done", page.text
        assert f'href="/jobs/{job_id}/result"' in page.text and "Download the brief" in page.text
        got = c.get(f"/jobs/{job_id}/result")
        assert got.status_code == 200 and "Monthly update on civilian harm" in got.text
        listing = c.get("/briefs").text
        assert f'href="/briefs/jobs/{job_id}"' in listing
