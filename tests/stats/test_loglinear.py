"""Log-linear estimates reproduce published figures to the reported precision.

Sources (cited in docs/statistics.md): the data and figures are those reproduced by the R package
Rcapture's own validation tests (Baillargeon & Rivest 2007, J. Stat. Softw. 19(5);
``inst/tests/testPapersResults.R``), which take them from the original papers named in
``published_data.py``. Our model notation: interaction terms between lists c1..c4.
"""

from __future__ import annotations

import math

import pytest

from svidok.stats.estimate_loglinear import estimate_loglinear, estimate_model, hierarchical_models

from .published_data import CORMACK_3, CORMACK_4, DARROCH_R3, DIABETES, table

ALL_PAIRS_3 = [("c1", "c2"), ("c1", "c3"), ("c2", "c3")]


def test_darroch_r3_saturated_and_two_interaction_models() -> None:
    t = table(DARROCH_R3)
    sat = estimate_model(t, ALL_PAIRS_3)
    assert round(sat.estimate) == 1240 and round(sat.stderr) == 451
    inter2 = estimate_model(t, [("c1", "c2"), ("c2", "c3")])
    assert round(inter2.estimate) == 850 and round(inter2.stderr) == 186
    assert round(inter2.deviance, 1) == 3.8 and inter2.df == 1


def test_diabetes_bruno_model_and_rivest_model() -> None:
    t = table(DIABETES)
    pairs = [("c1", "c2"), ("c1", "c3"), ("c2", "c3"), ("c2", "c4"), ("c3", "c4")]  # all but c1:c4
    bruno = estimate_model(t, pairs)
    assert (round(bruno.estimate), round(bruno.stderr)) == (2771, 145)
    assert round(bruno.deviance, 2) == 7.62 and bruno.df == 5
    rivest = estimate_model(t, [("c1", "c3"), ("c2", "c4"), ("c3", "c4")])
    assert (round(rivest.estimate), round(rivest.stderr)) == (2472, 53)
    assert round(rivest.deviance, 2) == 21.97 and rivest.df == 7


def test_cormack_four_lists() -> None:
    t = table(CORMACK_4)
    mt = estimate_model(t, [])
    assert round(mt.estimate) == 215 and round(mt.deviance, 1) == 87.1 and mt.df == 10
    a4 = estimate_model(t, [("c3", "c4"), ("c1", "c3")])
    assert round(a4.deviance, 1) == 7.7 and a4.df == 8
    a5 = estimate_model(t, [("c1", "c2"), ("c1", "c3"), ("c3", "c4")])
    assert round(a5.estimate) == 218 and round(a5.deviance, 1) == 2.6 and a5.df == 7
    a2 = estimate_model(t, [(a, b) for i, a in enumerate(t.lists) for b in t.lists[i + 1 :]])
    assert a2.estimate > 1_000_000 and round(a2.deviance, 1) == 1.3 and a2.df == 4
    assert a2.warnings  # the data cannot pin this one down, and we say so


def test_cormack_three_lists_profile_likelihood_intervals() -> None:
    t = table(CORMACK_3)
    b1 = estimate_model(t, [])
    assert round(b1.estimate) == 209 and round(b1.deviance, 1) == 75.1 and b1.df == 3
    assert (round(b1.lower), round(b1.upper)) == (203, 217)
    b2 = estimate_model(t, [("c2", "c3")])
    assert round(b2.deviance, 1) == 1.2 and b2.df == 2 and round(b2.lower) == 210
    b4 = estimate_model(t, [("c1", "c3"), ("c2", "c3")])
    assert round(b4.estimate) == 233 and b4.df == 1 and round(b4.lower) == 204
    b5 = estimate_model(t, ALL_PAIRS_3)
    assert round(b5.deviance, 1) == 0 and b5.df == 0


def test_interval_contains_estimate_and_observed_is_a_floor() -> None:
    t = table(DIABETES)
    r = estimate_loglinear(t)
    assert t.observed <= r.lower <= r.estimate <= r.upper
    assert r.observed == 2069


@pytest.mark.parametrize(("lists", "expected"), [(3, 8), (4, 113), (5, 6893)])
def test_number_of_hierarchical_models(lists: int, expected: int) -> None:
    # 3 lists: independence, 3 one-pair, 3 two-pair, all three pairs = 8 models
    assert len(hierarchical_models(lists)) == expected
    for model in hierarchical_models(lists):
        terms = set(model)
        for term in terms:  # hierarchy: every sub-interaction of a term is in the model
            if len(term) > 2:
                for drop in term:
                    assert tuple(x for x in term if x != drop) in terms


def test_model_choice_by_aic_and_bic_ranks_every_model() -> None:
    t = table(DIABETES)
    aic = estimate_loglinear(t, criterion="aic")
    bic = estimate_loglinear(t, criterion="bic")
    assert aic.n_models == len(aic.ranking) == 113
    assert [m.aic for m in aic.ranking] == sorted(m.aic for m in aic.ranking)
    assert [m.bic for m in bic.ranking] == sorted(m.bic for m in bic.ranking)
    assert aic.ranking[0].label == aic.model
    assert not math.isnan(aic.estimate)


def test_independent_lists_recover_the_truth() -> None:
    """Simulated independent lists: the independence model is chosen often and covers N."""
    import numpy as np

    from svidok.stats.counts_table import table_from_source_sets

    rng = np.random.default_rng(5)
    n_true = 3000
    caught = rng.random((n_true, 4)) < np.array([0.3, 0.2, 0.25, 0.15])
    people = [{f"L{j}" for j in range(4) if row[j]} for row in caught if row.any()]
    r = estimate_loglinear(table_from_source_sets(people, ["L0", "L1", "L2", "L3"]), criterion="bic")
    assert r.lower <= n_true <= r.upper
