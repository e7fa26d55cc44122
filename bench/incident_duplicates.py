"""Duplicate-incident finder measured on an independent generator: precision, recall, speed.

    uv run python bench/incident_duplicates.py                      # 20,000 reports, several thresholds
    uv run python bench/incident_duplicates.py --reports 1000000    # scale: time, CPU, memory
    uv run python bench/incident_duplicates.py --hand               # the hand weights, not learnt ones

Reports come from ``incident_duplicates_gen.py`` (written apart from the finder); the
finder sees the fields an incident has (dates, point, place, types, means, named
victims, victim count, sources, the title's cross-script keys), never the event. A
pair is right when both reports are of one event. "Blocking recall" is the share of
true pairs the blocking passes compare at all: no threshold can find more.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from incident_duplicates_gen import reports, true_pairs

from svidok.domain import names
from svidok.linkage.incident_duplicates import IncidentFacts, find
from svidok.linkage.incident_weights import apply, levels


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime


def _facts(rows: list[dict]) -> list[IncidentFacts]:
    return [IncidentFacts(id=r["id"], date_lo=r["date_lo"], date_hi=r["date_hi"], lat=r["lat"], lon=r["lon"],
                          place_id=r["place_id"], types=tuple(r["types"]), means=tuple(r["means"]),
                          persons=tuple(r["persons"]), victims=r["victims"], sources=tuple(r["sources"]),
                          words=tuple(dict.fromkeys(names.search_keys(r["title"])))) for r in rows]


def _score(found: set, truth: set) -> tuple[float, float, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def labelled_ceiling(pairs: list[dict], truth: set) -> tuple[float, float, float]:
    """The same levels with m and u counted from the truth (in-sample): the best these fields
    and levels can do with weights fitted to the answers, at even odds."""
    import numpy as np

    cols = {k: np.array([np.nan if p["measures"][k] is None else p["measures"][k] for p in pairs], dtype=float)
            for k in pairs[0]["measures"]}
    lv = levels(cols)
    y = np.array([(p["id_l"], p["id_r"]) in truth for p in pairs])
    table = {}
    for f, v in lv.items():
        k = int(v.max()) + 1
        m = np.bincount(v[y], minlength=k) + 0.5
        u = np.bincount(v[~y], minlength=k) + 0.5
        table[f] = list(np.log2((m / m.sum()) / (u / u.sum())))
    total = math.log2(y.mean() / (1 - y.mean())) + sum(apply(lv, table).values())
    found = {(p["id_l"], p["id_r"]) for p, t in zip(pairs, total, strict=True) if t >= 0}
    return _score(found, truth)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--hand", action="store_true", help="the hand weights instead of weights learnt from the pairs")
    args = ap.parse_args()

    t0 = time.perf_counter()
    rows = reports(args.reports, args.seed)
    truth = true_pairs(rows)
    facts = _facts(rows)
    print(f"{len(rows):,} reports of {len({r['event'] for r in rows}):,} events, {len(truth):,} true pairs "
          f"(generated in {time.perf_counter() - t0:.1f} s)")
    del rows
    small = len(facts) <= 200_000
    t1, c1 = time.perf_counter(), _cpu()
    # At small sizes every compared pair comes back, to give the blocking recall and a curve.
    out = find(facts, min_bits=-1e9 if small else 0.0, threads=args.threads, learn=not args.hand)
    wall, cpu = time.perf_counter() - t1, _cpu() - c1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"find: {out.compared:,} pairs compared, {len(out.pairs):,} returned in {wall:.1f} s wall, "
          f"{cpu:.1f} s CPU; peak RSS {rss:,.0f} MiB; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"weights ({'by hand' if args.hand else 'learnt from the pairs, no labels'}): start {out.prior:+.1f}, "
          + "; ".join(f"{f} {' '.join(f'{x:+.1f}' for x in w[1:])}" for f, w in out.weights.items()))
    if small:
        compared = {(p["id_l"], p["id_r"]) for p in out.pairs}
        print(f"blocking recall: {len(compared & truth) / max(len(truth), 1):.4f}")
        p, r, f1 = labelled_ceiling(out.pairs, truth)
        print(f"ceiling (these levels, m and u counted from the truth): precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}")
    for threshold in ((0.3, 0.5, 0.7, 0.9) if small else (0.5,)):
        found = {(p["id_l"], p["id_r"]) for p in out.pairs if p["probability"] >= threshold}
        p, r, f1 = _score(found, truth)
        print(f"p >= {threshold}: precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}  ({len(found):,} pairs)")


if __name__ == "__main__":
    main()
