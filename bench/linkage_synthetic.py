"""Linkage quality and speed on synthetic person records with known truth.

    uv run python bench/linkage_synthetic.py                    # 20,000 records: quality
    uv run python bench/linkage_synthetic.py --records 1000000  # scale: time and memory

Prints pairwise precision/recall/F1, B-cubed scores, the share of persons recovered
exactly, the time of each step and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_data import generate

from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.evaluate import score_clusters


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threshold", type=float, default=LinkageConfig.threshold)
    ap.add_argument("--typo-rate", type=float, default=0.08)
    args = ap.parse_args()

    t0 = time.perf_counter()
    data = generate(args.records, seed=args.seed, typo_rate=args.typo_rate)
    t_gen = time.perf_counter() - t0
    truth = data.pop("person_id")
    print(f"cores: {os.cpu_count()}  records: {len(data):,}  persons: {truth.nunique():,}  "
          f"(generated in {t_gen:.1f} s)")

    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    result = link_records(data, config=LinkageConfig(threshold=args.threshold, seed=args.seed))
    elapsed = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    scores = score_clusters(result.clusters["cluster_id"], truth.set_axis(result.clusters.index))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"linkage at threshold {args.threshold}: {elapsed:.1f} s wall "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in result.timings.items())})")
    print(f"CPU time of the linkage: {cpu:.1f} s (all threads; the wall time above depends on "
          f"other load, load average now {os.getloadavg()[0]:.1f})")
    print(f"peak memory (RSS): {peak:.2f} GiB")
    print(f"row issues reported: {len(result.issues):,}; candidate pairs kept: {len(result.pairs):,}")
    for k, v in scores.as_dict().items():
        print(f"  {k:22s} {v:,}" if isinstance(v, int) else f"  {k:22s} {v:.4f}")


if __name__ == "__main__":
    main()
