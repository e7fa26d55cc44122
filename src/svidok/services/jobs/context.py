"""What a running job's function sees: ``progress`` and ``cancelled``, backed by the job's row.

Progress is written to the database (at most every ``WRITE_EVERY`` seconds, always when the
message changes) together with the lease, so any web process shows it. A heartbeat thread
renews the lease while the function works between progress calls. If the row says the job
is to be cancelled, or the lease was lost (another worker took the job after this one was
presumed dead), ``cancelled()`` turns true and the next ``progress`` raises
:class:`JobCancelled`, so services that report progress between their transactions stop at
a clean boundary without knowing about jobs.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from svidok.storage.models import Job

WRITE_EVERY = 0.5


class JobCancelled(Exception):
    """Raised inside a job when it was cancelled (or its lease lost): stop at a clean boundary."""


def now() -> datetime:
    return datetime.now(UTC)


class JobContext:
    def __init__(self, app, job_id: int, worker: str, lease_seconds: float) -> None:
        self.app, self.job_id, self.worker, self.lease_seconds = app, job_id, worker, lease_seconds
        self._cancel = False
        self.lost = False
        self._last_write = 0.0
        self._state: dict = {"done": 0, "total": None, "message": None}
        self._written_message: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name=f"svidok-job-{job_id}-lease", daemon=True)

    # -- for the job's function -------------------------------------------------------
    @property
    def output_dir(self) -> Path:
        """A folder of this job's own for files it produces (``<data_dir>/jobs/<id>``)."""
        path = self.app.settings.data_dir / "jobs" / str(self.job_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def progress(self, done: int | None = None, total: int | None = None, message: str | None = None,
                 advance: int | None = None) -> None:
        """Report progress (``advance`` adds to ``done``); raises JobCancelled when cancelled."""
        with self._lock:
            if advance is not None:
                self._state["done"] += advance
            if done is not None:
                self._state["done"] = done
            if total is not None:
                self._state["total"] = total
            if message is not None:
                self._state["message"] = message
            due = time.monotonic() - self._last_write >= WRITE_EVERY or self._state["message"] != self._written_message
        if due:
            self._write(with_progress=True)
        self.check()

    def forget_secrets(self) -> None:
        """Drop the job's secret parameters from its row (once they are no longer needed)."""
        from sqlalchemy import select

        from .secrets import without

        with self.app.db.session() as s:
            params = s.scalar(select(Job.params).where(Job.id == self.job_id))
            s.execute(update(Job).where(Job.id == self.job_id).values(params=without(params)))

    def cancelled(self) -> bool:
        return self._cancel or self.lost

    def check(self) -> None:
        if self.cancelled():
            raise JobCancelled("lease lost to another worker" if self.lost else "cancelled")

    # -- for the runner ---------------------------------------------------------------
    def start(self) -> None:
        self._beat.start()

    def stop(self) -> None:
        self._stop.set()
        self._beat.join(timeout=5)

    def state(self) -> dict:
        """The progress as last reported: done, total, message."""
        with self._lock:
            return dict(self._state)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.lease_seconds / 3):
            try:
                self._write(with_progress=False)
            except Exception:
                continue

    def _write(self, with_progress: bool) -> None:
        t = now()
        values: dict = {"lease_until": t + timedelta(seconds=self.lease_seconds), "updated_at": t}
        if with_progress:
            with self._lock:
                values.update(self._state)
                self._written_message = self._state["message"]
                self._last_write = time.monotonic()
        with self.app.db.session() as s:
            row = s.execute(
                update(Job).where(Job.id == self.job_id, Job.worker == self.worker, Job.status == "running")
                .values(**values).returning(Job.cancel_requested)
            ).first()
        if row is None:
            self.lost = True
        elif row[0]:
            self._cancel = True
