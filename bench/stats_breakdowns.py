"""Latency of each civilian-harm breakdown (svidok.figures.breakdowns) on a large database.

uv run python bench/stats_breakdowns.py [--data-dir /tmp/svidok-1m] [--database-url URL] [--repeat 2]
Reads only (the 1,000,000-incident benchmark database is not written to). Target: < 1 s each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mib
from sqlalchemy import func, select

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.figures import harm_facts
from svidok.figures.breakdowns import BYS, breakdown
from svidok.schemas.filters import IncidentFilter
from svidok.storage.models import Incident, Victim


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/tmp/svidok-1m")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    settings = Settings(data_dir=Path(a.data_dir)) if not a.database_url else Settings(database_url=a.database_url)
    app = Svidok(settings)
    with app.db.session() as s:
        n_inc = s.scalar(select(func.count()).select_from(Incident))
        n_vic = s.scalar(select(func.count()).select_from(Victim))
    print(f"engine={app.db.engine.dialect.name} incidents={n_inc:,} victim rows={n_vic:,} cpus={os.cpu_count()}")
    cases = [(by, None) for by in BYS] + [("age_band", IncidentFilter(place="UA63000000000041885")),
                                          ("month", IncidentFilter(date_from="2022-03", date_to="2022-12"))]
    import svidok.figures.queries  # noqa: F401 - imported by the first load otherwise (scipy): not load time

    rss, t, c = peak_rss_mib(), time.perf_counter(), time.process_time()
    breakdown(app, SYSTEM, "sex")
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    with app.db.session() as s:
        hf = harm_facts.facts(app, s)
    mib = (hf.count.nbytes + sum(a.nbytes for a in hf.cols.values())) / 2**20
    print(f"first call (reads the victim columns into memory once): {wall:.1f} s wall, {cpu:.1f} s CPU; "
          f"{hf.n:,} rows in {mib:,.0f} MiB of columns; peak memory {rss:,.0f} -> {peak_rss_mib():,.0f} MiB; "
          f"load average {os.getloadavg()[0]:.1f}")
    worst = 0.0
    for by, f in cases:
        best = float("inf")
        for _ in range(a.repeat):
            t = time.perf_counter()
            b = breakdown(app, SYSTEM, by, filter=f)
            best = min(best, time.perf_counter() - t)
        worst = max(worst, best)
        label = by + (" (filtered)" if f else "")
        print(f"{label:24s} {best * 1000:8.0f} ms  rows={len(b.rows):4d} total={b.total:,} missing={b.missing:,}")
    print(f"slowest: {worst * 1000:.0f} ms (target < 1000 ms)")
    for by in ("sex", "occupation"):
        t, c = time.perf_counter(), time.process_time()
        breakdown(app, SYSTEM, by, use_memory=False)
        print(f"plain SQL, {by}: {time.perf_counter() - t:.1f} s ({time.process_time() - c:.1f} s CPU in this process)")
    t, c = time.perf_counter(), time.process_time()
    with app.db.session() as s:
        again = harm_facts._timed_load(app, s)
    print(f"a second read of the columns: {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} s CPU "
          f"({again.n:,} rows); load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
