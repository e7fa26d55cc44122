"""`svidok verify` over a bulk-loaded database: every record row against its ledger commitment.

    uv run python bench/core_load.py --size 1000000 --data-dir /tmp/svidok-1m   # builds the database
    uv run python bench/verify_rows.py --data-dir /tmp/svidok-1m

Runs ``integrity.verify`` (what `svidok verify --skip-files` runs: chain, tree heads, record
versions, every row of every record table, custody) and prints wall and CPU time, rows
checked and the time of each stage. Target: < 5 min at 1,000,000 incidents on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, peak_rss_mib

from svidok.app import Svidok
from svidok.config import Settings
from svidok.services import integrity


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    stages: list[tuple[str, float, float]] = []
    mark = [time.perf_counter(), time.process_time(), "start"]

    def say(stage: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        stages.append((mark[2], now - mark[0], cpu - mark[1]))
        mark[:] = [now, cpu, stage]

    t0, c0 = time.perf_counter(), time.process_time()
    report = integrity.verify(app, check_files=False, progress=say)
    say("end")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"machine: {machine()}; engine: {app.db.dialect}; load average {os.getloadavg()[0]:.1f}")
    print(", ".join(f"{v:,} {k}" for k, v in report.counts.items()))
    print(f"verify: {wall:.1f} s wall, {cpu:.1f} s CPU; {report.counts.get('record_rows', 0) / cpu:,.0f} rows per CPU-second; "
          f"peak memory {peak_rss_mib():,.0f} MiB; ok={report.ok} ({len(report.problems)} problems)")
    for name, w, c in stages[1:]:
        print(f"  {name:40s} {w:7.1f} s wall {c:7.1f} s CPU")
    for p in report.problems[:5]:
        print("  problem:", p)


if __name__ == "__main__":
    main()
