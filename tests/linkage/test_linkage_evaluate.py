"""Pairwise and cluster-level scores, checked against counts done by hand."""

from __future__ import annotations

import pandas as pd

from svidok.linkage.evaluate import score_clusters


def test_perfect_clustering_scores_one():
    truth = pd.Series(["p1", "p1", "p2", "p3", "p3", "p3"])
    s = score_clusters(truth.map({"p1": "a", "p2": "b", "p3": "c"}), truth)
    assert (s.pair_precision, s.pair_recall, s.pair_f1, s.bcubed_f1, s.exact_cluster_share) == (1, 1, 1, 1, 1)


def test_scores_match_hand_counts():
    # truth: {0,1,2} {3,4}; predicted: {0,1} {2,3,4}
    truth = pd.Series(["A", "A", "A", "B", "B"])
    pred = pd.Series(["x", "x", "y", "y", "y"])
    s = score_clusters(pred, truth)
    # predicted pairs: 01, 23, 24, 34 -> 4; true pairs: 01 02 12 34 -> 4; both: 01, 34 -> 2
    assert (s.pair_precision, s.pair_recall, s.pair_f1) == (0.5, 0.5, 0.5)
    # B-cubed precision: (2/2 + 2/2 + 1/3 + 2/3 + 2/3) / 5
    assert s.bcubed_precision == round((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5, 4)
    assert s.exact_cluster_share == 0.0 and s.predicted_clusters == 2 and s.true_persons == 2
