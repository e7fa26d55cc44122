"""The latent-class Gibbs sampler: exactness where the posterior is known, reproducibility, warnings.

With one latent class (K* = 1) the model of Manrique-Vallier (2016) reduces to independent lists
with Beta(1, 1) priors and p(N) proportional to 1/N, whose posterior of the number of
undocumented people n0 has the closed form
    p(n0 | data) ~ Gamma(n + n0) / Gamma(n0 + 1) * prod_j B(n_j + 1, n + n0 - n_j + 1),
so the sampler (which runs the same code for any K*) is checked against it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln, gammaln

from svidok.stats.counts_table import CountsError, table_from_mapping
from svidok.stats.estimate_lcmcr import estimate_lcmcr, lcmcr_draws

from .published_data import CORMACK_3, DARROCH_R3, table


def exact_quantiles_one_class(t, probs):
    n = t.observed
    nj = np.array(list(t.list_totals().values()))
    n0 = np.arange(0, 50 * n)
    lp = gammaln(n + n0) - gammaln(n0 + 1) + sum(betaln(x + 1, n + n0 - x + 1) for x in nj)
    p = np.exp(lp - lp.max())
    cdf = np.cumsum(p / p.sum())
    return np.array([n + n0[np.searchsorted(cdf, q)] for q in probs])


@pytest.mark.parametrize("counts", [DARROCH_R3, CORMACK_3])
def test_one_class_posterior_matches_the_closed_form(counts) -> None:
    t = table(counts)
    probs = [0.025, 0.5, 0.975]
    draws = lcmcr_draws(t, k_max=1, chains=4, samples=4000, thinning=2, burnin=1000, seed=7)
    exact = exact_quantiles_one_class(t, probs)
    got = np.quantile(draws, probs)
    # Monte Carlo error of these quantiles with ~16,000 nearly independent draws is well under 1%
    np.testing.assert_allclose(got, exact, rtol=0.01)


def test_same_seed_same_draws_and_different_seed_different_draws() -> None:
    t = table(DARROCH_R3)
    a = lcmcr_draws(t, chains=2, samples=50, burnin=100, seed=42)
    b = lcmcr_draws(t, chains=2, samples=50, burnin=100, seed=42)
    c = lcmcr_draws(t, chains=2, samples=50, burnin=100, seed=43)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert (a >= t.observed).all()


def test_result_has_interval_median_and_diagnostics() -> None:
    t = table(DARROCH_R3)
    r = estimate_lcmcr(t, burnin=2000, samples=500, seed=3)
    d = r.to_dict()
    assert d["observed"] == sum(DARROCH_R3) == 414
    assert d["lower"] <= d["median"] <= d["upper"] and d["estimate"] == d["median"]
    assert d["lower"] >= d["observed"]
    assert {"rhat", "ess_bulk", "ess_tail", "seed"} <= d.keys()
    assert d["settings"]["K"] == 10 and d["settings"]["a_alpha"] == 0.25


def test_short_runs_are_flagged() -> None:
    t = table(DARROCH_R3)
    r = estimate_lcmcr(t, burnin=10, samples=20, thinning=1, chains=2, seed=1)
    assert any("effective sample size" in w for w in r.warnings)


def test_two_lists_are_refused() -> None:
    t = table_from_mapping(["a", "b"], {"11": 5, "10": 7, "01": 9})
    with pytest.raises(CountsError, match="at least three lists"):
        estimate_lcmcr(t)
