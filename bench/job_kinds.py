"""The job kind the drain benchmark queues (workers import it: SVIDOK_JOB_MODULES=["job_kinds"]).

``bench.count`` appends one ledger entry per execution (action ``job.count``, record = the
job's id): the benchmark counts executions per job in the database afterwards.
"""

from __future__ import annotations

from svidok.services import ledger
from svidok.services.jobs import register


def count(app, actor, params: dict, ctx) -> dict:
    with app.db.session() as s:
        ledger.append(s, actor.username, "job.count", "job", ctx.job_id, {"job": ctx.job_id})
    return {"counted": True}


register("bench.count", count, resumable=True)
