"""Jobs on Redis (RQ) with real ``svidok worker`` processes: several workers share the queue and
run each job once; a worker killed with -9 is replaced; Redis stopped mid-run loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.services import jobs
from svidok.storage.models import Job, LedgerEntry

from .conftest import worker_env
from .processes import free_port, kill9, redis_server, stop, svidok, wait_for

pytestmark = pytest.mark.slow


def _redis_app(japp, url: str, queue: str):
    japp.settings = japp.settings.model_copy(update={"jobs": "redis", "redis_url": url, "jobs_queue": queue})
    return japp


def _env(app) -> dict:
    return worker_env(app, SVIDOK_JOBS="redis", SVIDOK_REDIS_URL=app.settings.redis_url,
                      SVIDOK_JOBS_QUEUE=app.settings.jobs_queue)


def _statuses(app, ids: list[int]) -> dict[int, str]:
    with app.db.session() as s:
        return dict(s.execute(select(Job.id, Job.status).where(Job.id.in_(ids))).all())


def _executions(app) -> dict[str, int]:
    with app.db.session() as s:
        return dict(s.execute(select(LedgerEntry.record_id, func.count()).where(LedgerEntry.action == "job.count")
                              .group_by(LedgerEntry.record_id)).all())


def test_two_redis_workers_share_the_queue_and_replace_a_killed_one(japp, redis_url, queue_name, tmp_path: Path):
    app = _redis_app(japp, redis_url, queue_name)
    long = jobs.submit(app, SYSTEM, "steps", {"n": 80, "sleep": 0.05})
    ids = [jobs.submit(app, SYSTEM, "count")["id"] for _ in range(20)]
    env, log = _env(app), tmp_path / "workers.log"
    workers = [svidok("worker", env=env, log=log) for _ in range(2)]
    try:
        def holder() -> Job | None:
            with app.db.session() as s:
                row = s.get(Job, long["id"])
                return row if row.done >= 3 else None
        worker_name = wait_for(holder, why="the long job to get going").worker
        pid = int(worker_name.split(":")[1])
        victim = next(w for w in workers if w.pid == pid)
        kill9(victim)
        wait_for(lambda: set(_statuses(app, [long["id"], *ids]).values()) == {"done"}, 300,
                 why="every job, the long one resumed by the other worker")
    finally:
        for w in workers:
            stop(w)
    assert {int(k): n for k, n in _executions(app).items()} == {i: 1 for i in ids}  # none ran twice
    with app.db.session() as s:
        row = s.get(Job, long["id"])
        steps = list(s.scalars(select(LedgerEntry.record_id).where(LedgerEntry.action == "job.step")))
    assert row.attempts == 2 and row.worker != worker_name  # finished by the other worker
    assert sorted(steps) == sorted(f"{long['id']}:{i}" for i in range(80))
    h = jobs.health(app)
    assert h["redis"]["reachable"] and h["jobs"]["done"] == 21


def test_redis_stopped_mid_run_loses_nothing(japp, tmp_path: Path):
    import redis  # noqa: F401 - the client must be installed

    port = free_port()
    server = redis_server(port, tmp_path)
    app = _redis_app(japp, f"redis://127.0.0.1:{port}/0", "svidok_down")
    env, log = _env(app), tmp_path / "worker.log"
    worker = svidok("worker", env=env, log=log)
    try:
        running = jobs.submit(app, SYSTEM, "steps", {"n": 40, "sleep": 0.05})
        wait_for(lambda: _statuses(app, [running["id"]])[running["id"]] == "running", why="the job to start")
        stop(server)  # Redis goes away while the job runs
        while_down = jobs.submit(app, SYSTEM, "count")  # the user is told, the job is kept
        assert while_down["status"] == "queued" and "did not answer" in while_down["progress"]["message"]
        assert jobs.health(app)["redis"]["reachable"] is False
        # the running job does not need Redis: its row is the truth
        wait_for(lambda: _statuses(app, [running["id"]])[running["id"]] == "done", why="the running job")
        server = redis_server(port, tmp_path)  # back (empty: this Redis keeps nothing on disk)
        wait_for(lambda: _statuses(app, [while_down["id"]])[while_down["id"]] == "done", 300,
                 why="the job submitted while Redis was down")
    finally:
        stop(worker)
        stop(server)
    assert _executions(app) == {str(while_down["id"]): 1}
    with app.db.session() as s:
        assert s.get(Job, running["id"]).attempts == 1
