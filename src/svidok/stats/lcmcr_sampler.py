"""Gibbs sampler of the Bayesian non-parametric latent-class model (Manrique-Vallier 2016).

Follows the sampler of the R package LCMCR 0.4.14 (``NPLCM_CR_Basic_Freq.cpp``,
D. Manrique-Vallier) step for step, start-up included; compiled with Numba. It works on the
table of pattern counts: the class allocations of the people sharing a pattern are exchangeable,
so one multinomial draw per pattern (by conditional binomials, exact for any count) replaces
one categorical draw per person. Probabilities are kept on the log scale, as in LCMCR.

One sweep, in LCMCR's order:
  1. class counts per observed pattern ~ Multinomial(count, nu_k * prod_j P(x_j | lambda_jk))
  2. lambda_jk ~ Beta(1 + on list, 1 + not on list), counting the imputed unobserved people
  3. stick-breaking weights nu from V_k ~ Beta(1 + n_k, alpha + sum_{l>k} n_l)
  4. n0 (people on no list) ~ NegativeBinomial(n, 1 - pi0), pi0 = sum_k nu_k prod_j (1 - lambda_jk),
     i.e. the prior p(N) proportional to 1/N; redrawn while n0 > 20 n (LCMCR >= 0.4.11)
  5. classes of the n0 unobserved people ~ Multinomial(n0, nu_k prod_j (1 - lambda_jk))
  6. alpha ~ Gamma(a_alpha + K - 1, rate = b_alpha - log nu_K)

Start-up, as LCMCR's ``Initializes``: the weights from one random stick-breaking draw with
V_k ~ Beta(1, 1); lambda at the observed marginal frequencies; n0 = 0; alpha = 0.3 / K; 500
warm-up sweeps with alpha held fixed; then the classes are reordered by decreasing weight
(``permute_latent_classes_by_nu``). (LCMCR also writes fixed starting weights into ``nuK``; they
are overwritten before anything reads them.)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .fast_random import binomial, gamma, log_gamma, new_state, uniform

#: LCMCR redraws the number of undocumented people while it exceeds this multiple of the documented.
N0_CAP = 20
WARMUP = 500


@njit(cache=True, nogil=True)
def _log_sum(a, b):
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True, nogil=True)
def _multinomial(st, n, w, out, order):
    """Multinomial(n, w / sum(w)) into ``out`` by conditional binomials (exact, O(K) for any n).

    Classes are visited in their order, as GSL does; after LCMCR's reordering the heavy classes
    come first, so the count left runs out early. (``order`` is unused scratch, kept for the
    callers' signature.)"""
    k_max = w.shape[0]
    total = 0.0
    for k in range(k_max):
        out[k] = 0
        total += w[k]
    if n == 0:
        return
    remaining = n
    rest = total
    for k in range(k_max):
        if k == k_max - 1 or rest <= 0.0:
            out[k] += remaining
            return
        left = k_max - k
        if remaining * (8 + left) < 40 * left:
            # few people left: one categorical draw each over the classes not yet visited is
            # cheaper than a binomial per class (same distribution)
            for _ in range(remaining):
                u = uniform(st) * rest
                acc = 0.0
                chosen = k_max - 1
                for kk in range(k, k_max):
                    acc += w[kk]
                    if u < acc:
                        chosen = kk
                        break
                out[chosen] += 1
            return
        p = w[k] / rest
        if p >= 1.0:
            out[k] += remaining
            return
        x = binomial(st, remaining, p)
        out[k] = x
        remaining -= x
        if remaining == 0:
            return
        rest -= w[k]


@njit(cache=True, nogil=True)
def _count_z(st, cells, freq, lam1, lam0, log_nu, cz, w, order):
    """Step 1: class counts of the documented people, pattern by pattern."""
    m_cells, n_lists = cells.shape
    k_max = log_nu.shape[0]
    for m in range(m_cells):
        top = -np.inf
        for k in range(k_max):
            lp = log_nu[k]
            for j in range(n_lists):
                lp += lam1[j, k] if cells[m, j] == 1 else lam0[j, k]
            w[k] = lp
            if lp > top:
                top = lp
        for k in range(k_max):
            w[k] = math.exp(w[k] - top)
        _multinomial(st, freq[m], w, cz[m], order)


@njit(cache=True, nogil=True)
def _lambda(st, cells, cz, c0, lam1, lam0, aux1, aux0):
    """Step 2: list inclusion probabilities per class (log lambda and log(1 - lambda))."""
    m_cells, n_lists = cells.shape
    k_max = c0.shape[0]
    for j in range(n_lists):
        for k in range(k_max):
            aux1[j, k] = 0
            aux0[j, k] = c0[k]
    for m in range(m_cells):
        for k in range(k_max):
            c = cz[m, k]
            if c == 0:
                continue
            for j in range(n_lists):
                if cells[m, j] == 1:
                    aux1[j, k] += c
                else:
                    aux0[j, k] += c
    for j in range(n_lists):
        for k in range(k_max):
            # Beta(a, b) as x / (x + y) of two gammas; both shapes are at least 1, so neither
            # draw underflows and the logs are taken directly (LCMCR takes log-gammas)
            x = gamma(st, 1.0 + aux1[j, k])
            y = gamma(st, 1.0 + aux0[j, k])
            s = math.log(x + y)
            lam1[j, k] = math.log(x) - s
            lam0[j, k] = math.log(y) - s


@njit(cache=True, nogil=True)
def _nu(st, cz, c0, n, n0, alpha, nu, log_nu):
    """Step 3: stick-breaking weights; returns the number of occupied classes (LCMCR's k_star)."""
    m_cells = cz.shape[0]
    k_max = nu.shape[0]
    n_acc = 0
    l_acc = 0.0
    k_star = 0
    for k in range(k_max):
        ck = c0[k]
        for m in range(m_cells):
            ck += cz[m, k]
        if ck > 0:
            k_star += 1
        if k < k_max - 1:
            n_acc += ck
            g1 = log_gamma(st, 1.0 + ck)
            g2 = log_gamma(st, alpha + float(n0 + n - n_acc))
            gs = _log_sum(g1, g2)
            log_nu[k] = g1 - gs + l_acc
            l_acc += g2 - gs
            nu[k] = math.exp(log_nu[k])
    log_nu[k_max - 1] = l_acc
    nu[k_max - 1] = math.exp(l_acc)
    return k_star


@njit(cache=True, nogil=True)
def _missing(st, n, lam0, log_nu, c0, w, order):
    """Steps 4 and 5: the number of people on no list and their classes; returns (n0, pi0, redraws)."""
    n_lists, k_max = lam0.shape
    top = -np.inf
    for k in range(k_max):
        lp = log_nu[k]
        for j in range(n_lists):
            lp += lam0[j, k]
        w[k] = lp
        if lp > top:
            top = lp
    pz = 0.0
    for k in range(k_max):
        pz += math.exp(w[k])
        w[k] = math.exp(w[k] - top)
    # negative binomial (failures before n successes, success probability 1 - pi0), as GSL
    # draws it: Poisson with a Gamma(n, pi0 / (1 - pi0)) mean; redrawn above the cap
    odds = pz / (1.0 - pz) if pz < 1.0 else np.inf
    cap = N0_CAP * n
    n0 = cap + 1
    redraws = -1
    while n0 > cap:
        redraws += 1
        if pz <= 0.0:
            n0 = 0
        elif not odds < 1e300 or redraws >= 100_000:
            n0 = cap  # the redraw loop would never end: the cap is the only value left
        else:
            rate = gamma(st, float(n)) * odds
            n0 = np.random.poisson(rate) if rate < 9.0e18 else cap + 1
    if n0 == 0:
        for k in range(k_max):
            c0[k] = 0
    else:
        _multinomial(st, n0, w, c0, order)
    return n0, pz, redraws


@njit(cache=True, nogil=True)
def _permute_by_weight(nu, log_nu, lam1, lam0, cz, c0):
    """LCMCR's ``permute_latent_classes_by_nu``: classes in decreasing order of weight."""
    perm = np.argsort(-nu, kind="mergesort")
    nu[:] = nu[perm].copy()
    log_nu[:] = log_nu[perm].copy()
    lam1[:, :] = lam1[:, perm].copy()
    lam0[:, :] = lam0[:, perm].copy()
    cz[:, :] = cz[:, perm].copy()
    c0[:] = c0[perm].copy()


@njit(cache=True, nogil=True)
def run_chain(cells, freq, k_max, a_alpha, b_alpha, burnin, n_samples, thinning, seed):
    """One chain: LCMCR's start-up, ``burnin`` sweeps, then every ``thinning``-th sweep kept.

    Returns (N as int64, traces float64 (n_samples x 3): alpha, probability of being on no list,
    occupied classes; number of times n0 was redrawn above the cap)."""
    np.random.seed(seed)  # the Poisson draw of step 4 (once a sweep) uses np.random
    st = new_state(seed)
    m_cells, n_lists = cells.shape
    n = 0
    for m in range(m_cells):
        n += freq[m]
    lam1 = np.empty((n_lists, k_max))
    lam0 = np.empty((n_lists, k_max))
    for j in range(n_lists):
        on = 0
        for m in range(m_cells):
            if cells[m, j] == 1:
                on += freq[m]
        p = on / n
        for k in range(k_max):
            lam1[j, k] = math.log(p) if p > 0.0 else -np.inf
            lam0[j, k] = math.log1p(-p) if p < 1.0 else -np.inf
    nu = np.empty(k_max)
    log_nu = np.empty(k_max)
    l_acc = 0.0
    for k in range(k_max - 1):  # one stick-breaking draw with V ~ Beta(1, 1)
        g1 = log_gamma(st, 1.0)
        g2 = log_gamma(st, 1.0)
        gs = _log_sum(g1, g2)
        log_nu[k] = g1 - gs + l_acc
        l_acc += g2 - gs
    log_nu[k_max - 1] = l_acc
    for k in range(k_max):
        nu[k] = math.exp(log_nu[k])
    cz = np.zeros((m_cells, k_max), dtype=np.int64)
    c0 = np.zeros(k_max, dtype=np.int64)
    w = np.empty(k_max)
    order = np.zeros(k_max, dtype=np.int64)
    aux1 = np.zeros((n_lists, k_max), dtype=np.int64)
    aux0 = np.zeros((n_lists, k_max), dtype=np.int64)
    n0 = 0
    alpha = 0.3 / k_max
    redraws = 0
    for _ in range(WARMUP):  # alpha held fixed
        _count_z(st, cells, freq, lam1, lam0, log_nu, cz, w, order)
        _lambda(st, cells, cz, c0, lam1, lam0, aux1, aux0)
        _nu(st, cz, c0, n, n0, alpha, nu, log_nu)
        n0, pz, r = _missing(st, n, lam0, log_nu, c0, w, order)
        redraws += r
    _permute_by_weight(nu, log_nu, lam1, lam0, cz, c0)
    n_out = np.empty(n_samples, dtype=np.int64)
    out = np.empty((n_samples, 3))
    total = burnin + n_samples * thinning
    s = 0
    for it in range(1, total + 1):
        _count_z(st, cells, freq, lam1, lam0, log_nu, cz, w, order)
        _lambda(st, cells, cz, c0, lam1, lam0, aux1, aux0)
        k_star = _nu(st, cz, c0, n, n0, alpha, nu, log_nu)
        n0, pz, r = _missing(st, n, lam0, log_nu, c0, w, order)
        redraws += r
        alpha = gamma(st, a_alpha + k_max - 1.0) / (b_alpha - log_nu[k_max - 1])
        if it > burnin and (it - burnin) % thinning == 0:
            n_out[s] = n + n0
            out[s, 0] = alpha
            out[s, 1] = pz
            out[s, 2] = k_star
            s += 1
    return n_out, out, redraws
