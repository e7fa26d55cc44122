"""1,000 queued jobs drained by 2 ``svidok worker`` processes: jobs/s, and did any job run twice?

    uv run python bench/jobs_drain.py                                   # SQLite, jobs in the database
    uv run python bench/jobs_drain.py --database-url postgresql://postgres@127.0.0.1:5432/svidok_drain
    uv run python bench/jobs_drain.py --mode redis --redis-url redis://127.0.0.1:6379/3 --database-url postgresql://…

Creates the database afresh, queues ``--jobs`` jobs of kind ``bench.count`` (bench/job_kinds.py:
each execution appends one ledger entry naming its job), starts ``--workers`` worker processes
with ``--burst`` (they exit when nothing is left) and reads back from the database: how many
times each job was executed (ledger entries per job), the jobs' status, the drain rate from the
first claim to the last finish (worker start-up excluded) and the workers' CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.services import jobs
from svidok.storage.db import normalise_url
from svidok.storage.models import Job, LedgerEntry

BENCH = Path(__file__).resolve().parent


def _fresh(url: str | None, data_dir: Path) -> str:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if not url:
        return f"sqlite:///{data_dir / 'svidok.db'}"
    base, name = url.rsplit("/", 1)
    admin = create_engine(normalise_url(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in --data-dir)")
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--mode", choices=("inline", "redis"), default="inline")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-drain"))
    args = ap.parse_args()
    url = _fresh(args.database_url, args.data_dir)
    queue = f"svidok_drain_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SVIDOK_DATA_DIR": str(args.data_dir), "SVIDOK_DATABASE_URL": url,
           "SVIDOK_JOBS": args.mode, "SVIDOK_REDIS_URL": args.redis_url, "SVIDOK_JOBS_QUEUE": queue,
           "SVIDOK_JOB_MODULES": '["job_kinds"]', "PYTHONPATH": str(BENCH)}
    settings = Settings(data_dir=args.data_dir, jobs=args.mode, redis_url=args.redis_url, jobs_queue=queue,
                        job_modules=["job_kinds"])
    sys.path.insert(0, str(BENCH))
    app = Svidok(settings, database_url=url)
    app.init()
    t = time.perf_counter()
    for _ in range(args.jobs):
        jobs.submit(app, SYSTEM, "bench.count")
    submit_s = time.perf_counter() - t
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", "from svidok.cli.main import app; app()", "worker", "--burst"],
                              env=env, stdout=subprocess.DEVNULL) for _ in range(args.workers)]
    for p in procs:
        p.wait()
    wall = time.perf_counter() - t0
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    with app.db.session() as s:
        statuses = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        runs = dict(s.execute(select(LedgerEntry.record_id, func.count()).where(LedgerEntry.action == "job.count")
                              .group_by(LedgerEntry.record_id)).all())
        first, last = s.execute(select(func.min(Job.started_at), func.max(Job.finished_at))).one()
        by_worker = dict(s.execute(select(Job.worker, func.count()).group_by(Job.worker)).all())
        attempts = s.scalar(select(func.sum(Job.attempts)))
    if args.mode == "redis":
        import redis

        conn = redis.Redis.from_url(args.redis_url)
        keys = list(conn.scan_iter(match=f"*{queue}*", count=1000))
        if keys:
            conn.delete(*keys)
        for key in ("rq:workers", "rq:queues"):  # RQ's own sets: remove only this run's members
            for member in [m for m in conn.smembers(key) if queue.encode() in m]:
                conn.srem(key, member)
    drain = (last - first).total_seconds()
    twice = sum(1 for n in runs.values() if n > 1)
    print(f"machine: {machine()}, load average {open('/proc/loadavg').read().split()[:3]}; "
          f"{app.db.dialect}, jobs {args.mode}, {args.workers} worker processes")
    print(f"queued {args.jobs} jobs in {submit_s:.1f} s ({args.jobs / submit_s:.0f}/s)")
    print(f"drained in {drain:.1f} s from first claim to last finish: {args.jobs / drain:.1f} jobs/s "
          f"(wall with worker start-up {wall:.1f} s; workers' CPU {cpu.ru_utime + cpu.ru_stime:.1f} s)")
    print(f"status: {statuses}; jobs per worker: {sorted(by_worker.values())}; claims in all: {attempts}")
    print(f"executions counted in the ledger: {sum(runs.values())} for {len(runs)} jobs; jobs run more than once: {twice}")
    app.close()


if __name__ == "__main__":
    main()
