"""Workers: the loop that takes jobs from the database (inline mode: a thread in every
Svidok process, or ``svidok worker``), and the heartbeat rows every worker keeps.

Every worker also looks for jobs whose worker died (an expired lease) and settles them
(``store.reap``), so a restart of any process resumes or fails them with the reason.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from svidok.storage.models import Job, JobWorker

from . import registry, store
from .context import now, side_alive
from .runner import run_claimed

if TYPE_CHECKING:
    from svidok.app import Svidok

log = logging.getLogger("svidok.jobs")
#: Woken when this process submits a job, so its own worker thread starts it at once.
wake = threading.Event()


def worker_name(mode: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{mode}:{uuid.uuid4().hex[:6]}"


def beat(app: Svidok, name: str, mode: str, current_job: int | None = None, done: int = 0,
         stopped: bool = False, note: str | None = None) -> None:
    """Write this worker's heartbeat row."""
    with app.db.session() as s:
        row = s.get(JobWorker, name)
        if row is None:
            row = JobWorker(name=name, mode=mode, host=socket.gethostname(), pid=os.getpid(), jobs_done=0)
            s.add(row)
        row.seen_at, row.current_job, row.jobs_done, row.note = now(), current_job, done, note
        row.stopped_at = now() if stopped else None


def reap(app: Svidok) -> list[tuple[int, str]]:
    """Settle jobs whose worker died (see ``store.reap``)."""
    registry.load(app.settings.job_modules)
    resumable = {k.name for k in registry.KINDS.values() if k.resumable}
    on_loss = {k.name: k.on_loss for k in registry.KINDS.values()}
    with app.db.session() as s:
        store.lock_timeout(s)
        settled = store.reap(s, app.settings.jobs_max_attempts, resumable, on_loss,
                             alive=lambda job_id: side_alive(app, job_id, app.settings.jobs_lease_seconds))
    for job_id, status in settled:
        log.warning("job %s: its worker died; now %s", job_id, status)
    return settled


def forget_stopped_workers(app: Svidok, older_than_days: int = 7) -> None:
    with app.db.session() as s:
        s.execute(delete(JobWorker).where(JobWorker.seen_at < now() - timedelta(days=older_than_days)))


class DatabaseWorker:
    """Takes queued jobs from the database, one at a time, until stopped."""

    def __init__(self, app, mode: str = "inline") -> None:
        self.app, self.mode = app, mode
        self.name = worker_name(mode)
        self.stopping = threading.Event()
        self.done = 0
        self.thread: threading.Thread | None = None
        self.current: int | None = None

    def start(self) -> DatabaseWorker:
        """Run in a daemon thread (inside the web process)."""
        self.thread = threading.Thread(target=self.run, name="svidok-jobs", daemon=True)
        self.thread.start()
        return self

    def stop(self, wait: float = 10.0) -> None:
        self.stopping.set()
        wake.set()
        if self.thread is not None:
            self.thread.join(wait)

    def _keep_alive(self, stopped: threading.Event) -> None:
        """Heartbeat row and lost workers' jobs, every third of a lease, also while a job runs."""
        every = self.app.settings.jobs_lease_seconds / 3
        while not stopped.wait(every):
            try:
                beat(self.app, self.name, self.mode, current_job=self.current, done=self.done)
                reap(self.app)
            except Exception:
                log.warning("job worker %s: heartbeat failed", self.name, exc_info=True)

    def run(self, burst: bool = False) -> int:
        """The loop; ``burst``: return when no job is queued. Returns how many jobs it ran."""
        settings = self.app.settings
        registry.load(settings.job_modules)
        beat(self.app, self.name, self.mode)
        reap(self.app)
        stopped = threading.Event()
        keeper = threading.Thread(target=self._keep_alive, args=(stopped,), name="svidok-jobs-beat", daemon=True)
        keeper.start()
        try:
            while not self.stopping.is_set():
                try:
                    with self.app.db.session() as s:
                        job_id = store.claim_next(s, self.name, settings.jobs_lease_seconds)
                except Exception:
                    log.exception("job worker %s: cannot reach the database", self.name)
                    self.stopping.wait(settings.jobs_poll_seconds * 5)
                    continue
                if job_id is None:
                    if burst:
                        break
                    wake.wait(settings.jobs_poll_seconds)
                    wake.clear()
                    continue
                self.current = job_id
                run_claimed(self.app, job_id, self.name)
                self.current = None
                self.done += 1
        finally:
            stopped.set()
            keeper.join(5)
            try:
                beat(self.app, self.name, self.mode, done=self.done, stopped=True)
            except Exception:
                pass
        return self.done


def queued_count(app: Svidok) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(Job).where(Job.status == "queued")) or 0


__all__ = ["DatabaseWorker", "beat", "reap", "wake", "worker_name", "queued_count", "forget_stopped_workers"]
