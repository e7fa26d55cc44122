"""Long work started over the API is a job: 202 with the job's id and ``Location``, progress and
cancel under /api/v1/jobs, the file it made at /api/v1/jobs/{id}/result — linkage runs (database
worker on both engines, and RQ on Redis with a ``svidok worker`` process), imports from an
upload, brief PDFs, bundles, verify and backups."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts, backup, demo, evidence, jobs
from svidok.storage.models import Incident, Job
from tests import fixtures as fx

from .conftest import worker_env
from .processes import stop, svidok, wait_for


def _client(app, role: str, name: str | None = None) -> TestClient:
    name = name or role
    accounts.create_user(app, SYSTEM, name, "correct horse battery", role)
    c = TestClient(create_app(app), raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {accounts.create_token(app, SYSTEM, name)}"
    return c


def _people(app) -> tuple[int, int]:
    a = fx.person(app, full_name="Мельник Ганна Петрівна", birth_date="1962-07-01", sex="female")["id"]
    b = fx.person(app, full_name="Hanna Melnyk", birth_date="1962-07-01", sex="female")["id"]
    fx.person(app, full_name="Бондаренко Ігор", birth_date="1990", sex="male")
    return a, b


def _queued_pair(client, a: int, b: int) -> bool:
    items = client.get("/api/v1/linkage/pairs").json()["items"]
    return any({i["left"]["id"], i["right"]["id"]} == {a, b} for i in items)


def test_a_linkage_run_is_a_job_with_progress_and_its_summary(japp):
    a, b = _people(japp)
    with _client(japp, "administrator") as admin, _client(japp, "investigator") as inv:
        assert inv.post("/api/v1/linkage/runs", json={}).status_code == 403  # refused before any job exists
        assert not _queued_pair(inv, a, b)
        r = admin.post("/api/v1/linkage/runs", json={"review_threshold": 0.3})
        job = fx.finished_job(japp, admin, r)
        assert job["kind"] == "linkage" and job["status"] == "done", job
        assert job["progress"]["message"] == "finished" and job["result"]["run_id"] and job["result"]["new"] >= 1, job["result"]
        assert _queued_pair(inv, a, b)
        assert inv.get(f"/api/v1/jobs/{job['id']}").status_code == 404  # someone else's job
        bad = admin.post("/api/v1/linkage/runs", json={"threshold": 2})
        assert bad.status_code == 422
    with japp.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 1  # the refused ones left no row


@pytest.mark.slow
def test_a_linkage_run_on_redis_runs_in_a_worker_process(japp, redis_url, queue_name, tmp_path: Path):
    japp.settings = japp.settings.model_copy(update={"jobs": "redis", "redis_url": redis_url,
                                                     "jobs_queue": queue_name, "jobs_in_web": False})
    a, b = _people(japp)
    with _client(japp, "administrator") as admin:
        r = admin.post("/api/v1/linkage/runs", json={"review_threshold": 0.3})
        assert r.status_code == 202 and r.json()["status"] == "queued"
        env = worker_env(japp, SVIDOK_JOBS="redis", SVIDOK_REDIS_URL=redis_url, SVIDOK_JOBS_QUEUE=queue_name)
        worker = svidok("worker", env=env, log=tmp_path / "worker.log")
        try:
            job = wait_for(lambda: (j := admin.get(r.headers["location"]).json())["status"] in ("done", "failed")
                           and j, 300, every=0.2, why="the worker process to run the linkage job")
        finally:
            stop(worker)
        assert job["status"] == "done", (job, (tmp_path / "worker.log").read_text()[-2000:])
        assert job["worker"].split(":")[1] == str(worker.pid) and job["attempts"] == 1
        assert _queued_pair(admin, a, b)


MAPPING = """\
name: hotline-test
synthetic: true
keys:
  row: ref
incident:
  title: what
  date_start: when
"""


def test_an_uploaded_import_is_a_job_and_a_refused_one_keeps_nothing(japp):
    csv = "ref,what,when\nH-1,Shelling of a school (synthetic),2022-03-05\nH-2,Looting (synthetic),2022-04-01\n"
    uploads = japp.settings.data_dir / "jobs" / "uploads"
    with _client(japp, "investigator") as inv, _client(japp, "viewer") as viewer:
        assert viewer.post("/api/v1/imports", files={"file": ("a.csv", csv.encode())},
                           data={"mapping_name": "acled"}).status_code == 403
        bad = inv.post("/api/v1/imports", files={"file": ("a.csv", csv.encode()),
                                                  "mapping": ("m.yaml", b"keys: [ref]\nincident: 3\n")})
        assert bad.status_code == 422 and "mapping" in bad.text
        wrong = inv.post("/api/v1/imports", files={"file": ("a.pdf", b"%PDF")}, data={"mapping_name": "acled"})
        assert wrong.status_code == 422 and "a.pdf" in wrong.text
        assert not uploads.exists() or not any(uploads.iterdir())
        r = inv.post("/api/v1/imports", files={"file": ("hotline.csv", csv.encode()),
                                                "mapping": ("m.yaml", MAPPING.encode())})
        job = fx.finished_job(japp, inv, r)
        assert job["status"] == "done", job
        assert job["result"]["rows_ok"] == 2 and job["params"]["file_name"] == "hotline.csv", job["result"]
    with japp.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 2
    assert not any(uploads.iterdir())  # the upload is gone once imported


def test_brief_pdf_bundle_verify_and_backup_jobs(japp, tmp_path: Path):
    inc = fx.incident(japp)
    evidence.ingest(japp, SYSTEM, io.BytesIO(b"%PDF-1.4 synthetic" * 50), original_name="r.pdf",
                    incident_id=inc["id"])
    with _client(japp, "administrator") as admin, _client(japp, "investigator") as inv:
        brief = fx.finished_job(japp, inv, inv.post("/api/v1/briefs/mine_action/render",
                                                    json={"edition": "public", "format": "pdf"}))
        assert brief["status"] == "failed" and "'hazard_areas' with no filter matches no records" in brief["error"]
        assert inv.get(f"/api/v1/jobs/{brief['id']}/result").status_code == 404

        refused = inv.post("/api/v1/bundles", json={"incident_ids": [999_999], "purpose": "prosecutor request"})
        assert refused.status_code == 422  # said at once, no job
        bundle = fx.finished_job(japp, inv, inv.post("/api/v1/bundles", json={
            "incident_ids": [inc["id"]], "purpose": "prosecutor request (synthetic)"}))
        tar = inv.get(f"/api/v1/jobs/{bundle['id']}/result")
        assert tar.status_code == 200
        with tarfile.open(fileobj=io.BytesIO(tar.content)) as tf:
            assert any(n.endswith(".pdf") for n in tf.getnames())

        assert inv.post("/api/v1/verify", json={}).status_code == 403
        verify = fx.finished_job(japp, admin, admin.post("/api/v1/verify", json={"check_files": True}))
        assert verify["status"] == "done" and verify["result"]["ok"] is True, verify["result"]

        assert inv.post("/api/v1/backups", json={"passphrase": "synthetic passphrase"}).status_code == 403
        assert admin.post("/api/v1/backups", json={"passphrase": "short"}).status_code == 422
        r = admin.post("/api/v1/backups", json={"passphrase": "synthetic passphrase"})
        assert "synthetic passphrase" not in r.text
        made = fx.finished_job(japp, admin, r)
        assert made["status"] == "done", made
    folder = Path(made["result"]["path"])
    assert folder.name == "backup" and not (folder.parent / ".part-backup").exists()
    assert backup.verify(folder, "synthetic passphrase")["ok"] is True
    with japp.db.session() as s:
        assert s.get(Job, made["id"]).params == {}  # the sealed passphrase is dropped once used
    assert jobs.get(japp, SYSTEM, made["id"])["params"] == {}


def test_a_brief_pdf_is_a_job_whose_file_is_downloaded(japp):
    demo.load(japp, size=120)
    with _client(japp, "analyst", "ana") as analyst:
        html = analyst.post("/api/v1/briefs/monthly_update/render", json={"edition": "public"})
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")  # a preview: at once
        brief = fx.finished_job(japp, analyst, analyst.post("/api/v1/briefs/monthly_update/render",
                                                            json={"edition": "public", "format": "pdf"}))
        assert brief["status"] == "done", brief["error"]
        pdf = analyst.get(f"/api/v1/jobs/{brief['id']}/result")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-disposition"].endswith(f'svidok-job-{brief["id"]}-brief.pdf"')
