"""The job interface on both engines: submit, run, progress, cancel, retry, need-to-know, lost workers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from svidok.services import jobs
from svidok.services.jobs import store, worker
from svidok.storage.models import Job, LedgerEntry
from tests.fixtures import user


def _run_all(app) -> int:
    return jobs.DatabaseWorker(app).run(burst=True)


def _steps_in_ledger(app, job_id: int) -> list[str]:
    with app.db.session() as s:
        return list(s.scalars(select(LedgerEntry.record_id).where(LedgerEntry.action == "job.step",
                                                                  LedgerEntry.record_id.like(f"{job_id}:%"))))


def test_a_job_runs_reports_progress_and_its_result(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 4})
    assert job["status"] == "queued" and job["owner"] == "system"
    assert _run_all(japp) == 1
    done = jobs.get(japp, SYSTEM, job["id"])
    assert done["status"] == "done", done
    assert done["result"] == {"steps": 4}
    assert done["progress"]["done"] == 4 and done["progress"]["total"] == 4
    assert done["attempts"] == 1 and done["finished_at"]
    assert sorted(_steps_in_ledger(japp, job["id"])) == [f"{job['id']}:{i}" for i in range(4)]


def test_a_failing_job_is_failed_with_its_reason(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 1, "fail": "the disk is full"})
    _run_all(japp)
    out = jobs.get(japp, SYSTEM, job["id"])
    assert out["status"] == "failed" and "the disk is full" in out["error"]


def test_unknown_kind_and_bad_parameters_are_refused_before_queueing(japp):
    with pytest.raises(ValidationFailed, match="unknown job kind 'nope'"):
        jobs.submit(japp, SYSTEM, "nope")
    with pytest.raises(ValidationFailed, match="no such file"):
        jobs.submit(japp, SYSTEM, "import", {"path": "/nowhere.csv", "mapping": "/nowhere.yaml"})
    with japp.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


def test_need_to_know(japp):
    alice, bob, admin = user(japp, "investigator", "alice"), user(japp, "investigator", "bob"), user(japp, "administrator", "root")
    mine = jobs.submit(japp, alice, "steps", {"n": 1})
    jobs.submit(japp, bob, "steps", {"n": 1})
    assert [j["id"] for j in jobs.list_jobs(japp, alice)["items"]] == [mine["id"]]
    assert len(jobs.list_jobs(japp, admin)["items"]) == 2
    with pytest.raises(NotFound):
        jobs.get(japp, bob, mine["id"])
    with pytest.raises(NotFound):
        jobs.cancel(japp, bob, mine["id"])
    assert jobs.cancel(japp, admin, mine["id"])["status"] == "cancelled"
    with pytest.raises(Forbidden):  # linkage and verify are for administrators: refused when submitted
        jobs.submit(japp, alice, "verify")


def test_cancel_a_queued_job_and_retry_it(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 2})
    assert jobs.cancel(japp, SYSTEM, job["id"])["status"] == "cancelled"
    assert _run_all(japp) == 0  # nothing to run
    assert _steps_in_ledger(japp, job["id"]) == []
    with pytest.raises(Conflict):
        jobs.cancel(japp, SYSTEM, job["id"])
    assert jobs.retry(japp, SYSTEM, job["id"])["status"] == "queued"
    _run_all(japp)
    assert jobs.get(japp, SYSTEM, job["id"])["status"] == "done"
    with pytest.raises(Conflict):
        jobs.retry(japp, SYSTEM, job["id"])


def test_cancel_a_running_job_stops_it_between_steps(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 200, "sleep": 0.05})
    w = jobs.DatabaseWorker(japp).start()
    try:
        for _ in range(200):
            if jobs.get(japp, SYSTEM, job["id"])["progress"]["done"] >= 3:
                break
            time.sleep(0.05)
        jobs.cancel(japp, SYSTEM, job["id"])
        for _ in range(200):
            out = jobs.get(japp, SYSTEM, job["id"])
            if out["status"] != "running":
                break
            time.sleep(0.05)
    finally:
        w.stop()
    assert out["status"] == "cancelled", out
    steps = len(_steps_in_ledger(japp, job["id"]))
    assert 3 <= steps < 200
    assert out["progress"]["done"] == steps  # the row says exactly what was committed


def test_two_workers_never_take_the_same_job(japp):
    ids = [jobs.submit(japp, SYSTEM, "count")["id"] for _ in range(30)]
    workers = [jobs.DatabaseWorker(japp) for _ in range(3)]
    threads = [threading.Thread(target=w.run, kwargs={"burst": True}) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(w.done for w in workers) == 30
    with japp.db.session() as s:
        counted = s.execute(select(LedgerEntry.record_id, func.count()).where(LedgerEntry.action == "job.count")
                            .group_by(LedgerEntry.record_id)).all()
        statuses = set(s.scalars(select(Job.status).where(Job.id.in_(ids))))
    assert statuses == {"done"}
    assert sorted(int(r) for r, _ in counted) == ids and {n for _, n in counted} == {1}


def _expire(app, job_id: int, worker_name: str = "dead-worker") -> None:
    """What a worker killed mid-job leaves: a running row whose lease ran out."""
    with app.db.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            status="running", worker=worker_name, attempts=Job.attempts + 1,
            lease_until=store.now() - timedelta(seconds=5)))


def test_a_dead_workers_resumable_job_is_queued_again_and_resumes(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 5})
    with japp.db.session() as s:  # two steps committed before the worker died
        from svidok.services import ledger
        for i in range(2):
            ledger.append(s, "system", "job.step", "job", f"{job['id']}:{i}", {"step": i})
    _expire(japp, job["id"])
    assert worker.reap(japp) == [(job["id"], "queued")]
    assert "stopped during the job" in jobs.get(japp, SYSTEM, job["id"])["progress"]["message"]
    _run_all(japp)
    out = jobs.get(japp, SYSTEM, job["id"])
    assert out["status"] == "done" and out["attempts"] == 2
    assert sorted(_steps_in_ledger(japp, job["id"])) == [f"{job['id']}:{i}" for i in range(5)]  # no step twice


def test_a_dead_workers_other_job_fails_with_the_reason(japp):
    job = jobs.submit(japp, SYSTEM, "steps.once", {"n": 5})
    _expire(japp, job["id"], "host:123:inline:abc")
    assert worker.reap(japp) == [(job["id"], "failed")]
    out = jobs.get(japp, SYSTEM, job["id"])
    assert out["status"] == "failed" and "worker host:123:inline:abc stopped during the job" in out["error"]


def test_a_job_that_keeps_losing_its_worker_fails_after_the_last_attempt(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 1})
    for _ in range(japp.settings.jobs_max_attempts):
        _expire(japp, job["id"])
        worker.reap(japp)
    out = jobs.get(japp, SYSTEM, job["id"])
    assert out["status"] == "failed" and "the most allowed" in out["error"]


def test_a_live_lease_is_not_taken(japp):
    job = jobs.submit(japp, SYSTEM, "steps", {"n": 1})
    with japp.db.session() as s:
        assert store.claim(s, job["id"], "w1", 60)
    with japp.db.session() as s:
        assert not store.claim(s, job["id"], "w2", 60)
        assert store.claim_next(s, "w2", 60) is None
    assert worker.reap(japp) == []


def test_health_lists_workers(japp):
    assert jobs.health(japp)["ok"] is False  # no worker yet
    w = jobs.DatabaseWorker(japp).start()
    try:
        for _ in range(50):
            h = jobs.health(japp)
            if h["workers_alive"]:
                break
            time.sleep(0.1)
        assert h["ok"] and h["workers"][0]["name"] == w.name
    finally:
        w.stop()
    assert jobs.health(japp)["workers_alive"] == 0  # a stopped worker says so
