"""R-hat and effective sample size behave as their definitions require."""

from __future__ import annotations

import numpy as np

from svidok.stats.diagnostics import ess_bulk, ess_tail, split_rhat


def test_independent_chains_of_white_noise() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 1000))
    assert abs(split_rhat(x) - 1) < 0.01
    assert 3000 < ess_bulk(x) < 5000  # about the number of draws
    assert ess_tail(x) > 2000


def test_chains_stuck_in_different_places_have_high_rhat() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 500)) + np.array([[0], [0], [3], [3]])
    assert split_rhat(x) > 1.5


def test_a_trend_within_chains_is_caught_by_splitting() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 1000)) * 0.1 + np.linspace(0, 3, 1000)
    assert split_rhat(x) > 1.1


def test_autocorrelated_chains_have_fewer_effective_draws() -> None:
    rng = np.random.default_rng(3)
    e = rng.normal(size=(4, 4000))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for t in range(1, 4000):  # AR(1) with phi = 0.9: ESS ~ N (1 - phi) / (1 + phi) ~ 842
        x[:, t] = 0.9 * x[:, t - 1] + e[:, t]
    assert 500 < ess_bulk(x) < 1300
