"""Log-linear multiple systems estimation over all hierarchical models (3 to 6 lists).

Each model is a Poisson log-linear model for the observed cells of the 2^J table (main
effects always, plus a downward-closed set of interactions, never the J-way term). The
number of people on no list is ``exp(intercept)``; the point estimate is the Poisson
maximum-likelihood estimate ``n + exp(b0)`` and the 95% interval is the multinomial
profile-likelihood interval of Cormack (1992), computed as in Rcapture's ``closedpCI.t``
(Baillargeon & Rivest 2007). Models are ranked by AIC or BIC.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from itertools import combinations
from statistics import NormalDist

import numpy as np

from .counts_table import CountsError, CountsTable
from .loglinear_fit import fit_batch, irls

#: Models whose missing-cell estimate exceeds this multiple of the observed count are flagged:
#: the data then hardly constrain the estimate (typically a boundary or near-boundary MLE).
UNSTABLE_FACTOR = 100.0
_MAX_ITER = 100
NO_ESTIMATE = (
    "no finite estimate for this table: some combinations of lists have no one (or almost no one) in common, "
    "so the model can make the undocumented count as large as it likes"
)


def hierarchical_models(n_lists: int, max_order: int | None = None) -> list[tuple[tuple[int, ...], ...]]:
    """All hierarchical models over ``n_lists`` lists: downward-closed sets of interaction terms
    of order 2..``max_order`` (default ``n_lists - 1``; the J-way term is never estimable)."""
    top = n_lists - 1 if max_order is None else min(max_order, n_lists - 1)
    terms = [t for k in range(2, top + 1) for t in combinations(range(n_lists), k)]
    index = {t: i for i, t in enumerate(terms)}
    parents = [[index[s] for s in combinations(t, len(t) - 1) if len(s) >= 2] for t in terms]
    models: list[tuple[tuple[int, ...], ...]] = []
    chosen: list[bool] = [False] * len(terms)

    def walk(i: int) -> None:
        if i == len(terms):
            models.append(tuple(terms[k] for k in range(len(terms)) if chosen[k]))
            return
        walk(i + 1)
        if all(chosen[p] for p in parents[i]):
            chosen[i] = True
            walk(i + 1)
            chosen[i] = False

    walk(0)
    return models


def default_max_order(n_lists: int) -> int:
    """All models up to 5 lists; for 6 lists the full space has ~7.8 million models, so the
    default search covers all models with two-way interactions (32,768)."""
    return n_lists - 1 if n_lists <= 5 else 2


def _design(n_lists: int, terms: list[tuple[int, ...]]) -> np.ndarray:
    """Columns: intercept, main effects, then the given interaction terms, over masks 1..2^J-1."""
    masks = np.arange(1, 2**n_lists)
    cols = [np.ones(masks.size)]
    cols += [((masks >> j) & 1).astype(float) for j in range(n_lists)]
    for t in terms:
        bit = sum(1 << j for j in t)
        cols.append(((masks & bit) == bit).astype(float))
    return np.column_stack(cols)


def model_label(model: tuple[tuple[int, ...], ...], lists: tuple[str, ...]) -> str:
    """Generating class in bracket notation, e.g. ``[A,B][B,C]``; ``independence`` if none."""
    maximal = [t for t in model if not any(set(t) < set(u) for u in model)]
    if not maximal:
        return "independence"
    return "".join("[" + ",".join(lists[j] for j in t) + "]" for t in maximal)


@dataclass
class ModelFit:
    label: str
    terms: list[list[str]]
    estimate: float
    stderr: float
    deviance: float
    df: int
    aic: float
    bic: float
    converged: bool
    warnings: list[str] = field(default_factory=list)
    #: Filled in by ``estimate_model`` only (the ranking does not compute intervals).
    profile_mode: float | None = None
    lower: float | None = None
    upper: float | None = None


@dataclass
class LoglinearResult:
    """Best model's estimate with its profile-likelihood interval, and the ranked models."""

    method: str
    lists: list[str]
    observed: int
    criterion: str
    model: str
    estimate: float
    stderr: float
    lower: float
    upper: float
    profile_mode: float
    n_models: int
    ranking: list[ModelFit]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, top: int = 10) -> dict:
        d = asdict(self)
        d["ranking"] = d["ranking"][:top]
        return d


def fit_models(table: CountsTable, models: list[tuple[tuple[int, ...], ...]]) -> list[ModelFit]:
    """Fit each model to the observed cells (Poisson MLE); unranked, in the given order."""
    j = table.n_lists
    all_terms = [t for k in range(2, j) for t in combinations(range(j), k)]
    col = {t: 1 + j + i for i, t in enumerate(all_terms)}
    x_all = _design(j, all_terms)
    mask = np.zeros((len(models), x_all.shape[1]), dtype=np.uint8)
    mask[:, : 1 + j] = 1
    for k, mdl in enumerate(models):
        for t in mdl:
            mask[k, col[t]] = 1
    y = table.cells.astype(float)
    n = table.observed
    raw = fit_batch(x_all, y, mask, n)
    fits = []
    for k, mdl in enumerate(models):
        n0, se, dev, df, ll, conv, bmax = raw[k]
        p = int(mask[k].sum())
        warn = []
        if not conv:
            warn.append("the fit did not converge: the estimate is not reliable")
        if bmax > 25 or n0 > UNSTABLE_FACTOR * n:
            warn.append(NO_ESTIMATE)
        fits.append(
            ModelFit(
                label=model_label(mdl, table.lists),
                terms=[[table.lists[i] for i in t] for t in mdl],
                estimate=n + n0,
                stderr=se,
                deviance=max(dev, 0.0),
                df=int(df),
                aic=-2 * ll + 2 * p,
                bic=-2 * ll + p * math.log(n),
                converged=bool(conv),
                warnings=warn,
            )
        )
    return fits


def _profile_loglik_fn(table: CountsTable, model: tuple[tuple[int, ...], ...]):
    """Multinomial profile log-likelihood of n0 (people on no list), up to a constant."""
    x_obs = _design(table.n_lists, list(model))
    x_full = np.vstack([x_obs, np.eye(1, x_obs.shape[1])])  # the all-zero cell: intercept only
    y_obs = table.cells.astype(float)

    def ll(n0: float) -> float:
        y = np.append(y_obs, n0)
        _, _, dev, _, _ = irls(x_full, y, _MAX_ITER)
        big_n = y.sum()
        ct = math.lgamma(big_n + 1) - math.lgamma(n0 + 1) - big_n * math.log(big_n)
        if n0 > 0:
            ct += n0 * math.log(n0)
        return -dev / 2 + ct

    return ll


def _maximize(f, lo: float, hi: float, tol: float = 1e-6) -> tuple[float, float]:
    """Golden-section search for the maximum of a unimodal ``f`` on [lo, hi]: (argmax, max)."""
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(300):  # absolute tolerance, or the last digits a double holds at this size
        if b - a <= tol + 1e-14 * abs(b):
            break
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (c, fc) if fc >= fd else (d, fd)


def _root(f, a: float, b: float, tol: float = 1e-6) -> float:
    """A root of ``f`` in [a, b] where f(a) and f(b) differ in sign, by bisection."""
    fa = f(a)
    for _ in range(300):
        if b - a <= tol + 1e-14 * abs(b):
            break
        mid = (a + b) / 2
        fm = f(mid)
        if (fm >= 0) == (fa >= 0):
            a, fa = mid, fm
        else:
            b = mid
    return (a + b) / 2


def profile_interval(
    table: CountsTable, model: tuple[tuple[int, ...], ...], n0_hat: float, level: float = 0.95
) -> tuple[float, float, float]:
    """(mode, lower, upper) of N from the profile likelihood; ``upper`` may be ``inf``."""
    ll = _profile_loglik_fn(table, model)
    n = table.observed
    hi = max(4 * n0_hat, n0_hat + 50.0, 50.0)
    mode, lmax = _maximize(ll, 0.0, hi)
    if ll(0.0) > lmax:
        mode, lmax = 0.0, ll(0.0)
    cut = lmax - NormalDist().inv_cdf((1 + level) / 2) ** 2 / 2  # half the chi-square(1) quantile

    def f(v: float) -> float:
        return ll(v) - cut

    lower = 0.0 if f(0.0) >= 0 else _root(f, 0.0, mode)
    upper = math.inf
    step = max(mode, 10.0)
    a = mode
    limit = 1e6 * (n + mode) + 1e10  # beyond a million times the total the interval is called unbounded
    for _ in range(200):
        b = a + step
        if b > limit:
            break
        if f(b) < 0:
            upper = _root(f, a, b)
            break
        a, step = b, step * 2
    return n + mode, n + lower, n + upper


def estimate_loglinear(
    table: CountsTable,
    criterion: str = "aic",
    max_order: int | None = None,
    level: float = 0.95,
) -> LoglinearResult:
    """Fit all hierarchical models, choose by ``criterion`` ('aic' or 'bic'), return the chosen
    model's estimate and profile-likelihood interval with the ranking of all models."""
    if criterion not in ("aic", "bic"):
        raise ValueError(f"criterion must be 'aic' or 'bic', not {criterion!r}")
    if not 2 <= table.n_lists <= 6:
        raise CountsError(f"log-linear estimation supports 2 to 6 lists, got {table.n_lists}")
    warnings: list[str] = []
    isolated = table.isolated_lists()
    if isolated:
        raise CountsError(
            f"no estimate: list(s) {', '.join(isolated)} share no one with any other list, so nothing in the data "
            "says how many people they missed. Leave them out or find their overlaps (record linkage)"
        )
    if table.n_lists == 2:
        warnings.append(
            "only two lists: the only model is independence of the lists, which cannot be checked"
        )
    mo = default_max_order(table.n_lists) if max_order is None else max_order
    models = hierarchical_models(table.n_lists, mo)
    fits = fit_models(table, models)
    order = sorted(range(len(fits)), key=lambda k: (getattr(fits[k], criterion), fits[k].df * -1))
    ranking = [fits[k] for k in order]
    usable = [k for k in order if NO_ESTIMATE not in fits[k].warnings]
    if not usable:
        raise CountsError(
            "no model gives an estimate for this table: the lists overlap too little (too many combinations of "
            "lists with no one in common), so the number undocumented is not bounded by the data. Collect more "
            "overlapping records, merge lists, or estimate for a larger group"
        )
    best_k = usable[0]
    best = fits[best_k]
    if best_k != order[0]:
        skipped = order.index(best_k)
        warnings.append(
            f"{skipped} better-scoring model(s) left out: they have no finite estimate for this table (some "
            "combinations of lists have no one in common); the sparse table makes the choice fragile"
        )
    if best.df == 0:
        warnings.append("the chosen model is saturated (no degrees of freedom left to check its fit)")
    warnings += best.warnings
    mode, lower, upper = profile_interval(table, models[best_k], best.estimate - table.observed, level)
    if math.isinf(upper):
        warnings.append("the upper limit of the interval is unbounded: the data cannot bound the total")
    return LoglinearResult(
        method="loglinear",
        lists=list(table.lists),
        observed=table.observed,
        criterion=criterion,
        model=best.label,
        estimate=best.estimate,
        stderr=best.stderr,
        lower=lower,
        upper=upper,
        profile_mode=mode,
        n_models=len(models),
        ranking=ranking,
        warnings=warnings,
    )


def _named_model(table: CountsTable, model_terms: list[tuple[str, ...]]) -> tuple[tuple[int, ...], ...]:
    """Interaction terms given by list names, with every lower-order term they imply."""
    idx = {n: i for i, n in enumerate(table.lists)}
    terms: set[tuple[int, ...]] = set()
    for t in model_terms:
        unknown = [n for n in t if n not in idx]
        if unknown:
            raise CountsError(f"unknown list(s) in the model: {', '.join(unknown)}")
        ids = tuple(sorted(idx[n] for n in t))
        if len(ids) == table.n_lists:
            raise CountsError("the interaction of all lists cannot be estimated")
        for k in range(2, len(ids) + 1):
            terms.update(combinations(ids, k))
    return tuple(sorted(terms, key=lambda t: (len(t), t)))


def model_coefficients(
    table: CountsTable, model_terms: list[tuple[str, ...]]
) -> dict[str, tuple[float, float]]:
    """Poisson maximum-likelihood estimate and standard error of every parameter of one named
    model, keyed ``intercept``, the list names (main effects) and ``A:B`` / ``A:B:C``
    (interactions). ``exp(intercept)`` is the estimated number of people on no list; a
    two-list interaction is the log odds ratio between the two lists with the other lists held
    fixed, when no higher interaction contains the pair (positive: the lists tend to document
    the same people)."""
    model = _named_model(table, model_terms)
    beta, cov, _, _, _ = irls(_design(table.n_lists, list(model)), table.cells.astype(float), _MAX_ITER)
    names = ["intercept", *table.lists, *(":".join(table.lists[j] for j in t) for t in model)]
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    return {n: (float(b), float(s)) for n, b, s in zip(names, beta, se, strict=True)}


def estimate_model(table: CountsTable, model_terms: list[tuple[str, ...]], level: float = 0.95) -> ModelFit:
    """Fit one named model (interaction terms by list names; lower-order terms are added) and
    return it with its profile-likelihood interval (``lower``, ``upper``) and ``warnings``."""
    model = _named_model(table, model_terms)
    fit = fit_models(table, [model])[0]
    mode, lower, upper = profile_interval(table, model, fit.estimate - table.observed, level)
    fit.profile_mode, fit.lower, fit.upper = mode, lower, upper
    return fit
