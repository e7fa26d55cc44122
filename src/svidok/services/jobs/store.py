"""The ``jobs`` rows: claiming (one worker per job), finishing, and finding jobs whose worker died.

Claims are atomic on both engines: PostgreSQL picks the oldest queued job with
``FOR UPDATE SKIP LOCKED`` (concurrent workers take different rows without waiting);
SQLite has one writer at a time, so ``UPDATE … WHERE id = (oldest queued) AND
status = 'queued' RETURNING id`` claims it or nothing. A claim by id (the Redis queue
delivers ids) is the same UPDATE on that id: a job delivered twice runs once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from svidok.storage.models import Job

from .context import now

FINAL = ("done", "failed", "cancelled")


def plain(value) -> dict | None:
    """A result as JSON the database can hold (paths, dates and the like as text)."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def _claim_values(worker: str, lease_seconds: float) -> dict:
    t = now()
    return {"status": "running", "worker": worker, "lease_until": t + timedelta(seconds=lease_seconds),
            "attempts": Job.attempts + 1, "started_at": t, "updated_at": t, "error": None}


def claim_next(s: Session, worker: str, lease_seconds: float) -> int | None:
    """Take the oldest queued job for ``worker``; its id, or None when there is none."""
    if s.get_bind().dialect.name == "postgresql":
        job_id = s.scalar(select(Job.id).where(Job.status == "queued", Job.cancel_requested.is_(False))
                          .order_by(Job.id).limit(1).with_for_update(skip_locked=True))
        if job_id is None:
            return None
        s.execute(update(Job).where(Job.id == job_id).values(**_claim_values(worker, lease_seconds)))
        return job_id
    oldest = (select(Job.id).where(Job.status == "queued", Job.cancel_requested.is_(False))
              .order_by(Job.id).limit(1).scalar_subquery())
    return s.scalar(update(Job).where(Job.id == oldest, Job.status == "queued")
                    .values(**_claim_values(worker, lease_seconds)).returning(Job.id))


def claim(s: Session, job_id: int, worker: str, lease_seconds: float) -> bool:
    """Take one job by id if it is still queued."""
    got = s.execute(update(Job).where(Job.id == job_id, Job.status == "queued", Job.cancel_requested.is_(False))
                    .values(**_claim_values(worker, lease_seconds)))
    return got.rowcount == 1


def settle(s: Session, job_id: int, worker: str, status: str, *, result=None, error: str | None = None,
           progress: dict | None = None) -> bool:
    """End a running job held by ``worker`` with its last progress (False when the lease was lost meanwhile)."""
    t = now()
    values = {"status": status, "lease_until": None, "finished_at": t, "updated_at": t, "error": error,
              "result": plain(result), **(progress or {})}
    got = s.execute(update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running").values(**values))
    return got.rowcount == 1


def expired(s: Session) -> list[Job]:
    return list(s.scalars(select(Job).where(Job.status == "running", Job.lease_until < now()).order_by(Job.id)))


def reap(s: Session, max_attempts: int, resumable_kinds: set[str], on_loss: dict[str, str],
         alive: Callable[[int], bool] = lambda _job_id: False) -> list[tuple[int, str]]:
    """Jobs whose worker stopped renewing its lease: queued again or ended with the reason.

    ``alive(id)``: the worker shows it is alive otherwise (a side file written while its own write
    transaction keeps the lease from being renewed). Returns ``(id, new status)`` for each one settled here."""
    out = []
    for job in expired(s):
        if alive(job.id):
            continue
        seen = job.lease_until.isoformat(timespec="seconds") if job.lease_until else "?"
        lost = f"worker {job.worker} stopped during the job (its lease ran out at {seen})"
        if job.cancel_requested:
            values = {"status": "cancelled", "error": f"{lost}; it had been asked to cancel", "finished_at": now()}
        elif job.kind in resumable_kinds and job.attempts < max_attempts:
            values = {"status": "queued", "enqueued_at": None,
                      "message": f"{lost}; queued again (attempt {job.attempts + 1} of {max_attempts})"}
        elif job.kind in resumable_kinds:
            values = {"status": "failed", "finished_at": now(),
                      "error": f"{lost}; it was started {job.attempts} times, the most allowed "
                               f"(SVIDOK_JOBS_MAX_ATTEMPTS); what it committed is kept and a retry resumes it"}
        else:
            values = {"status": "failed", "finished_at": now(),
                      "error": f"{lost}; {on_loss.get(job.kind, 'submit it again')}"}
        got = s.execute(update(Job).where(Job.id == job.id, Job.status == "running", Job.lease_until == job.lease_until)
                        .values(worker=None, lease_until=None, updated_at=now(), **values))
        if got.rowcount == 1:
            out.append((job.id, values["status"]))
    return out


def waiting_for_queue(s: Session, older_than: float) -> list[int]:
    """Queued jobs never handed to the queue, or handed long ago and not taken (Redis lost them)."""
    limit = now() - timedelta(seconds=older_than)
    return list(s.scalars(select(Job.id).where(Job.status == "queued", Job.cancel_requested.is_(False),
                                               (Job.enqueued_at.is_(None)) | (Job.enqueued_at < limit))
                          .order_by(Job.id)))


def mark_enqueued(s: Session, ids: list[int]) -> None:
    if ids:
        s.execute(update(Job).where(Job.id.in_(ids), Job.status == "queued").values(enqueued_at=now()))


def lock_timeout(s: Session) -> None:
    """PostgreSQL: never wait long for a row another transaction holds."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET LOCAL lock_timeout = '5s'"))
