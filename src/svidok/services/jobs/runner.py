"""Run one claimed job: rebuild its owner, call its kind's function, record how it ended."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from svidok.core.actors import Actor
from svidok.core.errors import ServiceError
from svidok.core.messages import M_

from .. import accounts
from . import registry, store
from .context import JobCancelled, JobContext

if TYPE_CHECKING:
    from svidok.app import Svidok

log = logging.getLogger("svidok.jobs")


def owner_of(app: Svidok, job) -> Actor | None:
    """The job's owner as they are now (role and case grants); None if their account was closed."""
    if job.owner_user_id is not None:
        return accounts.actor_by_id(app, job.owner_user_id)
    return Actor(job.owner, job.owner_role)


def run_claimed(app: Svidok, job_id: int, worker: str) -> str:
    """Run a job this worker has just claimed; returns the status it ended with."""
    from svidok.storage.models import Job

    lease = app.settings.jobs_lease_seconds
    with app.db.session() as s:
        job = s.get(Job, job_id)
        kind_name, params = job.kind, dict(job.params or {})
        actor = owner_of(app, job)
    ctx = JobContext(app, job_id, worker, lease)
    ctx.start()
    status, result, error, message = "failed", None, None, None
    try:
        if actor is None:
            raise ServiceError(M_("the account that submitted this job is no longer active"))
        kind = registry.kind(kind_name)
        result = kind.run(app, actor, params, ctx) or {}
        status, message = "done", "finished"
    except JobCancelled:
        status, message = "cancelled", "stopped at a clean point: " + (
            "the job's lease went to another worker" if ctx.lost else "cancelled on request")
    except ServiceError as exc:
        error = f"{exc.title}: {exc}"
        result = getattr(exc, "job_result", None)  # what a page needs to explain the failure (e.g. a brief's)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, kind_name)
        error = f"{type(exc).__name__}: {exc}"
    finally:
        ctx.stop()
    if ctx.lost:
        log.warning("job %s: lease lost; another worker owns it now", job_id)
        return "lost"
    progress = ctx.state()
    if message is not None:
        progress["message"] = message
    with app.db.session() as s:  # the outcome and the last progress in one write
        if not store.settle(s, job_id, worker, status, result=result, error=error, progress=progress):
            return "lost"
    return status
