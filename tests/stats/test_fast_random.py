"""The sampler's own variate generators follow their distributions (Kolmogorov-Smirnov, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from svidok.stats import fast_random as fr


@njit(cache=True)
def _draw(kind, a, b, n, seed):
    np.random.seed(seed)
    out = np.empty(n)
    for i in range(n):
        if kind == 0:
            out[i] = fr.normal()
        elif kind == 1:
            out[i] = fr.gamma(a)
        elif kind == 2:
            out[i] = fr.beta(a, b)
        elif kind == 3:
            out[i] = fr.uniform()
        else:
            out[i] = np.exp(fr.log_gamma(a))
    return out


N = 100_000


def test_normal_including_the_tails() -> None:
    x = _draw(0, 0.0, 0.0, 1_000_000, 1)
    assert stats.kstest(x, "norm").pvalue > 0.001
    tail = (np.abs(x) > 3.5).sum()  # expected 2e6 * P(Z > 3.5) = 465.3; Poisson sd ~ 21.6
    assert abs(tail - 2e6 * stats.norm.sf(3.5)) < 4 * 21.6


@pytest.mark.parametrize("shape", [0.05, 0.3, 1.0, 2.5, 300.0])
def test_gamma(shape: float) -> None:
    assert stats.kstest(_draw(1, shape, 0.0, N, 2), stats.gamma(shape).cdf).pvalue > 0.001
    assert stats.kstest(_draw(4, shape, 0.0, N, 3), stats.gamma(shape).cdf).pvalue > 0.001


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (2.0, 3.0), (300.0, 2000.0), (0.5, 0.5)])
def test_beta(a: float, b: float) -> None:
    assert stats.kstest(_draw(2, a, b, N, 4), stats.beta(a, b).cdf).pvalue > 0.001


def test_uniform_is_open_interval() -> None:
    u = _draw(3, 0.0, 0.0, N, 5)
    assert stats.kstest(u, "uniform").pvalue > 0.001 and u.min() > 0 and u.max() < 1
