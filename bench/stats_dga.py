"""Model averaging over decomposable graphs (method dga): time for 3, 4 and 5 lists.

Data: the 3-list Darroch table (n = 569), Kosovo (4 lists, n = 4,400) and the UK 2013 table
with 5 lists (n = 2,744), each on the default grid (undocumented 0 .. 10 x documented, at most
5,001 points) and on a 20,001-point grid. Times are the best of a few runs, wall and CPU, after
one warm-up run (the graph list is built once per process and cached; its first build is shown
apart). Prints nproc and the load average (the machine is shared).
Run: uv run python bench/stats_dga.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from svidok.stats.estimate_dga import decomposable_graphs, estimate_dga
from tests.stats.published_data import DARROCH_R3, kosovo, table, uk_2013


def timed(fn, repeats: int = 3) -> tuple[float, float]:
    fn()
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        best_wall, best_cpu = min(best_wall, time.perf_counter() - w0), min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu


def main() -> None:
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    for p in (3, 4, 5, 6):
        w0, c0 = time.perf_counter(), time.process_time()
        n = len(decomposable_graphs(p))
        print(f"enumerate decomposable graphs on {p} lists: {n} graphs, "
              f"{time.perf_counter() - w0:.3f} s wall, {time.process_time() - c0:.3f} s CPU (once per process)")
    from stats_loglinear import simulated

    cases = {"3 lists (Darroch)": table(DARROCH_R3), "4 lists (Kosovo)": kosovo(), "5 lists (UK 2013)": uk_2013(5),
             "6 lists (simulated)": simulated(6)}
    for name, t in cases.items():
        for label, grid in (("default grid", None), ("grid 0..20000", np.arange(20_001))):
            r = estimate_dga(t, missing=grid)
            wall, cpu = timed(lambda t=t, grid=grid: estimate_dga(t, missing=grid))
            print(f"{name:<18} {label:<14} {len(r.grid):>6} points x {r.n_models:>3} models: "
                  f"{wall:.3f} s wall, {cpu:.3f} s CPU; median {r.median:,.0f} ({r.lower:,.0f} - {r.upper:,.0f})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
