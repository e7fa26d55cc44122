"""Weights of the duplicate-incident finder: each field's findings in levels, each level a
weight in bits, set by hand or estimated from the candidate pairs themselves.

:func:`levels` puts every candidate pair's measurement of a field in a level ("the same
day", "1-5 km apart", ...). :data:`HAND` gives each level a weight from what documenters
know. :func:`fit` estimates the weights from the data without any labels, by
expectation-maximisation of a two-class mixture (Fellegi and Sunter; the way Splink
trains a person model): among the compared pairs some are one incident, and each level
is more or less common among those than among the rest. A level that says nothing
(not known for both) keeps weight 0. The fitted weights are kept with the run.
"""

from __future__ import annotations

import numpy as np

MAX_GAP_DAYS = 3

#: field -> weights of its levels (bits); index 0 is always "not known for both" (0).
HAND = {
    "date": [0.0, 3.0, 2.0, 1.0, 0.0, 0.5, -1.0, -4.0],
    "place": [0.0, 3.0, 1.5, 0.0, -4.0, 2.0, -1.0],
    "type": [0.0, 1.5, -0.5],
    "means": [0.0, 1.0, -1.0],
    "victims": [0.0, 5.0, 4.0, -1.5],
    "count": [0.0, 1.0, 0.0, -1.0],
    "sources": [0.0, 2.0],
    "words": [0.0, 3.0, 1.5, 0.5, 0.0],
}
PRIOR_BITS = -5.0


def levels(m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each field's level for arrays of measurements (one entry per pair)."""
    gap, km, span = m["gap"].astype(float), m["km"].astype(float), m["span"].astype(float)
    same_place = m["same_place"].astype(float)  # NaN: a place not known for both
    out = {}
    # An incident known to the month overlaps much and says little: levels by the span.
    out["date"] = np.select([m["same_day"].astype(bool), (gap == 0) & (span <= 1), (gap == 0) & (span <= 7),
                             gap == 0, gap <= 1, gap <= MAX_GAP_DAYS], [1, 2, 3, 4, 5, 6], 7)
    by_km = np.select([km <= 1, km <= 5, km <= 15], [1, 2, 3], 4)
    by_place = np.where(np.isnan(same_place), 0, np.where(same_place == 1, 5, 6))
    out["place"] = np.where(np.isnan(km), by_place, by_km)
    out["type"] = np.where(m["types_known"] == 0, 0, np.where(m["types_shared"] > 0, 1, 2))
    out["means"] = np.where(m["means_known"] == 0, 0, np.where(m["means_shared"] > 0, 1, 2))
    ps = m["persons_shared"]
    out["victims"] = np.where(ps > 1, 1, np.where(ps == 1, 2, np.where(m["persons_known"] > 0, 3, 0)))
    vl, vr = m["victims_l"].astype(float), m["victims_r"].astype(float)
    ratio = np.maximum(vl, vr) / np.maximum(np.minimum(vl, vr), 1)
    out["count"] = np.where((vl == 0) | (vr == 0), 0, np.select([vl == vr, ratio <= 2], [1, 2], 3))
    out["sources"] = np.where(m["sources_shared"] > 0, 1, 0)
    union = m["words_union"].astype(float)
    jac = np.where(union > 0, m["words_shared"] / np.maximum(union, 1), np.nan)
    out["words"] = np.where(np.isnan(jac), 0, np.select([jac >= 0.5, jac >= 0.3, jac >= 0.15], [1, 2, 3], 4))
    return {k: v.astype(np.int64) for k, v in out.items()}


def apply(lv: dict[str, np.ndarray], table: dict[str, list[float]]) -> dict[str, np.ndarray]:
    """Each field's weight in bits, per pair."""
    return {f: np.asarray(table[f], dtype=float)[lv[f]] for f in table}


def fit(lv: dict[str, np.ndarray], *, iterations: int = 30, start: dict | None = None,
        prior: float = PRIOR_BITS) -> tuple[dict[str, list[float]], float]:
    """Weights (bits) and the starting point estimated from unlabelled candidate pairs.

    Starts from the hand weights; a level seen fewer than 20 times keeps its hand weight,
    and every weight stays within ±8 bits (a level absent from one class is not proof).
    """
    table = {f: list(w) for f, w in (start or HAND).items()}
    n = len(next(iter(lv.values()))) if lv else 0
    if n < 200:  # too few pairs to learn from
        return table, prior
    for _ in range(iterations):
        total = prior + sum(apply(lv, table).values())
        p = 1 / (1 + np.exp2(-np.clip(total, -60, 60)))
        lam = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
        for f, w in table.items():
            k = len(w)
            seen = np.bincount(lv[f], minlength=k)
            m = np.bincount(lv[f], weights=p, minlength=k) + 0.5
            u = np.bincount(lv[f], weights=1 - p, minlength=k) + 0.5
            est = np.log2((m / m.sum()) / (u / u.sum()))
            table[f] = [0.0 if lv_ == 0 else float(np.clip(est[lv_], -8, 8)) if seen[lv_] >= 20 else HAND[f][lv_]
                        for lv_ in range(k)]
        prior = float(np.log2(lam / (1 - lam)))
    return {f: [round(x, 2) for x in w] for f, w in table.items()}, round(prior, 2)
