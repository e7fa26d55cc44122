"""Rcapture's closed-population table (12 models: M0 … Mbh) on 6 occasions: time per full table.

Data: the 68 snowshoe hares of Rcapture's ``hare`` (6 occasions), and a simulated heterogeneous
population of 8,000 on 6 lists (all 63 histories observed).
Run: uv run python bench/stats_closedp.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from svidok.stats.counts_table import CountsTable, table_from_source_sets
from svidok.stats.estimate_closedp import closedp

HARE = {"000001": 4, "000010": 4, "000011": 2, "000100": 3, "000101": 4, "000110": 1, "000111": 1, "001000": 5,
        "001001": 2, "001011": 1, "001101": 1, "010000": 6, "010001": 1, "010010": 3, "010011": 1, "010100": 3,
        "010101": 3, "010111": 1, "011001": 2, "011011": 1, "011101": 2, "011111": 1, "100000": 3, "100001": 1,
        "100010": 2, "100100": 2, "100111": 1, "101000": 1, "101010": 1, "101100": 1, "110001": 1, "110010": 1,
        "111111": 2}


def hare() -> CountsTable:
    cells = np.zeros(63, dtype=np.int64)
    for h, c in HARE.items():
        cells[sum(1 << j for j, ch in enumerate(h) if ch == "1") - 1] += c
    return CountsTable(tuple(f"c{j + 1}" for j in range(6)), cells)


def simulated(seed: int = 2) -> CountsTable:
    rng = np.random.default_rng(seed)
    group = rng.random(8000) < 0.3
    base = np.linspace(0.35, 0.1, 6)
    caught = rng.random((8000, 6)) < np.where(group[:, None], base * 1.8, base * 0.6)
    names = [f"L{j}" for j in range(6)]
    return table_from_source_sets([{names[j] for j in range(6) if row[j]} for row in caught if row.any()], names)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    print(f"nproc={os.cpu_count()} loadavg={open('/proc/loadavg').read().split()[:3]}")
    for label, table in (("hare (n=68)", hare()), ("simulated (n=%d)", simulated())):
        closedp(table)  # warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.repeat):
            rows = closedp(table)
        wall = (time.perf_counter() - t0) / args.repeat * 1e3
        cpu = (time.process_time() - c0) / args.repeat * 1e3
        name = label % table.observed if "%d" in label else label
        print(f"{name}, 6 occasions: full table of {len(rows)} models {wall:.1f} ms wall, {cpu:.1f} ms CPU "
              f"per table (mean of {args.repeat}); Mth Chao N = {rows[6].abundance:,.1f}")


if __name__ == "__main__":
    main()
