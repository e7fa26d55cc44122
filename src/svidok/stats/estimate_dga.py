"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

The method of HRDAG's R package ``dga`` (``bma.cr``): every decomposable graph on the lists is a
model of how the lists depend on each other; each gets a hyper-Dirichlet prior on its cell
probabilities (``delta`` prior observations per cell of the full table, spread over each clique's
margin) and a closed-form marginal likelihood for every candidate number of undocumented people
on a grid. The posterior of the total N averages over all models at once, so no single model is
chosen and the interval carries the uncertainty about which model is right.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

from .counts_table import CountsError, CountsTable

#: dga ships graph lists for 3, 4 and 5 lists; here the graphs are enumerated, so 6 lists work
#: too (18,154 graphs: ~2 s to enumerate once per process, ~5 s for an estimate); 7 lists have
#: 1,246,826 graphs over 2^21 edge sets, beyond what a user should wait for.
MIN_LISTS, MAX_LISTS = 3, 6
#: Grid points for N when none is given: coarser steps beyond this many.
GRID_POINTS = 5001
PRIORS = ("improper", "uniform", "negbin")


@dataclass(frozen=True)
class Graph:
    """A decomposable graph as its cliques and separators (bitmasks over the lists, separators
    with multiplicity, empty ones left out as in dga)."""

    cliques: tuple[int, ...]
    separators: tuple[int, ...]

    def label(self, lists: tuple[str, ...] | list[str]) -> str:
        return "".join("[" + ",".join(n for j, n in enumerate(lists) if c >> j & 1) + "]" for c in self.cliques)


def _chordal(adj: list[int], p: int) -> bool:
    """Maximum cardinality search: the graph is chordal iff each vertex's earlier-numbered
    neighbours form a clique."""
    order: list[int] = []
    weight = [0] * p
    left = set(range(p))
    while left:
        v = max(sorted(left), key=lambda u: weight[u])
        earlier = [u for u in order if adj[v] >> u & 1]
        for a, b in itertools.combinations(earlier, 2):
            if not adj[a] >> b & 1:
                return False
        order.append(v)
        left.remove(v)
        for u in left:
            if adj[v] >> u & 1:
                weight[u] += 1
    return True


def _cliques(adj: list[int], p: int) -> list[int]:
    complete = [s for s in range(1, 2**p)
                if all(adj[a] >> b & 1 for a, b in itertools.combinations([j for j in range(p) if s >> j & 1], 2))]
    return [s for s in complete if not any(t != s and t & s == s for t in complete)]


def _separators(cliques: list[int]) -> list[int]:
    """A junction tree is a maximum-weight spanning tree of the cliques (weight: the size of the
    intersection); its edges' intersections are the separators."""
    edges = sorted(((bin(a & b).count("1"), i, j) for (i, a), (j, b) in itertools.combinations(enumerate(cliques), 2)),
                   reverse=True)
    parent = list(range(len(cliques)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    seps = []
    for w, i, j in edges:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[ri] = rj
            if w:
                seps.append(cliques[i] & cliques[j])
    return sorted(seps)


@lru_cache(maxsize=8)
def decomposable_graphs(p: int) -> tuple[Graph, ...]:
    """All decomposable (chordal) graphs on ``p`` labelled lists: 8, 61, 822 and 18,154 for 3, 4, 5, 6."""
    pairs = list(itertools.combinations(range(p), 2))
    out = []
    for bits in range(2 ** len(pairs)):
        adj = [0] * p
        for k, (a, b) in enumerate(pairs):
            if bits >> k & 1:
                adj[a] |= 1 << b
                adj[b] |= 1 << a
        if _chordal(adj, p):
            cl = sorted(_cliques(adj, p), key=lambda s: [j for j in range(p) if s >> j & 1])
            out.append(Graph(tuple(cl), tuple(_separators(cl))))
    return tuple(out)


@dataclass
class DgaResult:
    """The posterior of the total N over a grid, averaged over decomposable graphical models."""

    method: str
    lists: list[str]
    observed: int
    estimate: float  # the posterior median
    median: float
    mean: float
    lower: float
    upper: float
    level: float
    delta: float
    prior: str
    n_models: int
    #: The most probable models with their posterior weights, best first.
    models: list[dict]
    grid: list[int] = field(repr=False)
    posterior: list[float] = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    #: Draws from the posterior of N (seeded, for adding strata draw by draw), when asked for.
    draws: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "draws"}


def default_grid(observed: int, max_missing: int | None = None) -> np.ndarray:
    """Undocumented counts 0 .. ``max_missing`` (default 10 x documented, at least 1,000), in at
    most ``GRID_POINTS`` steps."""
    top = max(10 * observed, 1000) if max_missing is None else int(max_missing)
    if top < 0:
        raise ValueError("max_missing must be at least 0")
    step = max(1, math.ceil(top / (GRID_POINTS - 1)))
    return np.arange(0, top + 1, step)


def log_prior_n(n_total: np.ndarray, prior: str, a: float = 13.14, b: float = 55.17) -> np.ndarray:
    """Log prior of the total N: ``improper`` 1/N (dga's default), ``uniform``, or ``negbin``, the
    negative binomial of dga's 3-list example with shape ``a`` and scale ``b``."""
    n = n_total.astype(float)
    if prior == "improper":
        return -np.log(n)
    if prior == "uniform":
        return np.zeros_like(n)
    if prior == "negbin":
        return n * math.log(b) - (n + a) * math.log1p(b) + gammaln(n + a) - gammaln(n + 1) - gammaln(a)
    raise ValueError(f"prior must be one of {', '.join(PRIORS)}, not {prior!r}")


def component_log_ml(table: CountsTable, missing: np.ndarray, delta: float) -> np.ndarray:
    """Log marginal likelihood terms of every margin (rows: list subsets as bitmasks 1..2^p-1,
    columns: the grid), as dga's ``MakeCompMatrix``; the normalising term is added per graph."""
    p = table.n_lists
    masks = np.arange(1, 2**p)
    out = np.empty((2**p - 1, missing.size))
    for s in range(1, 2**p):
        k = bin(s).count("1")
        d = delta * 2 ** (p - k)
        keep = [j for j in range(p) if s >> j & 1]
        cell = ((masks[:, None] >> np.array(keep)) & 1) @ (1 << np.arange(k))
        margin = np.bincount(cell, weights=table.cells, minlength=2**k)
        out[s - 1] = (gammaln(missing + margin[0] + d) + gammaln(margin[1:] + d).sum()
                      - 2**k * gammaln(d))
    return out


def log_posterior(table: CountsTable, missing: np.ndarray, delta: float, log_prior: np.ndarray,
                  graphs: tuple[Graph, ...], log_model_prior: np.ndarray | None = None) -> np.ndarray:
    """Unnormalised log posterior of (model, undocumented count): rows graphs, columns the grid."""
    p, n = table.n_lists, table.observed
    comp = component_log_ml(table, missing, delta)
    incidence = np.zeros((len(graphs), 2**p - 1))
    for i, g in enumerate(graphs):
        for c in g.cliques:
            incidence[i, c - 1] += 1
        for s in g.separators:
            incidence[i, s - 1] -= 1
    parts = incidence.sum(axis=1)  # cliques minus separators: how many normalising terms
    denom = gammaln(2**p * delta) - gammaln(missing + n + 2**p * delta)
    coef = gammaln(missing + n + 1) - gammaln(table.cells + 1).sum() - gammaln(missing + 1)
    w = incidence @ comp + parts[:, None] * denom[None, :] + (coef + log_prior)[None, :]
    if log_model_prior is not None:
        w += np.asarray(log_model_prior, dtype=float)[:, None]
    return w


def _quantile(grid: np.ndarray, cdf: np.ndarray, q: float) -> float:
    return float(grid[min(np.searchsorted(cdf, q), grid.size - 1)])


def estimate_dga(table: CountsTable, *, missing: np.ndarray | list[int] | None = None, max_missing: int | None = None,
                 delta: float | None = None, prior: str = "improper", log_prior: np.ndarray | None = None,
                 log_model_prior: np.ndarray | None = None, level: float = 0.95, top: int = 10,
                 keep_draws: bool = False, seed: int = 1, n_draws: int = 4000) -> DgaResult:
    """Model-averaged posterior of N. ``missing``: the grid of undocumented counts (default
    ``default_grid(observed, max_missing)``); ``delta``: prior observations per cell (default 1/2^p, as dga suggests);
    ``log_prior``: a log prior per grid point overriding ``prior``; ``log_model_prior``: one per
    graph in ``decomposable_graphs`` order."""
    p = table.n_lists
    if not MIN_LISTS <= p <= MAX_LISTS:
        raise CountsError(f"model averaging over decomposable graphs needs {MIN_LISTS} to {MAX_LISTS} lists, got {p}")
    grid = default_grid(table.observed, max_missing) if missing is None else np.asarray(missing, dtype=np.int64)
    if grid.ndim != 1 or grid.size == 0 or (grid < 0).any():
        raise ValueError("missing must be a non-empty list of undocumented counts >= 0")
    delta = 2.0**-p if delta is None else float(delta)
    if delta <= 0:
        raise ValueError("delta must be positive")
    totals = grid + table.observed
    lp = log_prior_n(np.maximum(totals, 1), prior) if log_prior is None else np.asarray(log_prior, dtype=float)
    if lp.shape != grid.shape:
        raise ValueError(f"log_prior needs one value per grid point ({grid.size}), got {lp.size}")
    graphs = decomposable_graphs(p)
    if log_model_prior is not None and np.shape(log_model_prior) != (len(graphs),):
        raise ValueError(f"log_model_prior needs one value per graph ({len(graphs)}), got {np.size(log_model_prior)}")
    w = log_posterior(table, grid.astype(float), delta, lp, graphs, log_model_prior)
    w = np.exp(w - w.max())
    w /= w.sum()
    post_n, post_m = w.sum(axis=0), w.sum(axis=1)
    cdf = np.cumsum(post_n)
    tail = (1 - level) / 2
    warnings = []
    if post_n[-max(1, grid.size // 100):].sum() > 1e-3:
        warnings.append("the posterior of N has weight at the top of the grid: widen the grid of undocumented counts")
    best = np.argsort(-post_m, kind="stable")[:top]
    models = [{"model": graphs[i].label(table.lists), "weight": float(post_m[i]),
               "median": _quantile(totals, np.cumsum(w[i] / post_m[i]), 0.5) if post_m[i] > 0 else None}
              for i in best]
    median = _quantile(totals, cdf, 0.5)
    return DgaResult(
        method="dga", lists=list(table.lists), observed=table.observed, estimate=median, median=median,
        mean=float(post_n @ totals), lower=_quantile(totals, cdf, tail), upper=_quantile(totals, cdf, 1 - tail),
        level=level, delta=delta, prior="custom" if log_prior is not None else prior, n_models=len(graphs),
        models=models, grid=totals.tolist(), posterior=post_n.tolist(), warnings=warnings,
        draws=np.random.default_rng(seed).choice(totals, size=n_draws, p=post_n) if keep_draws else None,
    )
