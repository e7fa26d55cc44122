"""Convergence diagnostics for MCMC draws: rank-normalised split R-hat and effective sample size.

Follows Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding,
and localization: an improved R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2),
as implemented in Stan and ArviZ. ``draws`` is always an array of shape (chains, draws).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

_NDTRI = np.frompyfunc(NormalDist().inv_cdf, 1, 1)  # no SciPy import: this module is on the CLI's path


def _rankdata(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the flattened ``x``, ties given their average rank."""
    flat = x.ravel()
    order = np.argsort(flat, kind="mergesort")
    sorted_x = flat[order]
    starts = np.concatenate(([True], sorted_x[1:] != sorted_x[:-1]))
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, flat.size))
    avg = first + (counts + 1) / 2.0
    ranks = np.empty(flat.size)
    ranks[order] = avg[group]
    return ranks


def _split(draws: np.ndarray) -> np.ndarray:
    """Split every chain in two halves (the middle draw is dropped for odd lengths)."""
    n = draws.shape[1]
    half = n // 2
    return np.vstack([draws[:, :half], draws[:, n - half :]])


def _z_scale(draws: np.ndarray) -> np.ndarray:
    ranks = _rankdata(draws).reshape(draws.shape)
    return _NDTRI((ranks - 3 / 8) / (draws.size + 1 / 4)).astype(float)


def _rhat(draws: np.ndarray) -> float:
    n = draws.shape[1]
    means = draws.mean(axis=1)
    within = draws.var(axis=1, ddof=1).mean()
    if within == 0:
        return float("nan")
    between = n * means.var(ddof=1)
    var_plus = (n - 1) / n * within + between / n
    return float(np.sqrt(var_plus / within))


def split_rhat(draws: np.ndarray) -> float:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) value.

    Values above 1.01 say the chains have not mixed."""
    d = _split(np.atleast_2d(np.asarray(draws, dtype=float)))
    if d.shape[1] < 2 or np.ptp(d) == 0:
        return float("nan")
    bulk = _rhat(_z_scale(d))
    folded = _rhat(_z_scale(np.abs(d - np.median(d))))
    return float(np.nanmax([bulk, folded]))


def _autocov(x: np.ndarray) -> np.ndarray:
    """Biased autocovariance of each row by FFT."""
    n = x.shape[1]
    c = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(c, n=size, axis=1)
    return np.fft.irfft(f * np.conj(f), n=size, axis=1)[:, :n] / n


def _ess(draws: np.ndarray) -> float:
    m, n = draws.shape
    if n < 4 or np.ptp(draws) == 0:
        return float("nan")
    acov = _autocov(draws)
    chain_var = acov[:, 0] * n / (n - 1)
    mean_var = chain_var.mean()
    var_plus = mean_var * (n - 1) / n + (draws.mean(axis=1).var(ddof=1) if m > 1 else 0.0)
    mean_acov = acov.mean(axis=0)
    rho = np.zeros(n)
    rho[0] = 1.0
    even, odd = 1.0, 1.0 - (mean_var - mean_acov[1]) / var_plus
    rho[1] = odd
    t = 1
    # Geyer's initial positive sequence
    while t < n - 3 and even + odd > 0:
        even = 1.0 - (mean_var - mean_acov[t + 1]) / var_plus
        odd = 1.0 - (mean_var - mean_acov[t + 2]) / var_plus
        if even + odd >= 0:
            rho[t + 1], rho[t + 2] = even, odd
        t += 2
    max_t = t - 2
    if odd > 0:
        rho[max_t + 1] = odd
    # Geyer's initial monotone sequence
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2
        t += 2
    total = m * n
    tau = -1.0 + 2.0 * rho[: max_t + 1].sum() + rho[max_t + 1 : max_t + 2].sum()
    tau = max(tau, 1 / np.log10(total))
    return float(total / tau)


def ess_bulk(draws: np.ndarray) -> float:
    """Bulk effective sample size (rank-normalised, split chains)."""
    d = _split(np.atleast_2d(np.asarray(draws, dtype=float)))
    if np.ptp(d) == 0:
        return float("nan")
    return _ess(_z_scale(d))


def ess_tail(draws: np.ndarray, prob: float = 0.05) -> float:
    """Tail effective sample size: the smaller ESS of the indicators of the 5% and 95% quantiles."""
    d = _split(np.atleast_2d(np.asarray(draws, dtype=float)))
    lo, hi = np.quantile(d, [prob, 1 - prob])
    values = [_ess((d <= q).astype(float)) for q in (lo, hi)]
    return float(np.nanmin(values)) if not all(np.isnan(values)) else float("nan")


def summarize(draws: np.ndarray) -> dict[str, float]:
    """R-hat and effective sample sizes of one quantity."""
    return {"rhat": split_rhat(draws), "ess_bulk": ess_bulk(draws), "ess_tail": ess_tail(draws)}
