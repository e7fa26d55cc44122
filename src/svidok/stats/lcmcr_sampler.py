"""Gibbs sampler of the Bayesian non-parametric latent-class model (Manrique-Vallier 2016).

A line-by-line port of the sampler in the R package LCMCR (``NPLCM_CR_Basic_Freq.cpp``,
D. Manrique-Vallier, GPL >= 2), compiled with Numba. It works on the table of pattern
counts, not on individuals: the class allocations of the people sharing a pattern are
exchangeable, so one multinomial draw per pattern replaces one categorical draw per person.

One sweep, in LCMCR's order:
  1. class counts per observed pattern ~ Multinomial(count, nu_k * prod_j P(x_j | lambda_jk))
  2. lambda_jk ~ Beta(1 + on list, 1 + not on list), counting the imputed unobserved people
  3. stick-breaking weights nu from V_k ~ Beta(1 + n_k, alpha + sum_{l>k} n_l)
  4. n0 (people on no list) ~ NegativeBinomial(n, 1 - pi0), pi0 = sum_k nu_k prod_j (1 - lambda_jk),
     i.e. the prior p(N) proportional to 1/N
  5. classes of the n0 unobserved people ~ Multinomial(n0, nu_k prod_j (1 - lambda_jk))
  6. alpha ~ Gamma(a_alpha + K - 1, rate = b_alpha - log nu_K)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .fast_random import beta, gamma, log_gamma, uniform


@njit(cache=True)
def seed_rng(seed):
    """Seed Numba's own generator (separate from NumPy's)."""
    np.random.seed(seed)


@njit(cache=True)
def _log_sum(a, b):
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True)
def _multinomial(n, probs, out, order):
    """Multinomial(n, probs / sum(probs)) into ``out``, exactly, by conditional binomials.

    Classes are visited from the most to the least probable so the count left runs out
    early; the last few people are then drawn one by one (cheaper than more binomials)."""
    k_max = probs.shape[0]
    for k in range(k_max):
        out[k] = 0
    if n == 0:
        return
    total = 0.0
    for k in range(k_max):
        total += probs[k]
        # insertion sort of class indices by decreasing probability
        i = k
        while i > 0 and probs[order[i - 1]] < probs[k]:
            order[i] = order[i - 1]
            i -= 1
        order[i] = k
    remaining = n
    rest = total
    for r in range(k_max):
        k = order[r]
        if remaining <= 3 or r == k_max - 1:
            # the people left are iid categorical over the classes not yet visited
            for _ in range(remaining):
                u = uniform() * rest
                acc = 0.0
                chosen = order[k_max - 1]
                for rr in range(r, k_max):
                    acc += probs[order[rr]]
                    if u < acc:
                        chosen = order[rr]
                        break
                out[chosen] += 1
            return
        p = probs[k] / rest if rest > 0.0 else 1.0
        if p >= 1.0:
            out[k] = remaining
            return
        x = np.random.binomial(remaining, p) if p > 0.0 else 0
        out[k] = x
        remaining -= x
        if remaining == 0:
            return
        rest -= probs[k]


@njit(cache=True)
def _sweep(cells, freq, n, lam, nu, log_nu, cz, c0, state, a_alpha, b_alpha, update_alpha, probs, aux1, aux0, order):
    """One Gibbs sweep; ``state`` holds [n0, alpha, prob_zero, k_star]."""
    m_cells, n_lists = cells.shape
    k_max = nu.shape[0]
    # 1. class counts of the observed people, pattern by pattern
    for m in range(m_cells):
        for k in range(k_max):
            p = nu[k]
            for j in range(n_lists):
                p *= lam[j, k] if cells[m, j] == 1 else 1.0 - lam[j, k]
            probs[k] = p
        _multinomial(freq[m], probs, cz[m], order)
    # 2. lambdas (the unobserved people count as "not on list")
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
            if aux1[j, k] == 0 and aux0[j, k] == 0:  # empty class: Beta(1, 1) is uniform
                lam[j, k] = uniform()
            else:
                lam[j, k] = beta(1.0 + aux1[j, k], 1.0 + aux0[j, k])
    # 3. stick-breaking weights
    n0 = int(state[0])
    alpha = state[1]
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
            g1 = log_gamma(1.0 + ck)
            g2 = log_gamma(alpha + (n0 + n - n_acc))
            gs = _log_sum(g1, g2)
            log_nu[k] = g1 - gs + l_acc
            l_acc += g2 - gs
            nu[k] = math.exp(log_nu[k])
    log_nu[k_max - 1] = l_acc
    nu[k_max - 1] = math.exp(l_acc)
    # 4. probability of being on no list, and the number of such people
    pz = 0.0
    for k in range(k_max):
        p = nu[k]
        for j in range(n_lists):
            p *= 1.0 - lam[j, k]
        probs[k] = p
        pz += p
    if pz >= 1.0:
        pz = 1.0 - 1e-300
    # negative binomial (failures before n successes, success prob 1 - pz) as gamma-Poisson
    rate = gamma(float(n)) * (pz / (1.0 - pz)) if pz > 0.0 else 0.0
    n0 = np.random.poisson(rate) if rate > 0.0 else 0
    # 5. classes of the unobserved people
    _multinomial(n0, probs, c0, order)
    # 6. concentration parameter
    if update_alpha:
        alpha = gamma(a_alpha + k_max - 1.0) / (b_alpha - log_nu[k_max - 1])
    state[0] = n0
    state[1] = alpha
    state[2] = pz
    state[3] = k_star


@njit(cache=True)
def run_chain(cells, freq, k_max, a_alpha, b_alpha, burnin, n_samples, thinning, seed):
    """Initialise as LCMCR does, warm up 500 sweeps, burn in, then keep every ``thinning``-th sweep.

    Returns traces (n_samples x 4): N, alpha, probability of being on no list, occupied classes."""
    np.random.seed(seed)
    m_cells, n_lists = cells.shape
    n = 0
    for m in range(m_cells):
        n += freq[m]
    lam = np.empty((n_lists, k_max))
    for j in range(n_lists):
        on = 0
        for m in range(m_cells):
            if cells[m, j] == 1:
                on += freq[m]
        for k in range(k_max):
            lam[j, k] = on / n
    nu = np.empty(k_max)
    log_nu = np.empty(k_max)
    if k_max > 4:  # LCMCR's starting weights: four big classes, the rest small
        for k in range(k_max):
            nu[k] = 0.25 * 0.9 if k < 4 else 0.1 / (k_max - 4)
    else:
        for k in range(k_max):
            nu[k] = 1.0 / k_max
    for k in range(k_max):
        log_nu[k] = math.log(nu[k])
    cz = np.zeros((m_cells, k_max), dtype=np.int64)
    c0 = np.zeros(k_max, dtype=np.int64)
    state = np.array([0.0, 0.3 / k_max, 0.0, 0.0])
    probs = np.empty(k_max)
    order = np.zeros(k_max, dtype=np.int64)
    aux1 = np.zeros((n_lists, k_max), dtype=np.int64)
    aux0 = np.zeros((n_lists, k_max), dtype=np.int64)
    for _ in range(500):  # warm-up with alpha held fixed, as in LCMCR
        _sweep(cells, freq, n, lam, nu, log_nu, cz, c0, state, a_alpha, b_alpha, False, probs, aux1, aux0, order)
    for _ in range(burnin):
        _sweep(cells, freq, n, lam, nu, log_nu, cz, c0, state, a_alpha, b_alpha, True, probs, aux1, aux0, order)
    out = np.empty((n_samples, 4))
    for s in range(n_samples):
        for _ in range(thinning):
            _sweep(cells, freq, n, lam, nu, log_nu, cz, c0, state, a_alpha, b_alpha, True, probs, aux1, aux0, order)
        out[s, 0] = n + state[0]
        out[s, 1] = state[1]
        out[s, 2] = state[2]
        out[s, 3] = state[3]
    return out
