"""Bootstrap interval for the log-linear estimate, with the model chosen anew in every replicate.

The profile-likelihood interval of the chosen model ignores that the model was chosen from the
data; model choice is the main source of uncertainty in MSE. Here, as in the parametric
bootstrap of Chan, Silverman & Vincent (2021, JASA 116:1297), tables are drawn from the chosen
model: the estimated total N̂ (rounded) is spread multinomially over all 2^J cells with the
model's fitted probabilities, the cell of people on no list included, and that cell is then
hidden (Buckland & Garthwaite 1991, Biometrics 47:255) — so the documented count varies as it
would given N̂; every hierarchical model is refitted to each table, the best by the same
criterion among those with a finite estimate is chosen, and its
estimate of N kept. The interval is the equal-tailed percentile interval of those estimates; how
often each model was chosen is reported, since a choice that moves between models with
different estimates is what widens the interval.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from .counts_table import CountsError, CountsTable
from .estimate_loglinear import (
    UNSTABLE_FACTOR,
    _design,
    default_max_order,
    hierarchical_models,
    model_label,
)
from .loglinear_fit import irls
from .loglinear_jit import _fit_batch

MAX_FITS = 5_000_000  # models x replicates: a 4-list bootstrap of 999 is 113,000 fits (seconds)


def _matrices(n_lists: int, models: list) -> tuple[np.ndarray, np.ndarray]:
    all_terms = [t for k in range(2, n_lists) for t in combinations(range(n_lists), k)]
    col = {t: 1 + n_lists + i for i, t in enumerate(all_terms)}
    x_all = _design(n_lists, all_terms)
    mask = np.zeros((len(models), x_all.shape[1]), dtype=np.uint8)
    mask[:, : 1 + n_lists] = 1
    for k, mdl in enumerate(models):
        for t in mdl:
            mask[k, col[t]] = 1
    return x_all, mask


def _choose(raw: np.ndarray, params: np.ndarray, n: int, criterion: str) -> int:
    """Index of the best model with a finite estimate (as ``estimate_loglinear`` chooses), or -1."""
    ok = (raw[:, 5] > 0) & (raw[:, 6] <= 25) & (raw[:, 0] <= UNSTABLE_FACTOR * n)
    if not ok.any():
        return -1
    penalty = 2.0 if criterion == "aic" else math.log(n)
    crit = -2 * raw[:, 4] + penalty * params
    crit = np.where(ok, crit, np.inf)
    order = np.lexsort((-raw[:, 3], crit))  # ties: more degrees of freedom first
    return int(order[0])


def bootstrap_interval(
    table: CountsTable,
    criterion: str = "aic",
    max_order: int | None = None,
    reps: int = 999,
    level: float = 0.95,
    seed: int = 1,
) -> dict:
    """Percentile interval of N over ``reps`` parametric bootstrap tables, model chosen in each."""
    if criterion not in ("aic", "bic"):
        raise ValueError(f"criterion must be 'aic' or 'bic', not {criterion!r}")
    if not 3 <= table.n_lists <= 6:
        raise CountsError(f"the bootstrap of the model choice needs 3 to 6 lists, got {table.n_lists}")
    mo = default_max_order(table.n_lists) if max_order is None else max_order
    models = hierarchical_models(table.n_lists, mo)
    if not 1 <= reps or reps * len(models) > MAX_FITS:
        raise CountsError(f"{reps:,} replicates of {len(models):,} models is more than {MAX_FITS:,} fits; use fewer")
    x_all, mask = _matrices(table.n_lists, models)
    params = mask.sum(axis=1).astype(float)
    y = table.cells.astype(float)
    n = table.observed
    raw = _fit_batch(x_all, y, mask, n)
    best = _choose(raw, params, n, criterion)
    if best < 0:
        raise CountsError("no model gives a finite estimate for this table, so there is nothing to bootstrap")
    cols = np.nonzero(mask[best])[0]
    beta, _, _, _, _ = irls(x_all[:, cols], y, 100)
    mu = np.exp(x_all[:, cols] @ beta)
    n0 = math.exp(beta[0])  # the fitted cell of people on no list
    total = int(round(n + n0))
    probs = np.append(mu, n0) / (mu.sum() + n0)
    rng = np.random.default_rng(seed)
    estimates = np.full(reps, np.nan)
    chosen = np.zeros(len(models), dtype=np.int64)
    for r in range(reps):
        full = rng.multinomial(total, probs)
        yb = full[:-1]
        nb = int(yb.sum())
        if nb == 0:
            continue
        rb = _fit_batch(x_all, yb.astype(float), mask, nb)
        k = _choose(rb, params, nb, criterion)
        if k >= 0:
            estimates[r] = nb + rb[k, 0]
            chosen[k] += 1
    good = estimates[np.isfinite(estimates)]
    failed = reps - good.size
    tail = (1 - level) / 2
    lower, median, upper = (np.quantile(good, [tail, 0.5, 1 - tail]) if good.size else (math.nan,) * 3)
    top = np.argsort(-chosen)[:5]
    warnings = []
    if failed > 0.05 * reps:
        warnings.append(f"{failed} of {reps} bootstrap tables had no model with a finite estimate: "
                        "the interval leaves them out and is too narrow")
    if chosen[best] < 0.5 * good.size:
        warnings.append("the model chosen for the data is chosen in fewer than half of the bootstrap tables: "
                        "the choice is unstable and the interval reflects it")
    return {
        "method": "parametric bootstrap, model chosen in each replicate",
        "criterion": criterion,
        "reps": reps,
        "failed": failed,
        "level": level,
        "seed": seed,
        "lower": float(lower),
        "median": float(median),
        "upper": float(upper),
        "chosen_model": model_label(models[best], table.lists),
        "selected": [{"model": model_label(models[k], table.lists), "share": chosen[k] / max(good.size, 1)}
                     for k in top if chosen[k] > 0],
        "warnings": warnings,
    }
