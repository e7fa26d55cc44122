"""Jobs over HTTP: the API (need-to-know, progress, cancel), the job page in both languages,
the result download, and /healthz — on both engines, with the web process's own worker thread."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from svidok.server import create_app
from svidok.services import jobs
from svidok.storage.models import Job
from tests.fixtures import incident, user
from tests.web.conftest import csrf, sign_in


def _client(app, name: str) -> TestClient:
    c = TestClient(create_app(app), raise_server_exceptions=False)
    assert sign_in(c, name).status_code == 303
    return c


def _wait(c: TestClient, job_id: int, until=("done", "failed", "cancelled")) -> dict:
    for _ in range(200):
        out = c.get(f"/api/v1/jobs/{job_id}").json()
        if out["status"] in until:
            return out
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {out}")


def test_api_need_to_know_progress_and_cancel(japp):
    alice, _bob = user(japp, "investigator", "alice"), user(japp, "investigator", "bob")
    user(japp, "administrator", "root")
    mine = jobs.submit(japp, alice, "steps", {"n": 3})
    with _client(japp, "alice") as a, _client(japp, "bob") as b, _client(japp, "root") as root:
        # `with` runs the app's lifespan: its worker thread takes the job.
        done = _wait(a, mine["id"])
        assert done["status"] == "done" and done["progress"] == {**done["progress"], "done": 3, "total": 3}
        assert [j["id"] for j in a.get("/api/v1/jobs").json()["items"]] == [mine["id"]]
        assert b.get("/api/v1/jobs").json()["items"] == []
        assert b.get(f"/api/v1/jobs/{mine['id']}").status_code == 404
        assert b.post(f"/api/v1/jobs/{mine['id']}/cancel", headers={"X-CSRF-Token": csrf(b)}).status_code == 404
        assert len(root.get("/api/v1/jobs").json()["items"]) == 1
        long = jobs.submit(japp, alice, "steps", {"n": 500, "sleep": 0.02})
        _wait(a, long["id"], until=("running",))
        r = a.post(f"/api/v1/jobs/{long['id']}/cancel", headers={"X-CSRF-Token": csrf(a)})
        assert r.status_code == 200 and r.json()["cancel_requested"]
        out = _wait(a, long["id"])
        assert out["status"] == "cancelled" and out["progress"]["done"] < 500
        assert a.post(f"/api/v1/jobs/{long['id']}/cancel", headers={"X-CSRF-Token": csrf(a)}).status_code == 409


def test_job_page_in_both_languages_and_the_result_link(japp, tmp_path):
    alice = user(japp, "investigator", "alice")
    user(japp, "investigator", "bob")
    incident(japp)
    tpl = tmp_path / "count.md.j2"
    tpl.write_text("---\ntitle: Synthetic count\n---\n# Count\n\n{{ n('incidents') }} incidents.\n", encoding="utf-8")
    job = jobs.submit(japp, alice, "brief", {"template": str(tpl), "format": "html"})
    with _client(japp, "alice") as a:
        done = _wait(a, job["id"])
        assert done["status"] == "done", done["error"]
        page = a.get(f"/jobs/{job['id']}")
        assert page.status_code == 200 and "Download the result" in page.text and "/static/jobs.js" in page.text
        got = a.get(f"/jobs/{job['id']}/result")
        assert got.status_code == 200 and "<html" in got.text.lower() and done["result"]["title"] in got.text
        a.post("/language", data={"lang": "uk", "csrf_token": csrf(a)})
        uk = a.get(f"/jobs/{job['id']}").text
        assert "Завантажити результат" in uk and "Виконано" in uk
    with _client(japp, "bob") as b:
        assert b.get(f"/jobs/{job['id']}").status_code == 404
        assert b.get(f"/jobs/{job['id']}/result").status_code == 404
    assert TestClient(create_app(japp)).get("/static/jobs.js").status_code == 200


def test_healthz_says_when_migrations_are_behind(app):
    c = TestClient(create_app(app))
    ok = c.get("/healthz")
    assert ok.status_code == 200 and ok.json()["migrations"]["up_to_date"] and ok.json()["database"]["reachable"]
    with app.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0009_victim_status_harm_index'"))
    behind = c.get("/healthz")
    assert behind.status_code == 503 and behind.json()["migrations"]["current"] == "0009_victim_status_harm_index"


def test_a_job_whose_owner_was_deactivated_fails_with_the_reason(japp):
    from sqlalchemy import update

    from svidok.storage.models import User

    alice = user(japp, "investigator", "alice")
    job = jobs.submit(japp, alice, "steps", {"n": 1})
    with japp.db.session() as s:
        s.execute(update(User).where(User.username == "alice").values(active=False))
    jobs.DatabaseWorker(japp).run(burst=True)
    with japp.db.session() as s:
        row = s.get(Job, job["id"])
        assert row.status == "failed" and "no longer active" in row.error
