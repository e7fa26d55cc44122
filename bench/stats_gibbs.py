"""Latent-class (LCMCR) sampler speed: sweeps per second on one core, and chains in parallel.

Data: Kosovo (LCMCR's example, n = 4,400), the 4-list diabetes table (n = 2,069) and Rcapture's
HIV table (n = 1,896), K* = 10. Prints CPU time (the machine is shared; wall time is shown beside
it) and the load average. R's LCMCR on the same data and settings is timed by hand in the same
session (see docs/statistics.md, "Performance").
Run: uv run python bench/stats_gibbs.py [--sweeps 50000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from svidok.stats.counts_table import table_from_patterns
from svidok.stats.estimate_lcmcr import lcmcr_traces
from svidok.stats.lcmcr_sampler import WARMUP, run_chain

KOSOVO = [
    ((1, 0, 0, 0), 1131), ((0, 1, 0, 0), 845), ((0, 0, 1, 0), 936), ((0, 0, 0, 1), 306),
    ((1, 1, 0, 0), 177), ((1, 0, 1, 0), 228), ((1, 0, 0, 1), 106), ((0, 1, 1, 0), 217),
    ((0, 1, 0, 1), 31), ((0, 0, 1, 1), 123), ((1, 1, 1, 0), 181), ((1, 1, 0, 1), 18),
    ((1, 0, 1, 1), 42), ((0, 1, 1, 1), 32), ((1, 1, 1, 1), 27),
]  # fmt: skip
DIABETES = [58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10]
HIV = [
    ((1, 1, 1, 0), 3), ((1, 1, 0, 1), 1), ((1, 1, 0, 0), 33), ((1, 0, 1, 0), 20), ((1, 0, 0, 1), 6),
    ((1, 0, 0, 0), 403), ((0, 1, 1, 1), 3), ((0, 1, 1, 0), 35), ((0, 1, 0, 1), 10), ((0, 1, 0, 0), 545),
    ((0, 0, 1, 1), 11), ((0, 0, 1, 0), 621), ((0, 0, 0, 1), 205),
]  # fmt: skip


def tables():
    pats = [tuple(int(b) for b in format(m, "04b")) for m in range(15, 0, -1)]
    return {
        "kosovo": table_from_patterns("ABCD", KOSOVO),
        "diabetes": table_from_patterns("ABCD", zip(pats, DIABETES, strict=True)),
        "HIV": table_from_patterns("ABCD", HIV),
    }


def sweeps_per_second(t, sweeps: int, repeats: int = 3) -> float:
    keep = t.cells > 0
    cells, freq = t.patterns()[keep].astype(np.int8), t.cells[keep]
    run_chain(cells, freq, 10, 0.25, 0.25, 10, 1, 1, 1)  # compile (or load the cache)
    best = float("inf")
    for r in range(repeats):
        c0 = time.process_time()
        run_chain(cells, freq, 10, 0.25, 0.25, sweeps, 1, 1, r + 2)
        best = min(best, time.process_time() - c0)
    return (sweeps + 1 + WARMUP) / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweeps", type=int, default=50_000)
    args = ap.parse_args()
    print(f"nproc={os.cpu_count()} loadavg={open('/proc/loadavg').read().split()[:3]}")
    for name, t in tables().items():
        print(f"{name:<9} n={t.observed:>5} J=4 K*=10: {sweeps_per_second(t, args.sweeps):>9,.0f} sweeps/s "
              "(one chain, best of 3, CPU time)")
    t = tables()["kosovo"]
    settings = {"burnin": 10_000, "samples": 1_000, "thinning": 100}
    for chains, workers in ((1, 1), (4, 1), (4, None)):
        w0, c0 = time.perf_counter(), time.process_time()
        lcmcr_traces(t, chains=chains, workers=workers, seed=3, **settings)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        label = "one thread" if workers == 1 else f"{min(chains, os.cpu_count() or 1)} threads"
        print(f"kosovo, default schedule, {chains} chain(s) on {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"loadavg after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
