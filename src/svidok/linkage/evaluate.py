"""Linkage quality against known truth: pairwise and cluster-level scores.

Pairwise: a pair of records is predicted linked when both are in one cluster, and
truly linked when both describe one person; precision, recall and F1 count pairs.
Cluster-level: B-cubed precision/recall/F1 (per record, the overlap of its predicted
and true clusters) and the share of true persons whose records were recovered
exactly as one cluster with nothing else in it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class LinkageScores:
    records: int
    true_persons: int
    predicted_clusters: int
    pair_precision: float
    pair_recall: float
    pair_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    exact_cluster_share: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_clusters(predicted: pd.Series, truth: pd.Series) -> LinkageScores:
    """Scores for cluster labels ``predicted`` and true person labels ``truth``,
    both indexed by record (same index)."""
    df = pd.DataFrame({"pred": predicted.astype(str), "true": truth.astype(str)})
    joint = df.groupby(["pred", "true"]).size()
    pred_sizes = df.groupby("pred").size()
    true_sizes = df.groupby("true").size()
    tp, pp, tt = _pairs(joint), _pairs(pred_sizes), _pairs(true_sizes)
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    # B-cubed: each record weighs |pred ∩ true| / |pred| (precision) and / |true| (recall).
    j = joint.rename("n").reset_index()
    j["ps"] = j["pred"].map(pred_sizes)
    j["ts"] = j["true"].map(true_sizes)
    n = len(df)
    b_p = float((j["n"] * j["n"] / j["ps"]).sum() / n) if n else 1.0
    b_r = float((j["n"] * j["n"] / j["ts"]).sum() / n) if n else 1.0
    exact = j[(j["n"] == j["ps"]) & (j["n"] == j["ts"])]
    return LinkageScores(
        records=n,
        true_persons=len(true_sizes),
        predicted_clusters=len(pred_sizes),
        pair_precision=round(precision, 4),
        pair_recall=round(recall, 4),
        pair_f1=round(_f1(precision, recall), 4),
        bcubed_precision=round(b_p, 4),
        bcubed_recall=round(b_r, 4),
        bcubed_f1=round(_f1(b_p, b_r), 4),
        exact_cluster_share=round(len(exact) / len(true_sizes), 4) if len(true_sizes) else 1.0,
    )
