"""Numba kernels of the log-linear fits, for the large model searches (5 and 6 lists).

Imported only when a search is large enough to repay Numba's start-up (about a second); the
NumPy twins in ``loglinear_fit`` run the same algorithm for small searches.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _irls(x, y, max_iter):
    """Poisson regression with log link by iteratively reweighted least squares.

    Returns (beta, cov, deviance, loglik, converged)."""
    m, p = x.shape
    mu = y + 0.5
    eta = np.log(mu)
    beta = np.zeros(p)
    a = np.zeros((p, p))
    dev_old = np.inf
    dev = np.inf
    converged = False
    ysum = 0.0
    for i in range(m):
        ysum += y[i]
    for _ in range(max_iter):
        b = np.zeros(p)
        a[:, :] = 0.0
        for i in range(m):
            w = mu[i]
            zi = eta[i] + (y[i] - mu[i]) / mu[i]
            for r in range(p):
                xr = x[i, r]
                if xr == 0.0:
                    continue
                xr *= w
                b[r] += xr * zi
                for c in range(r, p):
                    a[r, c] += xr * x[i, c]
        ridge = 0.0
        for r in range(p):
            ridge = max(ridge, a[r, r])
            for c in range(r):
                a[r, c] = a[c, r]
        for r in range(p):  # a negligible ridge keeps boundary fits (cells -> 0) solvable
            a[r, r] += 1e-12 * ridge
        beta = np.linalg.solve(a, b)
        eta = x @ beta
        for i in range(m):
            if eta[i] > 700.0:  # keep exp finite on wild steps
                eta[i] = 700.0
            elif eta[i] < -40.0:  # a fitted cell that tends to zero: the MLE is on the boundary
                eta[i] = -40.0
        mu = np.exp(eta)
        dev = 0.0
        for i in range(m):
            if y[i] > 0:
                dev += 2.0 * (y[i] * math.log(y[i] / mu[i]) - (y[i] - mu[i]))
            else:
                dev += 2.0 * mu[i]
        # relative change, plus the rounding noise of a deviance built from counts of this size
        # (without it, counts near 10^9 never "converge")
        if abs(dev - dev_old) <= 1e-10 * (abs(dev) + 1e-3) + 1e-13 * ysum:
            converged = True
            break
        dev_old = dev
    # information at the final fit
    a[:, :] = 0.0
    for i in range(m):
        for r in range(p):
            xr = x[i, r] * mu[i]
            if xr == 0.0:
                continue
            for c in range(p):
                a[r, c] += xr * x[i, c]
    ridge = 0.0
    for r in range(p):
        ridge = max(ridge, a[r, r])
    for r in range(p):
        a[r, r] += 1e-12 * ridge
    cov = np.linalg.inv(a)
    ll = 0.0
    for i in range(m):
        ll += y[i] * math.log(mu[i]) - mu[i] - math.lgamma(y[i] + 1.0)
    return beta, cov, dev, ll, converged


@njit(cache=True)
def _fit_batch(x_all, y, models, n_obs):
    """Fit every model (row of ``models``: 1 where a column of ``x_all`` is in the model)."""
    n_models = models.shape[0]
    m = x_all.shape[0]
    out = np.empty((n_models, 7))  # n0, se_N, deviance, df, loglik, converged, max|beta|
    for k in range(n_models):
        cols = np.nonzero(models[k])[0]
        p = cols.shape[0]
        x = np.empty((m, p))
        for c in range(p):
            x[:, c] = x_all[:, cols[c]]
        beta, cov, dev, ll, conv = _irls(x, y, 100)
        n0 = math.exp(beta[0])
        out[k, 0] = n0
        out[k, 1] = math.sqrt(max(n0 + n0 * n0 * cov[0, 0], 0.0))
        out[k, 2] = dev
        out[k, 3] = m - p
        out[k, 4] = ll
        out[k, 5] = 1.0 if conv else 0.0
        out[k, 6] = np.max(np.abs(beta))
    return out
