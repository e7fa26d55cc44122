"""`svidok link` measured on the independent yardstick, beside the oracle ceiling.

    uv run python bench/linkage_yardstick.py                       # 20,000 records, 5 sources
    uv run python bench/linkage_yardstick.py --records 1000000     # scale: time, CPU, memory
    uv run python bench/linkage_yardstick.py --runs 2              # the same clusters twice?
    uv run python bench/linkage_yardstick.py --file labelled.csv   # any file with truth columns
    uv run python bench/linkage_yardstick.py --truth-names         # the same records, names as the truth spells them

The records come from ``linkage_yardstick_gen.py`` (written apart from the linker);
the linker sees only the columns a real list has, never the truth columns. The
ceiling is what ``linkage_oracle.py`` computes for the same file.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_oracle import TRUTH_COLUMNS, ceiling, read_labelled
from linkage_yardstick_gen import generate

from svidok.domain.names import split_full_name
from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.evaluate import score_clusters


def _cpu() -> float:
    """CPU time of this process and of the processes it started (names are read in two)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def _partition(clusters: pd.DataFrame) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(g) for _, g in clusters.groupby("cluster_id")["record_id"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--file", help="a labelled CSV instead of generating one")
    ap.add_argument("--runs", type=int, default=1, help="link this many times and compare the clusters")
    ap.add_argument("--no-ceiling", action="store_true", help="skip the oracle (slow at 1,000,000)")
    ap.add_argument("--truth-names", action="store_true",
                    help="link with every name as the truth spells it (the patronymic as the record states it): "
                         "what the model does when name handling is perfect")
    args = ap.parse_args()

    t0 = time.perf_counter()
    if args.file:
        labelled = read_labelled(args.file)
    else:
        labelled = pd.DataFrame(generate(args.records, args.seed))
    print(f"cores: {os.cpu_count()}  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"records: {len(labelled):,}  persons: {labelled['person_id'].nunique():,}  sources: "
          f"{labelled['source'].nunique()}  (ready in {time.perf_counter() - t0:.1f} s)")
    records = labelled.drop(columns=list(TRUTH_COLUMNS))
    if args.truth_names:
        given_family = labelled["truth_name"].str.split("|")
        records["given_name"], records["family_name"] = given_family.str[0], given_family.str[1]
        records["patronymic"] = [split_full_name(n).patronymic or "" for n in records["name"]]
        records["name"] = records["family_name"] + " " + records["given_name"]
    truth = labelled["person_id"]

    partitions = []
    for run in range(args.runs):
        cpu0, t0 = _cpu(), time.perf_counter()
        result = link_records(records, config=LinkageConfig())
        wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
        scores = score_clusters(result.clusters["cluster_id"], truth.set_axis(result.clusters.index))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
        # The name-reading processes live only while names are read, when this one holds
        # far less than its peak; they share its pages until they write to them.
        helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
        print(f"run {run + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU (all threads and processes), "
              f"peak RSS {peak:.2f} GiB (largest helper process {helper:.2f} GiB); "
              f"steps: {', '.join(f'{k} {v:.1f} s' for k, v in result.timings.items())}; "
              f"row issues: {len(result.issues):,}")
        print(f"  svidok link: pairwise precision {scores.pair_precision:.4f}  recall {scores.pair_recall:.4f}"
              f"  F1 {scores.pair_f1:.4f}   B-cubed F1 {scores.bcubed_f1:.4f}")
        partitions.append(_partition(result.clusters))
    if args.runs > 1:
        same = all(p == partitions[0] for p in partitions[1:])
        print(f"the same clusters on all {args.runs} runs: {'yes' if same else 'NO'}")
    if not args.no_ceiling:
        t0 = time.perf_counter()
        c = ceiling(labelled)
        print(f"  oracle ceiling: pairwise precision {c.pair_precision:.4f}  recall {c.pair_recall:.4f}  "
              f"F1 {c.pair_f1:.4f}   (as clusters: F1 {c.cluster_f1:.4f}; {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
