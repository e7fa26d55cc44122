"""Our latent-class sampler against LCMCR's own sampler: posterior median and 95% interval of N.

Reference figures: LCMCR's Gibbs sampler (R package LCMCR 0.4.x, ``src/NPLCM_CR_Basic_Freq.cpp``,
D. Manrique-Vallier) — its full conditionals in its order, with its GSL variate generators and
taus2 generator — compiled as a stand-alone C++ program (the R package itself cannot be installed
on the build machine; only its parameter storage was replaced by plain arrays). Settings: K* = 10,
a_alpha = b_alpha = 0.25, 10,000 burn-in sweeps, 2,000 draws thinned by 100, 32 chains (seeds
1001-1032). ``se`` is the Monte Carlo standard error of each reference quantile (spread of the
per-chain quantiles over sqrt(32)). Data: ``published_data.py``. Kosovo is the human-rights case:
the four lists of killings analysed by Ball et al. (2002), LCMCR's own example data set
(``kosovo_aggregate``); no posterior for it with these settings could be found in published text,
so the reference is LCMCR's sampler itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from svidok.stats.estimate_lcmcr import lcmcr_draws

from .published_data import CORMACK_3, DARROCH_R3, kosovo, table

REFERENCE = {
    #            data        (2.5%, median, 97.5%)   Monte Carlo s.e.
    "darroch_r3": (table(DARROCH_R3), (445.0, 604.0, 1204.0), (0.30, 3.14, 11.43)),
    "cormack_3": (table(CORMACK_3), (204.0, 225.0, 297.0), (0.07, 0.12, 1.19)),
    "kosovo": (kosovo(), (9023.0, 10425.0, 13968.0), (52.3, 11.4, 93.3)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_posterior_matches_lcmcr_within_monte_carlo_error(name: str) -> None:
    data, ref_q, ref_se = REFERENCE[name]
    chains = 8
    draws = lcmcr_draws(data, chains=chains, samples=1000, thinning=100, seed=2024)
    q = np.quantile(draws, [0.025, 0.5, 0.975])
    per_chain = np.quantile(draws, [0.025, 0.5, 0.975], axis=1)
    # our own Monte Carlo error, from the spread between chains; quantiles of counts move in
    # whole units, so never below one
    se = np.maximum(per_chain.std(axis=1, ddof=1) / np.sqrt(chains), 1.0)
    z = (q - np.array(ref_q)) / np.sqrt(se**2 + np.array(ref_se) ** 2)
    assert np.all(np.abs(z) < 4), (q, ref_q, z)
