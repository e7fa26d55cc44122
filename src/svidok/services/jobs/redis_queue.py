"""Jobs on Redis (``SVIDOK_JOBS=redis``): RQ carries job ids to ``svidok worker`` processes.

RQ rather than Dramatiq: the database row stays the truth about a job (status, progress,
result, lease), so the queue only has to carry an id to some worker; RQ does that with a
Redis list and a plain function reference, needs no broker middleware, and its
``SimpleWorker`` runs the job in the worker's own process, where the Svidok application
(database pool, vocabularies, keys) is built once. A job delivered twice (re-sent after
Redis lost it) still runs once: the worker claims the row ``WHERE status = 'queued'``.

If Redis is unreachable when a job is submitted, the row stays queued and says so; every
worker re-sends queued jobs that were never sent (or were sent long ago and not taken).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING

import redis
from rq import Queue, SimpleWorker

from svidok.core.errors import ServiceError
from svidok.core.messages import M_

from . import store
from .runner import run_claimed
from .worker import beat, reap, worker_name

if TYPE_CHECKING:
    from svidok.app import Svidok

log = logging.getLogger("svidok.jobs")
#: A queued job handed to Redis this long ago and not taken is handed again.
RESEND_AFTER = 300.0
_process: dict = {}


def _safe(name: str) -> str:
    """RQ job ids take letters, digits, '_' and '-' only."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in name)


class QueueUnreachable(ServiceError):
    status = 503
    title = "Job queue unreachable"


def connection(app: Svidok) -> redis.Redis:
    return redis.Redis.from_url(app.settings.redis_url, socket_connect_timeout=2, socket_timeout=10,
                                health_check_interval=30)


def queue(app: Svidok, conn: redis.Redis | None = None) -> Queue:
    return Queue(app.settings.jobs_queue, connection=conn or connection(app), default_timeout=-1)


def send(app: Svidok, ids: list[int]) -> list[int]:
    """Hand job ids to the queue; returns those sent (raises QueueUnreachable if none could be)."""
    if not ids:
        return []
    try:
        q = queue(app)
        with q.connection.pipeline() as pipe:
            for job_id in ids:
                # RQ's ids carry the queue's name, so an installation's keys can be found (and a
                # test's removed) by it; the suffix makes a re-sent job a new RQ job.
                q.enqueue_call("svidok.services.jobs.redis_queue.perform", args=(job_id,), timeout=-1,
                               result_ttl=0, failure_ttl=86400, description=f"svidok job {job_id}", pipeline=pipe,
                               job_id=f"{_safe(app.settings.jobs_queue)}-{job_id}-{uuid.uuid4().hex[:8]}")
            pipe.execute()
    except redis.exceptions.RedisError as exc:
        raise QueueUnreachable(M_("Redis at %(redis_url)s did not answer (%(exc)s); the job stays queued and is sent when Redis is back", redis_url=app.settings.redis_url, exc=exc)) from None
    with app.db.session() as s:
        store.mark_enqueued(s, ids)
    return ids


def resend_waiting(app: Svidok) -> int:
    with app.db.session() as s:
        ids = store.waiting_for_queue(s, RESEND_AFTER)
    return len(send(app, ids)) if ids else 0


def perform(job_id: int) -> str:
    """RQ's entry point in the worker process: claim the row, then run it."""
    app, name = _process.get("app"), _process.get("name")
    if app is None:  # started by RQ's own `rq worker`: build the application from the environment
        from svidok.app import Svidok

        app, name = Svidok(), worker_name("rq")
        _process.update(app=app, name=name)
    with app.db.session() as s:
        if not store.claim(s, job_id, name, app.settings.jobs_lease_seconds):
            return "not queued (taken by another worker, cancelled or finished)"
    _process["current"] = job_id
    try:
        return run_claimed(app, job_id, name)
    finally:
        _process["current"] = None
        _process["done"] = _process.get("done", 0) + 1


def _maintenance(app: Svidok, name: str, stopping: threading.Event) -> None:
    """Heartbeat row, lost workers' jobs, jobs Redis never got: every third of a lease."""
    while not stopping.wait(min(app.settings.jobs_lease_seconds / 3, 10.0)):
        try:
            beat(app, name, "redis", current_job=_process.get("current"), done=_process.get("done", 0))
            reap(app)
            resend_waiting(app)
        except ServiceError as exc:
            log.warning("job worker %s: %s", name, exc)
        except Exception:
            log.exception("job worker %s: maintenance failed", name)


def work(app: Svidok, burst: bool = False, stopping: threading.Event | None = None) -> int:
    """``svidok worker`` in Redis mode: run jobs from the queue; reconnect when Redis comes back."""
    name = worker_name("redis")
    _process.update(app=app, name=name, done=0, current=None)
    stopping = stopping or threading.Event()
    beat(app, name, "redis")
    reap(app)
    try:
        resend_waiting(app)
    except ServiceError as exc:
        log.warning("%s", exc)
    keeper = threading.Thread(target=_maintenance, args=(app, name, stopping), daemon=True)
    keeper.start()
    try:
        while not stopping.is_set():
            try:
                conn = connection(app)
                conn.ping()
                w = SimpleWorker([queue(app, conn)], connection=conn, name=f"{app.settings.jobs_queue}.{name}.{int(time.time())}")
                w.work(burst=burst, logging_level="WARNING")
                if burst or getattr(w, "_stop_requested", False):  # SIGTERM / Ctrl-C: RQ's warm shutdown
                    break
                stopping.wait(2.0)  # RQ left its loop on an error (Redis gone): connect again
            except redis.exceptions.RedisError as exc:
                log.warning("job worker %s: Redis at %s unreachable (%s); retrying", name, app.settings.redis_url, exc)
                beat(app, name, "redis", done=_process.get("done", 0), note=f"Redis unreachable: {exc}")
                if burst:
                    break
                stopping.wait(2.0)
    finally:
        stopping.set()
        beat(app, name, "redis", done=_process.get("done", 0), stopped=True)
    return _process.get("done", 0)
