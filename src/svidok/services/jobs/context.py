"""What a running job's function sees: ``progress`` and ``cancelled``, backed by the job's row.

Progress is written to the database (at most every ``WRITE_EVERY`` seconds, always when the
message changes) together with the lease, so any web process shows it. A heartbeat thread
renews the lease while the function works between progress calls. If the row says the job
is to be cancelled, or the lease was lost (another worker took the job after this one was
presumed dead), ``cancelled()`` turns true and the next ``progress`` raises
:class:`JobCancelled`, so services that report progress between their transactions stop at
a clean boundary without knowing about jobs.

A service that reports progress from inside one long write transaction (a partner's package
imported whole) runs in :meth:`JobContext.one_transaction`. On SQLite that transaction holds
the database's only write lock, so a progress write from the same thread would wait for its
own transaction and fail after the busy timeout ("database is locked"). There, progress goes
to ``<data_dir>/jobs/<id>/progress.json`` (:func:`side_progress`, read by ``jobs.get``) and
the heartbeat thread carries it into the row with the lease once the lock is free; the file's
age also tells a reaper that the job's worker is alive while the lease cannot be renewed.
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from svidok.storage.models import Job

WRITE_EVERY = 0.5
SIDE_FILE = "progress.json"


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
        self._side = False
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
            if self._side:
                self._write_side()
            else:
                self._write(with_progress=True)
        self.check()

    @contextmanager
    def one_transaction(self):
        """Around a service that reports progress inside one long write transaction (see the module)."""
        if self.app.db.dialect != "sqlite":
            yield
            return
        self._side = True
        self._write_side()
        try:
            yield
        finally:
            self._side = False
            side_path(self.app, self.job_id).unlink(missing_ok=True)

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
                if self._side:
                    self._write_side()  # alive, while the lease waits for the job's own write lock
                self._write(with_progress=self._side)
            except Exception:
                continue

    def _write_side(self) -> None:
        with self._lock:
            state = {**self._state, "at": now().isoformat()}
            self._last_write = time.monotonic()
        path = side_path(self.app, self.job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SIDE_FILE}.{threading.get_ident()}")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, path)

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


def side_path(app, job_id: int) -> Path:
    return app.settings.data_dir / "jobs" / str(job_id) / SIDE_FILE


def side_progress(app, job_id: int) -> dict | None:
    """The progress a job wrote beside the database (:meth:`JobContext.one_transaction`), or None."""
    try:
        return json.loads(side_path(app, job_id).read_text())
    except (OSError, ValueError):
        return None


def side_alive(app, job_id: int, within: float) -> bool:
    """Whether the job's worker wrote its side file in the last ``within`` seconds."""
    try:
        return time.time() - side_path(app, job_id).stat().st_mtime < within
    except OSError:
        return False
