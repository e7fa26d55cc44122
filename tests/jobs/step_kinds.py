"""Job kinds for the tests and the drain benchmark (workers import this module through
``SVIDOK_JOB_MODULES=tests.jobs.step_kinds``).

``steps``: ``n`` steps, each one transaction that appends a ledger entry (action
``job.step``, record ``<job id>:<step>``) — so the ledger counts what ran, and a rerun
skips the steps already committed (resumable). ``steps.once``: the same, but not
resumable. ``count``: one ledger entry per execution (``job.count``) — executions counted
in the database.
"""

from __future__ import annotations

import time

from sqlalchemy import select

from svidok.services import ledger
from svidok.services.jobs import register
from svidok.storage.models import LedgerEntry


def steps(app, actor, params: dict, ctx) -> dict:
    n, pause = int(params.get("n", 5)), float(params.get("sleep", 0.0))
    with app.db.session() as s:
        prefix = f"{ctx.job_id}:"
        done = {r for r in s.scalars(select(LedgerEntry.record_id).where(LedgerEntry.action == "job.step",
                                                                          LedgerEntry.record_id.like(prefix + "%")))}
    for i in range(n):
        if f"{ctx.job_id}:{i}" in done:
            continue
        with app.db.session() as s:
            ledger.append(s, actor.username, "job.step", "job", f"{ctx.job_id}:{i}", {"step": i})
        ctx.progress(done=i + 1, total=n, message=f"step {i + 1} of {n}")
        if pause:
            time.sleep(pause)
    if params.get("fail"):
        raise RuntimeError(params["fail"])
    return {"steps": n}


def count(app, actor, params: dict, ctx) -> dict:
    with app.db.session() as s:
        ledger.append(s, actor.username, "job.count", "job", ctx.job_id, {"job": ctx.job_id})
    return {"counted": True}


register("steps", steps, resumable=True)
register("steps.once", steps)
register("count", count, resumable=True)
