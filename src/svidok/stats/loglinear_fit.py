"""Poisson log-linear fits by iteratively reweighted least squares (IRLS).

Small searches (up to 4 lists: 113 models) and single fits run here in NumPy, so that
``svidok estimate`` answers without loading Numba; larger searches use the compiled twin in
``loglinear_jit`` (the same algorithm, step for step: starting values, ridge, clamps and
convergence rule).
"""

from __future__ import annotations

import math

import numpy as np

#: Above this many models a search is handed to the compiled kernel.
NUMPY_MAX_MODELS = 200
_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def irls(x: np.ndarray, y: np.ndarray, max_iter: int):
    """Poisson regression with log link: (beta, cov, deviance, loglik, converged)."""
    p = x.shape[1]
    mu = y + 0.5
    eta = np.log(mu)
    beta = np.zeros(p)
    dev_old = math.inf
    dev = math.inf
    converged = False
    ysum = float(y.sum())
    pos = y > 0
    diag = np.arange(p)
    for _ in range(max_iter):
        z = eta + (y - mu) / mu
        xw = x * mu[:, None]
        a = xw.T @ x
        b = xw.T @ z
        a[diag, diag] += 1e-12 * a[diag, diag].max()  # keeps boundary fits (cells -> 0) solvable
        beta = np.linalg.solve(a, b)
        eta = np.clip(x @ beta, -40.0, 700.0)  # -40: a fitted cell tending to zero (boundary MLE)
        mu = np.exp(eta)
        dev = 2.0 * float(np.sum(np.where(pos, y * np.log(np.where(pos, y, 1.0) / mu) - (y - mu), mu)))
        # relative change, plus the rounding noise of a deviance built from counts of this size
        if abs(dev - dev_old) <= 1e-10 * (abs(dev) + 1e-3) + 1e-13 * ysum:
            converged = True
            break
        dev_old = dev
    a = (x * mu[:, None]).T @ x
    a[diag, diag] += 1e-12 * a[diag, diag].max()
    cov = np.linalg.inv(a)
    ll = float(np.sum(y * np.log(mu) - mu) - np.sum(_lgamma(y + 1.0).astype(float)))
    return beta, cov, dev, ll, converged


def fit_batch(x_all: np.ndarray, y: np.ndarray, models: np.ndarray, n_obs: int) -> np.ndarray:
    """Fit every model (row of ``models``: 1 where a column of ``x_all`` is in it); rows of
    n0, s.e. of N, deviance, df, log-likelihood, converged, max |beta|."""
    if models.shape[0] > NUMPY_MAX_MODELS:
        from .loglinear_jit import _fit_batch

        return _fit_batch(x_all, y, models, n_obs)
    m = x_all.shape[0]
    out = np.empty((models.shape[0], 7))
    for k in range(models.shape[0]):
        cols = np.nonzero(models[k])[0]
        beta, cov, dev, ll, conv = irls(x_all[:, cols], y, 100)
        n0 = math.exp(beta[0])
        out[k] = (n0, math.sqrt(max(n0 + n0 * n0 * cov[0, 0], 0.0)), dev, m - cols.size, ll, float(conv),
                  np.max(np.abs(beta)))
    return out
