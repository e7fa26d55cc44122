"""Background jobs: one interface for long work (imports, linkage runs, captures, briefs,
bundles, verify, backups), run by a worker thread inside each Svidok process (default,
jobs kept in the database) or by ``svidok worker`` processes fed by Redis (``SVIDOK_JOBS=redis``).

The ``jobs`` row is the truth in both modes: kind, parameters, owner, status (queued,
running, done, failed, cancelled), progress (done/total, message, updated_at), result and
error. Need-to-know: a user sees and cancels their own jobs; an administrator all of them.
Kinds are registered in one line (:func:`register`); see ``registry``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from svidok.core.actors import Actor
from svidok.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.storage.models import Job, JobWorker

from . import registry, secrets, store
from .context import JobCancelled, JobContext, now, side_progress
from .registry import KINDS, JobKind, register
from .worker import DatabaseWorker, wake

if TYPE_CHECKING:
    from svidok.app import Svidok

STATUSES = ("queued", "running", "done", "failed", "cancelled")
MAX_PARAMS_BYTES = 64_000


def view(job: Job) -> dict:
    return {
        "id": job.id, "kind": job.kind, "params": secrets.hidden(job.params), "owner": job.owner, "status": job.status,
        "progress": {"done": job.done, "total": job.total, "message": job.message,
                     "updated_at": job.updated_at.isoformat() if job.updated_at else None},
        "result": job.result, "error": job.error, "cancel_requested": job.cancel_requested,
        "attempts": job.attempts, "worker": job.worker,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def submit(app: Svidok, actor: Actor, kind: str, params: dict | None = None) -> dict:
    """Queue a job of ``kind`` owned by ``actor``; returns it (its id, status ``queued``)."""
    registry.load(app.settings.job_modules)
    k = registry.kind(kind)
    params = store.plain(params or {})
    if len(str(params)) > MAX_PARAMS_BYTES:
        raise ValidationFailed(FieldError("params", M_("more than %(max_params_bytes)s bytes", max_params_bytes=MAX_PARAMS_BYTES)))
    if k.check is not None:
        k.check(app, actor, params)
    with app.db.session() as s:
        job = Job(kind=kind, params=params, owner=actor.username, owner_role=actor.role,
                  owner_user_id=actor.user_id, status="queued", cancel_requested=False, done=0, attempts=0,
                  message="queued")
        s.add(job)
        s.flush()
        job_id = job.id
    if app.settings.jobs == "redis":
        from . import redis_queue

        try:
            redis_queue.send(app, [job_id])
        except redis_queue.QueueUnreachable as exc:
            with app.db.session() as s:
                s.execute(update(Job).where(Job.id == job_id).values(message=str(exc), updated_at=now()))
    else:
        wake.set()
    return get(app, actor, job_id)


def _visible(actor: Actor):
    return True if actor.is_admin else Job.owner == actor.username


def _require(s, actor: Actor, job_id: int) -> Job:
    job = s.get(Job, job_id)
    if job is None or not (actor.is_admin or job.owner == actor.username):
        raise NotFound(M_("no job %(job_id)s", job_id=job_id))  # another user's job is not even said to exist
    return job


def get(app: Svidok, actor: Actor, job_id: int) -> dict:
    with app.db.session() as s:
        out = view(_require(s, actor, job_id))
    if out["status"] == "running":  # newer progress beside the database (JobContext.one_transaction)?
        side = side_progress(app, job_id)
        if side and _later(side["at"], out["progress"]["updated_at"]):
            out["progress"] = {"done": side["done"], "total": side["total"], "message": side["message"],
                               "updated_at": side["at"]}
    return out


def _later(a: str, b: str | None) -> bool:
    if b is None:
        return True
    return _aware(datetime.fromisoformat(a)) > _aware(datetime.fromisoformat(b))


def list_jobs(app: Svidok, actor: Actor, *, status: str | None = None, kind: str | None = None,
              limit: int = 50, after: int | None = None) -> dict:
    """The actor's jobs (an administrator's: everyone's), newest first, a page keyed by id."""
    if status is not None and status not in STATUSES:
        raise ValidationFailed(FieldError("status", M_("must be one of %(items)s", items=", ".join(STATUSES))))
    q = select(Job).where(_visible(actor)).order_by(Job.id.desc()).limit(limit)
    if status:
        q = q.where(Job.status == status)
    if kind:
        q = q.where(Job.kind == kind)
    if after:
        q = q.where(Job.id < after)
    with app.db.session() as s:
        items = [view(j) for j in s.scalars(q)]
    return {"items": items, "next": items[-1]["id"] if len(items) == limit else None}


def cancel(app: Svidok, actor: Actor, job_id: int) -> dict:
    """A queued job is cancelled at once; a running one stops at its next clean point."""
    with app.db.session() as s:
        job = _require(s, actor, job_id)
        if job.status in store.FINAL:
            raise Conflict(M_("job %(job_id)s has already ended (%(status)s)", job_id=job_id, status=job.status))
        t = now()
        if job.status == "queued":
            s.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
                status="cancelled", cancel_requested=True, finished_at=t, updated_at=t,
                message=f"cancelled by {actor.username} before it started"))
        s.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(
            cancel_requested=True, updated_at=t, message=f"cancel requested by {actor.username}"))
    return get(app, actor, job_id)


def retry(app: Svidok, actor: Actor, job_id: int) -> dict:
    """Queue a failed or cancelled job again (resumable kinds carry on where they stopped)."""
    with app.db.session() as s:
        job = _require(s, actor, job_id)
        if job.status not in ("failed", "cancelled"):
            raise Conflict(M_("job %(job_id)s is %(status)s: only failed or cancelled jobs are retried", job_id=job_id, status=job.status))
        registry.load(app.settings.job_modules)
        k = registry.kind(job.kind)
        if k.check is not None:
            k.check(app, actor, dict(job.params or {}))
        s.execute(update(Job).where(Job.id == job_id, Job.status.in_(("failed", "cancelled"))).values(
            status="queued", cancel_requested=False, error=None, result=None, finished_at=None, enqueued_at=None,
            attempts=0, updated_at=now(), message=f"retried by {actor.username}"))
    if app.settings.jobs == "redis":
        from . import redis_queue

        try:
            redis_queue.send(app, [job_id])
        except redis_queue.QueueUnreachable as exc:
            with app.db.session() as s:
                s.execute(update(Job).where(Job.id == job_id).values(message=str(exc)))
    else:
        wake.set()
    return get(app, actor, job_id)


def result_file(app: Svidok, actor: Actor, job_id: int):
    """The file a finished job produced (a brief, a bundle): its path and download name."""
    from pathlib import Path

    job = get(app, actor, job_id)
    path = (job["result"] or {}).get("file")
    if job["status"] != "done" or not path:
        raise NotFound(M_("job %(job_id)s has no file to download", job_id=job_id))
    path = Path(path)
    root = (app.settings.data_dir / "jobs").resolve()
    if not path.resolve().is_relative_to(root) or not path.is_file():
        raise NotFound(M_("the file of job %(job_id)s is no longer there", job_id=job_id))
    return path, path.name


def health(app: Svidok, stale_after: float | None = None) -> dict:
    """Workers seen within ``stale_after`` seconds (default: one lease), and the queue's length."""
    stale_after = stale_after or max(app.settings.jobs_lease_seconds, 10.0)
    limit = now() - timedelta(seconds=stale_after)
    with app.db.session() as s:
        workers = [{"name": w.name, "mode": w.mode, "host": w.host, "pid": w.pid,
                    "seen_at": w.seen_at.isoformat(), "current_job": w.current_job, "jobs_done": w.jobs_done,
                    "alive": w.stopped_at is None and _aware(w.seen_at) >= limit, "note": w.note,
                    "stopped_at": w.stopped_at.isoformat() if w.stopped_at else None}
                   for w in s.scalars(select(JobWorker).order_by(JobWorker.seen_at.desc()).limit(100))]
        counts = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        oldest = s.scalar(select(func.min(Job.created_at)).where(Job.status == "queued"))
    alive = [w for w in workers if w["alive"]]
    out = {"mode": app.settings.jobs, "workers_alive": len(alive), "workers": workers,
           "jobs": {st: counts.get(st, 0) for st in STATUSES},
           "oldest_queued_seconds": round((now() - _aware(oldest)).total_seconds(), 1) if oldest else None}
    if app.settings.jobs == "redis":
        from . import redis_queue

        try:
            out["redis"] = {"reachable": True, "queued": len(redis_queue.queue(app))}
        except Exception as exc:
            out["redis"] = {"reachable": False, "error": str(exc)}
    out["ok"] = bool(alive) and out.get("redis", {}).get("reachable", True)
    return out


def _aware(t):
    """SQLite returns naive datetimes (stored as UTC)."""
    return t if t is None or t.tzinfo else t.replace(tzinfo=UTC)


__all__ = ["DatabaseWorker", "JobCancelled", "JobContext", "JobKind", "KINDS", "STATUSES", "cancel", "get",
           "health", "list_jobs", "register", "result_file", "retry", "submit", "view"]
