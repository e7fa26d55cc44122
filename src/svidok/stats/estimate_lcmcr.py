"""Bayesian latent-class multiple systems estimation (the model of Manrique-Vallier 2016).

Defaults are those of the R package LCMCR (checked against its source, version 0.4.x):
``a_alpha = b_alpha = 0.25`` (Gamma prior on the Dirichlet-process concentration), Beta(1, 1)
priors on the list inclusion probabilities, the improper prior p(N) proportional to 1/N, and the
schedule of LCMCR's documented example (``?lcmCR``): K* = 10 latent classes, 10,000 burn-in
sweeps, then 1,000 draws thinned by 100. (The functions' own defaults differ: ``lcmCR`` has
K = 5 and ``lcmCR_PostSampl`` thins by 10; both are arguments here.) Each chain starts as
LCMCR's does: list probabilities at their observed marginal frequencies, four large classes,
alpha = 0.3 / K*, and 500 warm-up sweeps with alpha held fixed. Several independently seeded chains give R-hat and effective
sample sizes; the same seed always gives the same draws.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .counts_table import CountsError, CountsTable
from .diagnostics import ess_bulk, ess_tail, split_rhat
from .lcmcr_sampler import run_chain

#: Thresholds below which we warn that the chains cannot be trusted yet (Vehtari et al. 2021).
RHAT_MAX = 1.01
ESS_MIN = 400


@dataclass
class LcmcrResult:
    """Posterior summary of the total N (documented plus undocumented)."""

    method: str
    lists: list[str]
    observed: int
    estimate: float  # the posterior median, the usual point estimate for this model
    median: float
    mean: float
    lower: float
    upper: float
    level: float
    rhat: float
    ess_bulk: float
    ess_tail: float
    chains: int
    draws_per_chain: int
    seed: int
    settings: dict
    warnings: list[str] = field(default_factory=list)
    draws: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("draws")
        return d


def lcmcr_draws(
    table: CountsTable,
    *,
    k_max: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burnin: int = 10_000,
    samples: int = 1_000,
    thinning: int = 100,
    chains: int = 4,
    seed: int = 1,
) -> np.ndarray:
    """Posterior draws of N, shape (chains, samples). Chain seeds derive from ``seed``."""
    if k_max < 1:
        raise ValueError("k_max must be at least 1")
    if min(samples, thinning, chains) < 1 or burnin < 0:
        raise ValueError("samples, thinning and chains must be positive; burnin not negative")
    observed_rows = table.cells > 0
    cells = table.patterns()[observed_rows].astype(np.int8)
    freq = table.cells[observed_rows].astype(np.int64)
    seeds = np.random.SeedSequence(seed).generate_state(chains)
    out = np.empty((chains, samples))
    for c in range(chains):
        trace = run_chain(cells, freq, k_max, a_alpha, b_alpha, burnin, samples, thinning, int(seeds[c]))
        out[c] = trace[:, 0]
    return out


def estimate_lcmcr(
    table: CountsTable,
    *,
    k_max: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burnin: int = 10_000,
    samples: int = 1_000,
    thinning: int = 100,
    chains: int = 4,
    seed: int = 1,
    level: float = 0.95,
    keep_draws: bool = False,
) -> LcmcrResult:
    """Run the sampler and summarise N: median, mean, equal-tailed interval, R-hat, ESS."""
    warnings: list[str] = []
    if table.n_lists < 3:
        raise CountsError(
            f"the latent-class model needs at least three lists, got {table.n_lists}; "
            "with two lists use the log-linear (independence) estimate and state its assumption"
        )
    draws = lcmcr_draws(
        table, k_max=k_max, a_alpha=a_alpha, b_alpha=b_alpha, burnin=burnin,
        samples=samples, thinning=thinning, chains=chains, seed=seed,
    )
    tail = (1 - level) / 2
    lower, median, upper = np.quantile(draws, [tail, 0.5, 1 - tail])
    rhat = split_rhat(draws) if chains > 1 else float("nan")
    eb, et = ess_bulk(draws), ess_tail(draws)
    if chains < 2:
        warnings.append("one chain only: R-hat cannot be computed; run several chains")
    elif not rhat <= RHAT_MAX:
        warnings.append(f"R-hat {rhat:.3f} > {RHAT_MAX}: the chains disagree; run longer before using this")
    if not min(eb, et) >= ESS_MIN:
        warnings.append(f"effective sample size {min(eb, et):.0f} < {ESS_MIN}: quantiles are imprecise")
    if table.observed < 30:
        warnings.append(f"only {table.observed} people documented: the estimate rests mostly on the priors")
    if upper > 20 * table.observed:
        warnings.append("the upper limit is over 20 times the documented count: the data hardly bound the total")
    return LcmcrResult(
        method="lcmcr",
        lists=list(table.lists),
        observed=table.observed,
        estimate=float(median),
        median=float(median),
        mean=float(draws.mean()),
        lower=float(lower),
        upper=float(upper),
        level=level,
        rhat=rhat,
        ess_bulk=eb,
        ess_tail=et,
        chains=chains,
        draws_per_chain=samples,
        seed=seed,
        settings={"K": k_max, "a_alpha": a_alpha, "b_alpha": b_alpha, "lambda_prior": "Beta(1,1)",
                  "burnin": burnin, "thinning": thinning},
        warnings=warnings,
        draws=draws if keep_draws else None,
    )
