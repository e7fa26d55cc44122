"""Latency of each civilian-harm breakdown (svidok.stats.breakdowns) on a large database.

uv run python bench/stats_breakdowns.py [--data-dir /tmp/svidok-1m] [--database-url URL] [--repeat 2]
Reads only (the 1,000,000-incident benchmark database is not written to). Target: < 1 s each.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from sqlalchemy import func, select

from svidok.app import Svidok
from svidok.config import Settings
from svidok.schemas.filters import IncidentFilter
from svidok.services.actors import SYSTEM
from svidok.stats.breakdowns import BYS, breakdown
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
    t = time.perf_counter()
    breakdown(app, SYSTEM, "sex")
    print(f"first call (reads the victim columns into memory once): {time.perf_counter() - t:.1f} s")
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
        t = time.perf_counter()
        breakdown(app, SYSTEM, by, use_memory=False)
        print(f"plain SQL, {by}: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
