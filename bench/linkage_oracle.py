"""The ceiling a labelled person file allows: an oracle that knows every record's
true name and links two records only when exactly one person of that name fits
both records' stated birth information and place.

    uv run python bench/linkage_oracle.py /tmp/yard.csv

Reads the truth columns written by ``linkage_yardstick_gen.py`` (any file with
them will do): ``person_id``, ``truth_name``, ``truth_birth`` (YYYY-MM-DD),
``truth_place``, ``stated_birth`` (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``,
``age:N@YYYY-MM-DD`` or empty) and ``stated_place`` (empty when the record names
no place). Prints pairwise precision, recall and F1 of the oracle's pairs, and of
the clusters those pairs make (connected components), beside which a linker's
figures are read. Written apart from the linker: it imports nothing of svidok.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

TRUTH_COLUMNS = ("person_id", "truth_name", "truth_birth", "truth_place", "stated_birth", "stated_place")


@dataclass(frozen=True)
class Ceiling:
    pair_precision: float
    pair_recall: float
    pair_f1: float
    cluster_precision: float
    cluster_recall: float
    cluster_f1: float


def _fits_birth(stated: str, born: str) -> bool:
    if not stated:
        return True
    if stated.startswith("age:"):
        age, when = stated[4:].split("@")
        by, bm, bd = map(int, born.split("-"))
        wy, wm, wd = map(int, when.split("-"))
        return wy - by - ((wm, wd) < (bm, bd)) == int(age)
    return born.startswith(stated)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def oracle_pairs(df: pd.DataFrame, chunk: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Record positions (left, right) of every pair the oracle links."""
    persons = df.drop_duplicates("person_id")[["person_id", "truth_name", "truth_birth", "truth_place"]]
    by_name = {name: g for name, g in persons.groupby("truth_name", sort=True)}
    left, right = [], []
    for name, recs in df.groupby("truth_name", sort=True):
        if len(recs) < 2:
            continue
        ps = by_name[name]
        births, places = ps["truth_birth"].tolist(), ps["truth_place"].tolist()
        fit = np.array([[_fits_birth(sb, b) and (not sp or sp == pl) for b, pl in zip(births, places)]
                        for sb, sp in zip(recs["stated_birth"], recs["stated_place"])], dtype=np.int32)
        pos = recs.index.to_numpy()
        for start in range(0, len(recs), chunk):
            shared = fit[start:start + chunk] @ fit.T  # persons that fit both records
            i, j = np.nonzero(shared == 1)
            i = i + start
            keep = i < j
            left.append(pos[i[keep]])
            right.append(pos[j[keep]])
    if not left:
        return np.array([], dtype=int), np.array([], dtype=int)
    return np.concatenate(left), np.concatenate(right)


def ceiling(df: pd.DataFrame) -> Ceiling:
    df = df.reset_index(drop=True).fillna("")
    truth = df["person_id"].to_numpy()
    true_pairs = _pairs(df.groupby("person_id").size().to_numpy())
    a, b = oracle_pairs(df)
    tp = int((truth[a] == truth[b]).sum())
    p = tp / len(a) if len(a) else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    n = len(df)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    joint = pd.DataFrame({"c": labels, "t": truth}).groupby(["c", "t"]).size().to_numpy()
    c_tp = _pairs(joint)
    c_pred = _pairs(np.bincount(labels))
    cp = c_tp / c_pred if c_pred else 1.0
    cr = c_tp / true_pairs if true_pairs else 1.0
    return Ceiling(round(p, 4), round(r, 4), round(_f1(p, r), 4), round(cp, 4), round(cr, 4),
                   round(_f1(cp, cr), 4))


def read_labelled(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TRUTH_COLUMNS if c not in df.columns]
    if missing:
        sys.exit(f"{path}: not a labelled file, missing column(s) {', '.join(missing)}")
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path")
    args = ap.parse_args()
    df = read_labelled(args.path)
    c = ceiling(df)
    print(f"{len(df):,} records, {df['person_id'].nunique():,} persons")
    print(f"oracle pairs:    precision {c.pair_precision:.4f}  recall {c.pair_recall:.4f}  F1 {c.pair_f1:.4f}")
    print(f"oracle clusters: precision {c.cluster_precision:.4f}  recall {c.cluster_recall:.4f}  "
          f"F1 {c.cluster_f1:.4f}")


if __name__ == "__main__":
    main()
