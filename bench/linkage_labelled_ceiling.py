"""How far better weights could take the linker: the labelled ceiling of its comparisons.

    uv run python bench/linkage_labelled_ceiling.py --records 1000000      # first yardstick
    uv run python bench/linkage_labelled_ceiling.py --file labelled.csv    # any labelled file

``svidok link`` learns its weights without labels. This script links the records as
it does, keeps every scored pair with the level each comparison found, and then
asks the truth: for each combination of levels (and of how common the name is, in
half-bit steps of the frequency adjustment), what share of the pairs are one person?
That share, counted on one random half of the pairs and used on the other (two-fold,
so a cell's own pairs never decide it), is the best probability any weights of these
comparisons can give. Both sets of probabilities are then clustered the same way
(components of the links at 0.5, rebuilt link by link as ``clustering.rebuild_groups`` does,
pairs the blocking rules never compared counting for nothing), and the script
prints F1 for each. The gap between the two is what better parameter estimation
could still win; what it cannot win needs other comparisons or other evidence.

The model's probabilities clustered here give a figure close to, not equal to,
``svidok link``'s own, which also scores pairs inside a group that no rule compared.
The ceiling shares the linker's blocking rules and comparisons: it is a ceiling of
this design, not of the data (``linkage_oracle.py`` and ``--truth-names`` of
``linkage_yardstick.py`` bound the rest).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_oracle import TRUTH_COLUMNS, read_labelled
from linkage_yardstick_gen import generate
from splink.internals.duckdb.dataframe import DuckDBDataFrame

from svidok.linkage import LinkageConfig
from svidok.linkage import link as link_module
from svidok.linkage.clustering import contradicting, rebuild_groups
from svidok.linkage.evaluate import score_clusters


def scored_pairs(records: pd.DataFrame, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link ``records``; return every scored pair with each comparison's weight, and the
    records' features. The hooks are this script's: the linker itself keeps neither."""
    kept: dict[str, pd.DataFrame] = {}
    rounded, split, as_pandas = link_module.rounded, link_module.split_components, DuckDBDataFrame.as_pandas_dataframe

    def keep_levels(model: dict) -> dict:
        model = rounded(model)
        model["retain_intermediate_calculation_columns"] = True
        return model

    def keep_features(linker, db_api, clustered, decided, config, usable):
        kept["features"] = usable.copy()
        return split(linker, db_api, clustered, decided, config, usable)

    def keep_pairs(frame, *args, **kwargs):
        columns = [c.unquote().name for c in frame.columns]
        if "pairs" not in kept and any(c.startswith("mw_") for c in columns):
            wanted = ["unique_id_l", "unique_id_r", "match_probability"] + [c for c in columns if c.startswith("mw_")]
            frame.db_api._con.execute(f"COPY (SELECT {', '.join(wanted)} FROM {frame.physical_name}) "
                                      f"TO '{out}' (FORMAT PARQUET)")
            kept["pairs"] = out
            # The linker goes on with the pairs it would have kept; tens of millions of
            # rows with every intermediate column would not fit in memory.
            return frame.db_api._con.execute(
                "SELECT unique_id_l, unique_id_r, match_probability, match_weight "
                f"FROM {frame.physical_name} WHERE match_probability >= 0.5").df()
        return as_pandas(frame, *args, **kwargs)

    link_module.rounded, link_module.split_components = keep_levels, keep_features
    DuckDBDataFrame.as_pandas_dataframe = keep_pairs
    try:
        link_module.link_records(records, config=LinkageConfig(review_threshold=1e-9))
    finally:
        link_module.rounded, link_module.split_components = rounded, split
        DuckDBDataFrame.as_pandas_dataframe = as_pandas
    return pd.read_parquet(out), kept["features"]


def labelled_probabilities(pairs: pd.DataFrame, seed: int = 0) -> np.ndarray:
    """Each pair's probability from the true share of one person among the other half's
    pairs of its cell (its levels), shrunk toward the model's with two pseudo-pairs."""
    weights = [c for c in pairs.columns if c.startswith("mw_")]
    keys = pd.DataFrame({c: (pairs[c] * (2 if "tf_adj" in c else 1000)).round().astype("int64") for c in weights})
    cell = keys.groupby(weights, sort=False).ngroup().to_numpy()
    fold = np.random.default_rng(seed).integers(0, 2, len(pairs))
    truth = pairs["true"].to_numpy()
    model = pairs["match_probability"].to_numpy()
    out = np.empty(len(pairs))
    for f in (0, 1):
        other = fold != f
        n = np.bincount(cell[other], minlength=cell.max() + 1)
        k = np.bincount(cell[other], weights=truth[other], minlength=cell.max() + 1)
        mine = fold == f
        out[mine] = (k[cell[mine]] + 2 * model[mine]) / (n[cell[mine]] + 2)
    return out


def clustered(pairs: pd.DataFrame, p: np.ndarray, ids: pd.Index, features: pd.DataFrame) -> np.ndarray:
    """Cluster ids: components of the pairs at 0.5, those of three records or more rebuilt."""
    li, ri = ids.get_indexer(pairs["unique_id_l"]), ids.get_indexer(pairs["unique_id_r"])
    link = p >= 0.5
    graph = coo_matrix((np.ones(int(link.sum())), (li[link], ri[link])), shape=(len(ids), len(ids)))
    _, comp = connected_components(graph, directed=False)
    size = np.bincount(comp)[comp]
    inside = (comp[li] == comp[ri]) & (size[li] >= 3)
    lo, hi = pairs["unique_id_l"].to_numpy()[inside], pairs["unique_id_r"].to_numpy()[inside]
    q = np.clip(p[inside], 1e-12, 1 - 1e-12)
    weight = np.log2(q / (1 - q)).round(6)
    new_id: dict[str, str] = {}
    rebuild_groups(np.arange(len(lo)), comp[li[inside]], lo, hi, weight, 0.0, new_id, contradicting(features, lo, hi))
    out = comp.astype(str).astype(object)
    at = ids.get_indexer(list(new_id))
    out[at] = list(new_id.values())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--file", help="a labelled CSV instead of generating one")
    args = ap.parse_args()
    labelled = read_labelled(args.file) if args.file else pd.DataFrame(generate(args.records, args.seed))
    records = labelled.drop(columns=list(TRUTH_COLUMNS))
    with tempfile.TemporaryDirectory() as tmp:
        pairs, features = scored_pairs(records, Path(tmp) / "pairs.parquet")
    person = pd.Series(labelled["person_id"].to_numpy(), index=labelled["record_id"].to_numpy())
    pairs["true"] = person.reindex(pairs["unique_id_l"]).to_numpy() == person.reindex(pairs["unique_id_r"]).to_numpy()
    sizes = person.value_counts()
    print(f"records: {len(labelled):,}  scored pairs: {len(pairs):,}  true pairs among them: "
          f"{int(pairs['true'].sum()):,} of {int((sizes * (sizes - 1) // 2).sum()):,}")
    ids = pd.Index(labelled["record_id"])
    truth = labelled["person_id"]
    for name, p in (("the model's weights", pairs["match_probability"].to_numpy()),
                    ("labelled ceiling", labelled_probabilities(pairs))):
        s = score_clusters(pd.Series(clustered(pairs, p, ids, features)), truth)
        print(f"  {name:20} pairwise precision {s.pair_precision:.4f}  recall {s.pair_recall:.4f}  "
              f"F1 {s.pair_f1:.4f}")


if __name__ == "__main__":
    main()
