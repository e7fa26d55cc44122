"""Where a linker's errors are, on a labelled yardstick file.

    uv run python bench/linkage_diagnose.py --records 200000 [--examples 15]

Every true pair is put in one class: found (one cluster), split by the clustering
(scored at or above the threshold but left in two clusters), scored below the
threshold, or never compared (no blocking rule put the two records together).
Every wrong pair is direct (scored at or above the threshold) or chained (only
through other records), and a direct one a namesake (the same true name) or not.
A calibration table shows how often the pairs at each probability are one person.
Examples print the linker's derived keys beside the truth.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_oracle import TRUTH_COLUMNS, read_labelled
from linkage_yardstick_gen import generate

from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.records import prepare

SHOW = ["unique_id", "source", "family_key", "given_key", "patronymic_key", "birth_year", "birth_month",
        "birth_day", "birth_year_span", "place_key"]


def _pairs_of(groups: pd.Series) -> pd.DataFrame:
    df = pd.DataFrame({"g": groups.to_numpy(), "r": groups.index.to_numpy()})
    df = df[df.groupby("g")["r"].transform("size") >= 2]
    m = df.merge(df, on="g")
    m = m[m["r_x"] < m["r_y"]]
    return pd.DataFrame({"l": m["r_x"].to_numpy(), "r": m["r_y"].to_numpy()})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--file", help="a labelled CSV (either yardstick's generator) instead of generating one")
    ap.add_argument("--examples", type=int, default=10)
    ap.add_argument("--floor", type=float, default=1e-9, help="pairs scored below this count as never compared")
    args = ap.parse_args()
    cache = Path(f"/tmp/yardstick_{args.records}_{args.seed}.pkl")
    if args.file:
        labelled = read_labelled(args.file)
        args.records = len(labelled)
    elif cache.exists():
        labelled = pd.read_pickle(cache)
    else:
        labelled = pd.DataFrame(generate(args.records, args.seed))
        labelled.to_pickle(cache)
    records = labelled.drop(columns=list(TRUTH_COLUMNS))
    cfg = LinkageConfig(review_threshold=args.floor)
    result = link_records(records, config=cfg)
    print("timings", result.timings)
    rid = labelled["record_id"]
    person = pd.Series(labelled["person_id"].to_numpy(), index=rid)
    name = pd.Series(labelled["truth_name"].to_numpy(), index=rid)
    cluster = result.clusters.set_index("record_id")["cluster_id"]
    truth = _pairs_of(person)
    pred = _pairs_of(cluster)
    key = lambda d: d["l"] + "|" + d["r"]  # noqa: E731
    scored = result.pairs
    prob = pd.Series(scored["match_probability"].to_numpy(), index=scored["record_id_l"] + "|" + scored["record_id_r"])
    tk, pk = key(truth), key(pred)
    found = tk.isin(set(pk))
    p = prob.reindex(tk.to_numpy()).to_numpy()
    cls = np.where(found, "found", np.where(np.isnan(p), "never compared",
                                            np.where(p >= cfg.threshold, "split by clustering", "below threshold")))
    truth["class"] = cls
    truth["p"] = p
    print(f"true pairs {len(truth):,}")
    print(truth["class"].value_counts().to_string())
    # Calibration: how often the pairs the model puts at each probability are one person.
    # Where they are as often as it says, no threshold or reweighting of the pairs gains.
    person_of = person.reindex(scored["record_id_l"]).to_numpy() == person.reindex(scored["record_id_r"]).to_numpy()
    bins = pd.cut(scored["match_probability"], [0, 0.01, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0001],
                  right=False)
    cal = pd.DataFrame({"bin": bins, "one_person": person_of, "p": scored["match_probability"]})
    print("calibration (scored pairs by probability: how many, the share that are one person, the mean probability)")
    print(cal.groupby("bin", observed=True).agg(pairs=("p", "size"), one_person=("one_person", "mean"),
                                                said=("p", "mean")).round(3).to_string())
    wrong = pred[~pk.isin(set(tk))].copy()
    wp = prob.reindex(key(wrong).to_numpy()).to_numpy()
    wrong["direct"] = wp >= cfg.threshold
    wrong["namesake"] = name.reindex(wrong["l"]).to_numpy() == name.reindex(wrong["r"]).to_numpy()
    print(f"wrong pairs {len(wrong):,}; direct {int(wrong['direct'].sum()):,}, of them namesakes "
          f"{int((wrong['direct'] & wrong['namesake']).sum()):,}; chained {int((~wrong['direct']).sum()):,}")
    features, _ = prepare(records)
    feats = features.set_index("unique_id")
    cols = [c for c in SHOW[1:] if c in feats.columns]
    lab = labelled.set_index("record_id")
    rng = np.random.default_rng(0)

    def show(df: pd.DataFrame, title: str) -> None:
        print(f"\n== {title} ({len(df):,})")
        if df.empty:
            return
        for i in rng.choice(len(df), size=min(args.examples, len(df)), replace=False):
            row = df.iloc[i]
            pv = row["p"] if "p" in row else "-"
            print(f"-- p={pv}")
            for r in (row["l"], row["r"]):
                f = feats.loc[r]
                t = lab.loc[r]
                print("   ", r, t["name"], "|", t["birth_date"], t["age"], t["place"], "|",
                      " ".join(f"{c}={f[c]}" for c in cols))

    for c in ("never compared", "below threshold", "split by clustering"):
        show(truth[truth["class"] == c], c)
    show(wrong[wrong["direct"]], "wrong direct")
    truth.to_pickle(f"/tmp/diag_truth_{args.records}.pkl")
    result.clusters.to_pickle(f"/tmp/diag_clusters_{args.records}.pkl")
    result.pairs.to_pickle(f"/tmp/diag_pairs_{args.records}.pkl")
    wrong.to_pickle(f"/tmp/diag_wrong_{args.records}.pkl")


if __name__ == "__main__":
    main()
