"""The sampler's own variate generators follow their distributions (Kolmogorov-Smirnov, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from svidok.stats import fast_random as fr


@njit(cache=True)
def _draw(kind, a, b, n, seed):
    st = fr.new_state(seed)
    out = np.empty(n)
    for i in range(n):
        if kind == 0:
            out[i] = fr.normal(st)
        elif kind == 1:
            out[i] = fr.gamma(st, a)
        elif kind == 2:
            out[i] = fr.beta(st, a, b)
        elif kind == 3:
            out[i] = fr.uniform(st)
        else:
            out[i] = np.exp(fr.log_gamma(st, a))
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


def test_xoshiro256plusplus_reference_output() -> None:
    """The generator is xoshiro256++ itself: the reference C code's first outputs from state 1, 2, 3, 4."""
    st = np.array([1, 2, 3, 4], dtype=np.uint64)
    assert [int(fr.next_u64(st)) for _ in range(3)] == [41943041, 58720359, 3588806011781223]
