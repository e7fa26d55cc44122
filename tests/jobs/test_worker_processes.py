"""Real worker processes on the database queue (both engines): kill -9 mid-job, then another
worker or a restarted web process takes over — resumable jobs finish with nothing twice,
others fail with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.services import jobs
from svidok.storage.models import Act, ImportRun, Incident, Job, LedgerEntry, Victim
from tests.interop.test_import_interrupted import MAPPING, _csv

from .conftest import worker_env
from .processes import free_port, kill9, stop, svidok, wait_for

pytestmark = pytest.mark.slow


def _job(app, job_id: int) -> Job:
    with app.db.session() as s:
        return s.get(Job, job_id)


def _batches(app) -> int:
    with app.db.session() as s:
        run = s.scalar(select(ImportRun).order_by(ImportRun.id.desc()).limit(1))
        return (run.counts or {}).get("batches", 0) if run else 0


def test_worker_killed_mid_import_another_worker_resumes_it(japp, tmp_path: Path):
    per_case = _csv(tmp_path / "big.csv", 6_000)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8") + "batch_size: 100\n", encoding="utf-8")
    job = jobs.submit(japp, SYSTEM, "import", {"path": str(tmp_path / "big.csv"), "mapping": str(mapping)})
    env, log = worker_env(japp), tmp_path / "worker.log"
    first = svidok("worker", env=env, log=log)
    try:
        wait_for(lambda: _batches(japp) >= 3, why="three batches committed")
        kill9(first)
    finally:
        stop(first)
    row = _job(japp, job["id"])
    assert row.status == "running" and row.attempts == 1  # as the dead worker left it
    with japp.db.session() as s:  # whole batches only: every incident has all of its acts
        acts = dict(s.execute(select(Incident.source_key, func.count(Act.id)).join(Act, Act.incident_id == Incident.id)
                              .group_by(Incident.source_key)).all())
    assert acts and len(acts) < len(per_case) and all(acts[k] == per_case[k] for k in acts)

    second = svidok("worker", env=env, log=log)
    try:
        wait_for(lambda: _job(japp, job["id"]).status in ("done", "failed"), why="the import to finish")
    finally:
        stop(second)
    row = _job(japp, job["id"])
    assert row.status == "done", (row.error, log.read_text()[-2000:])
    assert row.attempts == 2 and row.result["resumed_after_batches"] >= 3
    with japp.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == len(per_case)
        assert s.scalar(select(func.count(func.distinct(Incident.source_key)))) == len(per_case)
        assert s.scalar(select(func.count()).select_from(Victim)) == sum(per_case.values())
        assert s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.action == "import.finish")) == 1


def test_worker_killed_mid_job_that_cannot_resume_fails_with_the_reason(japp, tmp_path: Path):
    job = jobs.submit(japp, SYSTEM, "steps.once", {"n": 100, "sleep": 0.05})
    env, log = worker_env(japp), tmp_path / "worker.log"
    first = svidok("worker", env=env, log=log)
    try:
        wait_for(lambda: _job(japp, job["id"]).done >= 3, why="three steps")
        kill9(first)
    finally:
        stop(first)
    second = svidok("worker", env=env, log=log)
    try:
        wait_for(lambda: _job(japp, job["id"]).status == "failed", why="the job to be failed")
    finally:
        stop(second)
    row = _job(japp, job["id"])
    assert "stopped during the job" in row.error and row.finished_at is not None
    with japp.db.session() as s:  # each committed step is whole: one ledger entry each, none twice
        steps = list(s.scalars(select(LedgerEntry.record_id).where(LedgerEntry.action == "job.step")))
    assert 3 <= len(steps) < 100 and len(set(steps)) == len(steps)


def test_web_process_killed_mid_job_resumes_when_restarted(japp, tmp_path: Path):
    """Inline mode: the job runs in the web process's own worker thread."""
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 60, "sleep": 0.05})
    port = free_port()
    env, log = worker_env(japp), tmp_path / "serve.log"
    web = svidok("serve", "--port", str(port), env=env, log=log)
    try:
        wait_for(lambda: _job(japp, job["id"]).done >= 3, why="three steps in the web process")
        kill9(web)
    finally:
        stop(web)
    web = svidok("serve", "--port", str(port), env=env, log=log)
    try:
        wait_for(lambda: _job(japp, job["id"]).status in ("done", "failed"), why="the job after the restart")
    finally:
        stop(web)
    row = _job(japp, job["id"])
    assert row.status == "done" and row.attempts == 2, (row.error, log.read_text()[-2000:])
    with japp.db.session() as s:
        steps = list(s.scalars(select(LedgerEntry.record_id).where(LedgerEntry.action == "job.step")))
    assert sorted(steps) == sorted(f"{job['id']}:{i}" for i in range(60))  # every step once
