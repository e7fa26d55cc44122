"""Search by a victim's name (services/search.everything), Latin and Cyrillic spellings, on a demo database.

    uv run python bench/search_victims.py --size 20000 [--data-dir DIR] [--database-url …]

Loads the synthetic demo (if the data dir is empty) and times each query 15 times: prints
the match counts, wall p50/p95 and CPU p50 per query, and the machine's load."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.services import demo, search

QUERIES = ("Kovalenko", "Коваленко", "Kharkiv", "Bondarenko Olena", "Shevchenko")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=20000)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="svidok-bench-search-"))
    app = Svidok(Settings(data_dir=data_dir), database_url=args.database_url)
    app.init()
    demo.load(app, size=args.size)
    for q in QUERIES:
        runs = []
        for _ in range(15):
            t0, c0 = time.perf_counter(), time.process_time()
            r = search.everything(app, SYSTEM, q, 50)
            runs.append((time.perf_counter() - t0, time.process_time() - c0))
        wall = sorted(w for w, _ in runs)
        cpu = sorted(c for _, c in runs)
        print(f"{q:18} incidents={r['incident_count']:5} persons={r['person_count']:5} "
              f"p50={wall[7] * 1000:.1f} ms p95={wall[14] * 1000:.1f} ms cpu p50={cpu[7] * 1000:.1f} ms")
    print("load average", os.getloadavg(), "cores", os.cpu_count())
    app.close()


if __name__ == "__main__":
    main()
