"""Model averaging over decomposable graphs, checked against HRDAG's R package dga (``bma.cr``).

The reference numbers were printed by dga 2.0.2 in R (the commands are described in
docs/statistics.md): the posterior of the undocumented count summed over models (``colSums``)
at a few grid points, and the posterior weights of the three best models (``rowSums``).
"""

from __future__ import annotations

import numpy as np
import pytest

from svidok.stats.counts_table import CountsError, CountsTable
from svidok.stats.estimate_dga import decomposable_graphs, estimate_dga, log_prior_n

from .published_data import DARROCH_R3, kosovo, table, uk_2013

#: Madigan & York's 5-list example in ?bma.cr: delta 1/2, Nmissing 1..300, prior 1/N.
MY5 = [27, 37, 19, 4, 4, 1, 1, 97, 22, 37, 25, 2, 1, 3, 5, 83, 36, 34, 18, 3, 5, 0, 2, 30, 5, 23, 8, 0, 3, 0, 2]
#: Madigan & York's 3-list example in ?bma.cr: delta 1, Nmissing 1..300, negative binomial prior on N.
MY3 = [60, 49, 4, 247, 112, 142, 12]

#: case -> (cells, Nmissing grid, delta, prior, {Nmissing: posterior}, [(model, weight)] best three)
REFERENCE = {
    "my5": (MY5, np.arange(1, 301), 0.5, "improper",
            {1: 1.18562918516428e-09, 50: 0.00392163345885949, 100: 0.0105447968293878,
             150: 0.000102161493903318, 300: 2.25183360639813e-08},
            [("[1,2][1,3][2,4][4,5]", 0.217073450567816), ("[1,2][1,3][4,5]", 0.160293686984362),
             ("[1,2,4][1,3][4,5]", 0.0822656216259611)]),
    "my3": (MY3, np.arange(1, 301), 1.0, "negbin",
            {1: 0.000381036736108156, 60: 0.00249578948859475, 105: 0.0154549935579864,
             200: 0.000243680005743862, 300: 1.28241700151626e-05},
            [("[1,2][3]", 0.373767397640113), ("[1,2][2,3]", 0.309895301755479), ("[1,2][1,3]", 0.281809922122678)]),
    "kosovo": (list(kosovo().cells), np.arange(0, 8001), 1 / 16, "improper",
               {0: 1.28722745993566e-06, 2000: 1.98659994461879e-09, 5000: 2.66193763733737e-05,
                7000: 0.000469593825057818, 8000: 0.00057162278763806},
               [("[1,2,3][1,3,4]", 0.967839596252791), ("[1,2,3][3,4]", 0.0239321971508635),
                ("[1,2,3][2,3,4]", 0.0082259206719635)]),
    "darroch": (DARROCH_R3, np.arange(0, 2001), 1 / 8, "improper",
                {0: 0.445319463176124, 1: 0.0555308005285852, 10: 0.00765384472118388,
                 1000: 4.30106806253444e-05, 2000: 1.41827504740557e-05},
                [("[1,2,3]", 0.997652939134147), ("[1,3][2,3]", 0.00234706085201748),
                 ("[1][2,3]", 1.2375205827461e-11)]),
    "uk5": (list(uk_2013(5).cells), np.arange(0, 20001), 1 / 32, "improper",
            {0: 2.20493467997674e-11, 5000: 2.7642849236427e-08, 8000: 0.000153557048195862,
             15000: 1.1852297026678e-05, 20000: 0.000138881092416819},
            [("[1,2,5][1,3,5][4,5]", 0.311908720465548), ("[1,2,3][3,4][2,5]", 0.247565236756665),
             ("[1,2,5][2,4,5][1,3,5]", 0.078053468549008)]),
}


def cliques(label: str) -> set[str]:
    return set(label.strip("[]").split("]["))


def numbered(cells: list[int]) -> CountsTable:
    p = int(np.log2(len(cells) + 1))
    return CountsTable(tuple(str(j + 1) for j in range(p)), np.array(cells))


@pytest.mark.parametrize("case", sorted(REFERENCE))
def test_posterior_of_n_and_model_weights_agree_with_dga(case: str) -> None:
    cells, grid, delta, prior, post, best = REFERENCE[case]
    r = estimate_dga(numbered(cells), missing=grid, delta=delta, prior=prior, top=3)
    n0 = np.array(r.grid) - r.observed
    for m, want in post.items():
        assert r.posterior[int(np.flatnonzero(n0 == m)[0])] == pytest.approx(want, rel=1e-6)
    assert [cliques(m["model"]) for m in r.models] == [cliques(m) for m, _ in best]
    for got, (_, want) in zip(r.models, best, strict=True):
        assert got["weight"] == pytest.approx(want, rel=1e-6)
    assert sum(r.posterior) == pytest.approx(1.0)
    assert r.lower <= r.median <= r.upper and r.estimate == r.median


def test_graph_counts_match_dga_and_every_graph_is_decomposable() -> None:
    assert [len(decomposable_graphs(p)) for p in (3, 4, 5)] == [8, 61, 822]
    for g in decomposable_graphs(4):
        # a junction forest: cliques minus (non-empty) separators = connected components
        comps: list[int] = []
        for c in g.cliques:
            joined = [k for k in comps if k & c]
            comps = [k for k in comps if not k & c] + [c | sum(joined)]
        assert len(g.cliques) - len(g.separators) == len(comps), g
        assert len(set(g.cliques)) == len(g.cliques)  # no clique repeated
    # the 4-cycle 1-2-3-4-1 has a chordless cycle: it must not be among them
    cycle = {0b0011, 0b0110, 0b1100, 0b1001}
    assert not any(set(g.cliques) == cycle for g in decomposable_graphs(4))


def test_six_lists_average_over_all_18154_decomposable_graphs() -> None:
    """dga itself stops at 5 lists; Svidok enumerates the 18,154 labelled chordal graphs on 6
    (OEIS A058862: 1, 2, 8, 61, 822, 18154). The UK 2013 table's six lists then give an interval
    that overlaps the five-list one (PF and NCA merged), as two readings of the same population."""
    graphs = decomposable_graphs(6)
    assert len(graphs) == 18154 and len(set(graphs)) == 18154
    six, five = estimate_dga(uk_2013(6)), estimate_dga(uk_2013(5))
    assert six.n_models == 18154 and len(six.lists) == 6
    assert six.lower <= six.median <= six.upper
    assert six.lower < five.upper and five.lower < six.upper
    with pytest.raises(CountsError, match="3 to 6 lists, got 7"):
        estimate_dga(CountsTable(tuple("ABCDEFG"), np.ones(127, dtype=int)))


def test_separators_are_a_multiset_for_a_star() -> None:
    star = [g for g in decomposable_graphs(4) if set(g.cliques) == {0b0011, 0b0101, 0b1001}]
    assert len(star) == 1 and star[0].separators == (0b0001, 0b0001)


def test_default_grid_delta_and_names_in_output() -> None:
    r = estimate_dga(kosovo())
    assert r.delta == 1 / 16 and r.n_models == 61 and r.method == "dga"
    assert r.grid[0] == r.observed == 4400
    assert r.models[0]["model"] == "[EXH,ABA,OSCE][EXH,OSCE,HRW]"
    assert 9000 < r.lower < r.median < r.upper < 20000 and not r.warnings
    weights = [m["weight"] for m in r.models]
    assert weights == sorted(weights, reverse=True)


def test_grid_too_short_is_warned() -> None:
    r = estimate_dga(kosovo(), missing=np.arange(0, 2000))
    assert any("widen the grid" in w for w in r.warnings)


def test_independent_lists_recover_a_known_total() -> None:
    """Three lists catching each of 10,000 people independently: the truth lies in the interval."""
    p, n = (0.3, 0.4, 0.5), 10_000
    cells = np.zeros(7)
    for mask in range(1, 8):
        cells[mask - 1] = n * np.prod([p[j] if mask >> j & 1 else 1 - p[j] for j in range(3)])
    r = estimate_dga(CountsTable(("A", "B", "C"), np.round(cells).astype(int)))
    assert r.lower <= n <= r.upper and abs(r.median - n) < 200


def test_bad_input_is_refused_with_the_reason() -> None:
    with pytest.raises(CountsError, match="3 to 6 lists, got 2"):
        estimate_dga(CountsTable(("A", "B"), np.array([10, 20, 5])))
    with pytest.raises(ValueError, match="delta must be positive"):
        estimate_dga(table(DARROCH_R3), delta=0)
    with pytest.raises(ValueError, match="one value per grid point"):
        estimate_dga(table(DARROCH_R3), missing=[0, 1, 2], log_prior=np.zeros(2))
    with pytest.raises(ValueError, match=r"one value per graph \(8\)"):
        estimate_dga(table(DARROCH_R3), log_model_prior=np.zeros(3))
    with pytest.raises(ValueError, match="prior must be one of"):
        log_prior_n(np.arange(1, 5), "flat")


def test_strata_totals_add_posterior_draws() -> None:
    from svidok.stats.estimate_strata import estimate_by_stratum, total_over_strata

    results = estimate_by_stratum({"a": kosovo(), "b": table(DARROCH_R3)}, "dga", max_missing=40_000)
    assert all(r.draws is not None and r.draws.size == 4000 for r in results)
    total = total_over_strata(results)
    a, b = (r.result for r in results)
    assert total["interval"].startswith("posterior")
    assert a["lower"] + b["lower"] < total["lower"] < total["estimate"] < total["upper"] < a["upper"] + b["upper"]


def test_model_prior_can_rule_models_out() -> None:
    graphs = decomposable_graphs(3)
    only = [i for i, g in enumerate(graphs) if len(g.cliques) == 3][0]  # independence
    prior = np.full(len(graphs), -np.inf)
    prior[only] = 0.0
    r = estimate_dga(table(DARROCH_R3), log_model_prior=prior)
    assert r.models[0]["model"] == "[c1][c2][c3]" and r.models[0]["weight"] == pytest.approx(1.0)
    assert r.median == r.models[0]["median"] and r.median < estimate_dga(table(DARROCH_R3)).median
