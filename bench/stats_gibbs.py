"""Gibbs sampler speed: sweeps per second of the latent-class (LCMCR) sampler on one core.

Target (issue 6): at least 100,000 sweeps/s for a 4-list problem with 10 latent classes.
Data: the published 4-list diabetes table (n = 2,069; Bruno et al. 1994) and a simulated
4-list table of about 5,000 documented people (the order of the Kosovo data of Ball et al. 2002).
Run: uv run python bench/stats_gibbs.py
"""

from __future__ import annotations

import os
import time

import numpy as np

from svidok.stats.counts_table import table_from_source_sets
from svidok.stats.lcmcr_sampler import run_chain

DIABETES = [58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10]


def diabetes_cells():
    pats = [tuple(int(b) for b in format(m, "04b")) for m in range(15, 0, -1)]
    return np.array(pats, dtype=np.int8), np.array(DIABETES, dtype=np.int64)


def simulated_cells(seed: int = 1):
    rng = np.random.default_rng(seed)
    n_true = 11_000
    group = rng.random(n_true) < 0.3  # two groups with different capture probabilities
    p = np.where(group[:, None], [0.5, 0.2, 0.15, 0.1], [0.25, 0.08, 0.08, 0.03])
    caught = rng.random((n_true, 4)) < p
    people = [{f"L{j}" for j in range(4) if row[j]} for row in caught if row.any()]
    t = table_from_source_sets(people, ["L0", "L1", "L2", "L3"])
    keep = t.cells > 0
    return t.patterns()[keep].astype(np.int8), t.cells[keep]


def measure(cells, freq, sweeps: int, repeats: int = 3) -> float:
    run_chain(cells, freq, 10, 0.25, 0.25, 10, 1, 1, 1)  # compile (or load the cache)
    best = 0.0
    for r in range(repeats):
        t0 = time.process_time()
        run_chain(cells, freq, 10, 0.25, 0.25, sweeps, 1, 1, r + 1)
        dt = time.process_time() - t0
        best = max(best, (sweeps + 501) / dt)
    return best


def main() -> None:
    print(f"cpu_count={os.cpu_count()} (the sampler runs on one core)")
    for name, (cells, freq) in (("diabetes", diabetes_cells()), ("simulated", simulated_cells())):
        rate = measure(cells, freq, 300_000)
        print(f"{name:<10} n={int(freq.sum()):>5} J=4 K*=10: {rate:,.0f} sweeps/s (best of 3, CPU time)")


if __name__ == "__main__":
    main()
