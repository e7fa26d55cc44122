"""Exchange jobs report progress on both engines. A partner's package is imported in one write
transaction: on SQLite that holds the only write lock, so progress goes beside the database
(``JobContext.one_transaction``) instead of waiting for the job's own lock ("database is locked")."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from svidok.core.actors import SYSTEM, Actor
from svidok.server import create_app
from svidok.services import jobs, ledger
from svidok.services.jobs import store, worker
from svidok.services.jobs.context import JobContext, now, side_alive
from svidok.services.jobs.starts import start_share_import
from svidok.storage.models import Incident, Job
from tests.services.test_share_exchange import pair, shared_incident  # noqa: F401

ADMIN = Actor("admin1", "administrator")


def _in_the_web_worker(app, job_id: int) -> dict:
    """Let the web process's own job worker (started with the app) run the job; the job as it ended."""
    with TestClient(create_app(app)):
        deadline = time.monotonic() + 60
        while (job := jobs.get(app, ADMIN, job_id))["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)
    return job


def test_a_real_exchange_reports_progress_through_the_jobs(pair) -> None:  # noqa: F811
    a, b, _c = pair
    for n in range(3):
        shared_incident(a, title=f"Shelling {n}")
    sent = jobs.submit(a, ADMIN, "share_export", {"partner": "orgb"})
    job = _in_the_web_worker(a, sent["id"])
    assert job["status"] == "done", job["error"]
    assert job["progress"]["done"] == 3 and job["result"]["counts"]["incidents"] == 3

    with open(job["result"]["file"], "rb") as fh:
        got = start_share_import(b, ADMIN, fh, "from-a.svidok-share", dry_run=False)
    started = time.monotonic()
    job = _in_the_web_worker(b, got["id"])
    assert job["status"] == "done", job["error"]
    assert time.monotonic() - started < 20  # no progress write waited for the import's own lock
    assert job["progress"]["done"] == 3 and job["result"]["counts"]["incident"]["new"] == 3
    with b.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.import_source == "share:orga")) == 3


def test_progress_inside_a_long_write_transaction_is_seen_and_keeps_the_job_alive(app) -> None:
    submitted = jobs.submit(app, SYSTEM, "verify", {})
    with app.db.session() as s:
        job_id = store.claim_next(s, "w1", 60)
    assert job_id == submitted["id"]
    ctx = JobContext(app, job_id, "w1", 60)
    with ctx.one_transaction():
        with app.db.session() as s:  # a write transaction open in this thread, as an import's
            ledger.append(s, "t", "test.write", "test", 1, {"n": 1})
            before = time.monotonic()
            ctx.progress(advance=5, total=9, message="importing: incidents")
            assert time.monotonic() - before < 5
            shown = jobs.get(app, SYSTEM, job_id)["progress"]  # another connection, as the job page
            assert (shown["done"], shown["total"], shown["message"]) == (5, 9, "importing: incidents")
        if app.db.dialect == "sqlite":
            assert side_alive(app, job_id, 60)
            with app.db.session() as s:  # its lease ran out while the lock was held: the worker is still alive
                s.execute(update(Job).where(Job.id == job_id).values(lease_until=now() - timedelta(seconds=5)))
            assert worker.reap(app) == []
    assert not side_alive(app, job_id, 60)  # the side file goes with the transaction
    with app.db.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(lease_until=now() - timedelta(seconds=5)))
    assert [j for j, _ in worker.reap(app)] == [job_id]
