"""Log-linear estimates on published human-rights data reproduce the published figures.

UK modern slavery 2013 (Home Office estimate, Silverman 2014; Bales, Hesketh & Silverman 2015):
the published figure is "between 10 thousand and 13 thousand" potential victims (gov.uk
publication page of "Modern slavery: an application of multiple systems estimation"), the 95%
profile-likelihood interval of the model chosen by Silverman's stepwise rule (R package
modslavmse, ``MSEfit``: add the two-list interaction that lowers AIC most, keep it only while
its Wald p-value is below 0.05). The full-precision figures are Rcapture's output for that
procedure as printed in the rendered notebook ``notes/minimal_example/minimal_example.html`` of
the public repository dglindner2/Modern-Slavery-MSE (G. Lindner, M. Greenberg, P. Gardan,
O. Binette, 2019), which runs Silverman's code on his data; it states that the five-list
coefficients are those reported by Bales et al. (2015).

Kosovo 1999 (Ball et al. 2002): the figure is the total printed by Silverman's R package
MultipleSystemsEstimation for its stepwise fit allowing interactions of any order (reference
page of ``estimate_population_stepwise``): model [134,12,23], total 18,393.31.

Data and sources: ``published_data.py``; docs/statistics.md lists them with our figures.
"""

from __future__ import annotations

from itertools import combinations

from scipy.stats import norm

from svidok.stats.counts_table import CountsTable
from svidok.stats.estimate_loglinear import (
    estimate_loglinear,
    estimate_model,
    fit_models,
    model_coefficients,
)

from .published_data import kosovo, uk_2013

#: The model Silverman's rule chooses on the six UK lists (order of entry: PF:NCA, LA:NG,
#: NG:GP, LA:PF, PF:GP, GO:GP, NG:GO; the next candidate, LA:GP, has p = 0.997 and stops it).
UK6_MODEL = [
    ("PF", "NCA"), ("LA", "NG"), ("NG", "GP"), ("LA", "PF"), ("PF", "GP"), ("GO", "GP"), ("NG", "GO")
]  # fmt: skip
#: Five lists, Rcapture's lambda1_2, lambda2_5, lambda3_5, lambda1_3, lambda4_5, lambda2_4.
UK5_MODEL = [("LA", "NG"), ("NG", "GP"), ("PFNCA", "GP"), ("LA", "PFNCA"), ("GO", "GP"), ("NG", "GO")]


def silverman_stepwise(t: CountsTable, pthresh: float = 0.05) -> list[tuple[str, str]]:
    """modslavmse's ``MSEfit`` rule, on our fits: forward selection of two-list interactions by
    AIC, stopping when no candidate lowers AIC or the chosen one's Wald p-value exceeds
    ``pthresh``. Candidates in R's loop order; ties go to the first."""
    pairs = list(combinations(range(t.n_lists), 2))
    chosen: list[tuple[int, int]] = []
    aic0 = fit_models(t, [()])[0].aic
    while len(chosen) < len(pairs):
        candidates = [p for p in pairs if p not in chosen]
        fits = fit_models(t, [tuple(sorted([*chosen, p])) for p in candidates])
        k = min(range(len(fits)), key=lambda i: (fits[i].aic, i))
        if fits[k].aic >= aic0:
            break
        new = tuple(t.lists[j] for j in candidates[k])
        terms = [tuple(t.lists[j] for j in p) for p in chosen] + [new]
        b, se = model_coefficients(t, terms)[":".join(new)]
        if 2 * norm.sf(abs(b / se)) > pthresh:
            break
        chosen.append(candidates[k])
        aic0 = fits[k].aic
    return [(t.lists[a], t.lists[b]) for a, b in chosen]


def test_uk_six_lists_home_office_estimate() -> None:
    t = uk_2013(6)
    assert t.observed == 2744  # "Number of captured units: 2744"
    assert silverman_stepwise(t) == UK6_MODEL
    fit = estimate_model(t, UK6_MODEL)
    # Rcapture, Poisson fit: abundance 11418, stderr 809.2, deviance 22.994, df 49,
    # AIC 162.659, BIC 245.499
    assert round(fit.estimate) == 11418 and round(fit.stderr, 1) == 809.2
    assert round(fit.deviance, 3) == 22.994 and fit.df == 49
    assert round(fit.aic, 3) == 162.659 and round(fit.bic, 3) == 245.499
    # Rcapture, multinomial profile likelihood: 11408.92, 95% interval 9982.256 - 13181.69
    assert round(fit.profile_mode, 2) == 11408.92
    assert round(fit.lower, 1) == 9982.3 and round(fit.upper, 1) == 13181.7
    # the published figure: between 10 thousand and 13 thousand
    assert (round(fit.lower, -3), round(fit.upper, -3)) == (10_000, 13_000)


def test_uk_five_lists_bales_hesketh_silverman_coefficients() -> None:
    t = uk_2013(5)
    assert silverman_stepwise(t) == UK5_MODEL
    coef = model_coefficients(t, UK5_MODEL)
    published = {
        "intercept": 9.0559, "LA": -5.0885, "NG": -2.9051, "PFNCA": -2.1485, "GO": -2.5218,
        "GP": -3.3053, "LA:NG": 1.5240, "NG:GP": -2.9217, "PFNCA:GP": -1.2468,
        "LA:PFNCA": 0.9224, "GO:GP": -1.1905, "NG:GO": -0.5534,
    }  # fmt: skip
    assert {k: round(coef[k][0], 4) for k in published} == published
    fit = estimate_model(t, UK5_MODEL)  # Residual Deviance: 16.35 on 19 df, AIC: 127.6
    assert round(fit.deviance, 2) == 16.35 and fit.df == 19 and round(fit.aic, 1) == 127.6
    # Rcapture closedpCI.t, main effects only: 13437.92 (11985.12 - 15165.9)
    main = estimate_model(t, [])
    # the profile likelihood is flat at its maximum: its argmax is known to about 0.01 (Rcapture's
    # own optimize() is no finer), the interval's ends (steep) to the printed decimals
    assert abs(main.profile_mode - 13437.92) < 0.01
    assert [round(v, 2) for v in (main.lower, main.upper)] == [11985.12, 15165.90]
    # all ten two-list interactions (LA and GP never overlap): 11051.61 (6154.733 - 20761.44);
    # Rcapture interpolates the lower limit on a grid, we find the root
    pairs = list(combinations(t.lists, 2))
    full = estimate_model(t, pairs)
    assert abs(full.profile_mode - 11051.61) < 0.01 and round(full.upper, 2) == 20761.44
    assert abs(full.lower - 6154.733) < 0.05


def _generators(label: str, lists: tuple[str, ...] | None = None) -> set[frozenset[str]]:
    """Maximal interaction terms of a model label: ours ``[A,B][B,C]`` or Rcapture's ``[12,23,4]``
    (digits are 1-based list numbers; a single digit is a main effect)."""
    if lists is None:
        groups = {frozenset(g.split(",")) for g in label.strip("[]").split("][")}
        return groups - {frozenset({"independence"})}
    return {frozenset(lists[int(c) - 1] for c in g) for g in label.strip("[]").split(",") if len(g) > 1}


def test_uk_four_lists_bic_ranking_matches_rcapture() -> None:
    t = uk_2013(4)
    assert t.observed == 2428
    r = estimate_loglinear(t, criterion="bic")
    # Rcapture closedpMS.t(UKdat_4): the ten models with the smallest BIC
    rcapture = [
        ("[12,13,4]", 11987.1, 828.8, 18.371, 8, 101.860, 142.423),
        ("[12,13,24]", 11015.2, 805.2, 11.341, 7, 96.830, 143.188),
        ("[12,24,3]", 10371.1, 705.2, 21.427, 8, 104.915, 145.479),
        ("[12,13,23,4]", 13052.1, 1124.4, 14.974, 7, 100.462, 146.821),
        ("[12,3,4]", 11310.6, 734.4, 30.608, 9, 112.097, 146.866),
        ("[12,13,23,24]", 11701.9, 1107.8, 10.178, 6, 97.667, 149.820),
        ("[12,13,14]", 11902.7, 832.7, 18.038, 7, 103.526, 149.885),
        ("[12,13,34]", 12277.5, 1159.7, 18.227, 7, 103.715, 150.074),
        ("[12,13,24,34]", 10338.4, 1074.9, 10.681, 6, 98.169, 150.323),
        ("[12,24,34]", 9310.4, 834.9, 18.695, 7, 104.184, 150.542),
    ]
    for ours, (label, n, se, dev, df, aic, bic) in zip(r.ranking[:10], rcapture, strict=True):
        assert _generators(ours.label) == _generators(label, t.lists), (ours.label, label)
        assert (round(ours.estimate, 1), round(ours.stderr, 1)) == (n, se)
        assert (round(ours.deviance, 3), ours.df) == (dev, df)
        assert (round(ours.aic, 3), round(ours.bic, 3)) == (aic, bic)
    # closedpCI.t(UKdat_4, mX = "[12,13,4]"): 11979.81 (10507.36 - 13780.6)
    assert [round(v, 2) for v in (r.profile_mode, r.lower, r.upper)] == [11979.81, 10507.36, 13780.60]


def test_kosovo_multiple_systems_estimation_stepwise_model() -> None:
    t = kosovo()
    assert t.observed == 4400
    # estimate_population_stepwise(Kosovo, maxorder = Inf): fitted model [134,12,23],
    # dark figure 13993.31, total 18393.31
    fit = estimate_model(t, [("EXH", "OSCE", "HRW"), ("EXH", "ABA"), ("ABA", "OSCE")])
    assert _generators(fit.label) == _generators("[134,12,23]", t.lists)
    assert round(fit.estimate - t.observed, 2) == 13993.31 and round(fit.estimate, 2) == 18393.31
