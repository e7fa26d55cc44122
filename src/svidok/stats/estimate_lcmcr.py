"""Bayesian latent-class multiple systems estimation (the model of Manrique-Vallier 2016).

Defaults are those of the R package LCMCR (0.4.14): ``a_alpha = b_alpha = 0.25`` (Gamma prior on
the Dirichlet-process concentration), Beta(1, 1) priors on the list inclusion probabilities, the
improper prior p(N) proportional to 1/N truncated at 21 times the documented count, and the
schedule of LCMCR's documented example (``?lcmCR``): K* = 10 latent classes, 10,000 burn-in
sweeps, then 1,000 draws thinned by 100. (The functions' own defaults differ: ``lcmCR`` has
K = 5 and ``lcmCR_PostSampl`` thins by 10; both are arguments here.) Each chain starts as
LCMCR's does (see ``lcmcr_sampler``). Chains run at the same time, one thread each (the
compiled sampler releases the GIL); several chains give R-hat and effective sample sizes; the
same seed always gives the same draws, whatever the number of cores.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np

from .counts_table import CountsError, CountsTable
from .diagnostics import ess_bulk, ess_tail, split_rhat, summarize
from .lcmcr_sampler import N0_CAP, WARMUP, run_chain

#: Thresholds below which we warn that the chains cannot be trusted yet (Vehtari et al. 2021).
RHAT_MAX = 1.01
ESS_MIN = 400
#: Bounds on the run's size, so that no setting can exhaust memory or run for days.
MAX_CLASSES = 200
MAX_CHAINS = 64
MAX_DRAWS = 10_000_000  # chains x samples kept
MAX_SWEEPS = 100_000_000  # per chain


@dataclass
class LcmcrTraces:
    """Per-chain traces (chains x draws) of N, alpha and the number of occupied classes."""

    n: np.ndarray
    alpha: np.ndarray
    prob_zero: np.ndarray
    classes: np.ndarray
    redraws: int  # times n0 was redrawn because it exceeded the cap, over all chains and sweeps


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
    #: R-hat and effective sample sizes of N, alpha and the number of occupied classes.
    diagnostics: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    draws: np.ndarray | None = field(default=None, repr=False)
    traces: LcmcrTraces | None = field(default=None, repr=False)

    def to_dict(self, traces: bool = False) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("draws", "traces")}
        if traces and self.traces is not None:
            t = self.traces
            d["traces"] = {"N": t.n.tolist(), "alpha": t.alpha.tolist(), "classes": t.classes.tolist()}
        return d


def check_settings(table: CountsTable, k_max: int, burnin: int, samples: int, thinning: int, chains: int) -> None:
    """Refuse settings outside what the sampler supports, with the reason, before any allocation."""
    if table.n_lists < 3:
        raise CountsError(
            f"the latent-class model needs at least three lists, got {table.n_lists}; "
            "with two lists use the log-linear (independence) estimate and state its assumption"
        )
    if not 1 <= k_max <= MAX_CLASSES:
        raise CountsError(f"the number of latent classes must be 1 to {MAX_CLASSES}, got {k_max}")
    if not 1 <= chains <= MAX_CHAINS:
        raise CountsError(f"chains must be 1 to {MAX_CHAINS}, got {chains}")
    if samples < 1 or thinning < 1 or burnin < 0:
        raise CountsError("samples and thinning must be at least 1, burn-in not negative")
    if samples * chains > MAX_DRAWS:
        raise CountsError(f"chains x samples must be at most {MAX_DRAWS:,}, got {samples * chains:,}")
    if burnin + samples * thinning > MAX_SWEEPS:
        raise CountsError(f"burn-in + samples x thinning must be at most {MAX_SWEEPS:,} sweeps per chain")


def lcmcr_traces(
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
    workers: int | None = None,
) -> LcmcrTraces:
    """Run the chains (in parallel, ``workers`` threads, all cores by default); chain seeds derive
    from ``seed`` alone, so the draws do not depend on the number of workers."""
    check_settings(table, k_max, burnin, samples, thinning, chains)
    observed_rows = table.cells > 0
    cells = table.patterns()[observed_rows].astype(np.int8)
    freq = table.cells[observed_rows].astype(np.int64)
    seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(chains)]

    def one(s: int):
        return run_chain(cells, freq, k_max, float(a_alpha), float(b_alpha), burnin, samples, thinning, s)

    workers = min(chains, workers or os.cpu_count() or 1)
    if workers == 1:
        results = [one(s) for s in seeds]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, seeds))
    return LcmcrTraces(
        n=np.stack([r[0] for r in results]),
        alpha=np.stack([r[1][:, 0] for r in results]),
        prob_zero=np.stack([r[1][:, 1] for r in results]),
        classes=np.stack([r[1][:, 2] for r in results]).astype(np.int64),
        redraws=int(sum(r[2] for r in results)),
    )


def lcmcr_draws(table: CountsTable, **options) -> np.ndarray:
    """Posterior draws of N (whole numbers), shape (chains, samples)."""
    return lcmcr_traces(table, **options).n


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
    workers: int | None = None,
) -> LcmcrResult:
    """Run the sampler and summarise N: median, mean, equal-tailed interval, R-hat, ESS."""
    warnings: list[str] = []
    tr = lcmcr_traces(
        table, k_max=k_max, a_alpha=a_alpha, b_alpha=b_alpha, burnin=burnin,
        samples=samples, thinning=thinning, chains=chains, seed=seed, workers=workers,
    )
    draws = tr.n
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
    isolated = table.isolated_lists()
    if isolated:
        warnings.append(
            f"list(s) {', '.join(isolated)} share no one with any other list: the data say nothing about how many "
            "people they missed, so the estimate rests on the model's assumptions and the cap"
        )
    if table.observed < 30:
        warnings.append(f"only {table.observed} people documented: the estimate rests mostly on the priors")
    sweeps = chains * (WARMUP + burnin + samples * thinning)
    if tr.redraws > 0.01 * sweeps or upper >= N0_CAP * table.observed:
        warnings.append(
            f"the number of undocumented people kept reaching the sampler's cap ({N0_CAP} times the documented "
            "count, as in LCMCR): the data hardly bound the total, and the upper limit reflects the cap"
        )
    elif upper > 10 * table.observed:
        warnings.append("the upper limit is over 10 times the documented count: the data hardly bound the total")
    diagnostics = {
        "N": summarize(draws),
        "alpha": summarize(tr.alpha),
        "classes": summarize(tr.classes),
        "n0_redraws": tr.redraws,
        "occupied_classes_median": float(np.median(tr.classes)),
        "occupied_classes_max": int(tr.classes.max()),
    }
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
                  "burnin": burnin, "thinning": thinning, "warmup": WARMUP, "n0_cap": N0_CAP},
        diagnostics=diagnostics,
        warnings=warnings,
        draws=draws if keep_draws else None,
        traces=tr if keep_draws else None,
    )
