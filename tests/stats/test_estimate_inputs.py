"""Large, odd and hostile inputs to the estimators: exact whole numbers, clear refusals, no tracebacks."""

from __future__ import annotations

import time

import numpy as np
import pytest

from svidok.stats.counts_table import MAX_LISTS, CountsError, read_counts_csv, table_from_patterns
from svidok.stats.estimate_lcmcr import estimate_lcmcr, lcmcr_draws
from svidok.stats.estimate_loglinear import estimate_loglinear
from svidok.stats.fast_random import binomial, new_state
from svidok.stats.lcmcr_sampler import N0_CAP

from .published_data import KOSOVO, KOSOVO_LISTS, kosovo


def write(tmp_path, text: str):
    p = tmp_path / "counts.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("9007199254740993", "at most 1,000,000,000,000"),  # 2^53 + 1: would round silently as a float
        ("100000000000000000000", "at most"),
        ("-5", "negative"),
        ("2.5", "not a whole number"),
        ("1e400", "at most"),
        ("nan", "not a whole number"),
        ("abc", "not a number"),
    ],
)
def test_bad_counts_are_refused_with_the_row(tmp_path, count: str, message: str) -> None:
    p = write(tmp_path, f"A,B,C,count\n1,0,0,5\n0,1,0,{count}\n1,1,0,3\n")
    with pytest.raises(CountsError, match=message) as exc:
        read_counts_csv(p)
    assert "row 2" in str(exc.value)


def test_counts_are_read_exactly(tmp_path) -> None:
    p = write(tmp_path, "A,B,C,count\n1,0,0,999999990000\n0,1,0,1e3\n1,1,0,3.0\n")
    t = read_counts_csv(p)
    assert t.observed == 999_999_990_000 + 1000 + 3


def test_too_many_lists_are_refused_before_the_table_is_allocated(tmp_path) -> None:
    header = ",".join(f"L{j}" for j in range(30)) + ",count\n"
    p = write(tmp_path, header + ",".join(["1"] + ["0"] * 29) + ",4\n")
    t0 = time.perf_counter()
    with pytest.raises(CountsError, match=f"30 lists: at most {MAX_LISTS}"):
        read_counts_csv(p)
    assert time.perf_counter() - t0 < 1.0  # nothing of size 2^30 was built


def test_loglinear_refuses_more_than_six_lists() -> None:
    t = table_from_patterns([f"L{j}" for j in range(7)], [((1, 0, 0, 0, 0, 0, 0), 3), ((1, 1, 0, 0, 0, 0, 0), 2)])
    with pytest.raises(CountsError, match="2 to 6 lists"):
        estimate_loglinear(t)


def scaled_kosovo(factor: int):
    return table_from_patterns(KOSOVO_LISTS, [(p, c * factor) for p, c in KOSOVO])


def test_loglinear_with_counts_near_a_billion_converges_and_bounds_the_interval() -> None:
    small = estimate_loglinear(kosovo())
    big = estimate_loglinear(scaled_kosovo(10**6))
    assert not any("converge" in w for w in big.warnings)
    assert np.isfinite(big.upper) and big.lower < big.estimate < big.upper
    # the same model fitted to a million times the counts has an n0 a million times as large
    fit = next(m for m in big.ranking if m.label == small.model)
    assert fit.estimate == pytest.approx(small.estimate * 10**6, rel=1e-6)


def test_sparse_table_gives_no_absurd_estimate() -> None:
    rows = [((1, 0, 0, 0), 30), ((0, 1, 0, 0), 25), ((0, 0, 1, 0), 40), ((0, 0, 0, 1), 12),
            ((1, 1, 0, 0), 1), ((0, 0, 1, 1), 2)]  # fmt: skip
    r = estimate_loglinear(table_from_patterns("ABCD", rows))
    assert r.estimate < 100 * r.observed
    assert any("no finite estimate" in w for w in r.warnings)


def test_table_with_no_usable_model_is_refused_in_words() -> None:
    rows = [((1, 0, 0), 30), ((0, 1, 0), 25), ((0, 0, 1), 40), ((1, 1, 0), 1)]
    with pytest.raises(CountsError, match="C share no one with any other list"):
        estimate_loglinear(table_from_patterns("ABC", rows))


def test_lcmcr_with_a_trillion_people_is_exact_and_quick() -> None:
    factor = 10**12 // 4400 // 2
    t = scaled_kosovo(factor)
    t0 = time.process_time()
    draws = lcmcr_draws(t, chains=1, burnin=200, samples=50, thinning=2, seed=5)
    assert time.process_time() - t0 < 30  # draws in bulk: the time does not grow with the counts
    assert draws.dtype == np.int64
    assert (draws >= t.observed).all() and (draws <= (N0_CAP + 1) * t.observed).all()
    # the share undocumented is about that of the original data (median near 2.4x documented)
    assert 1.5 < np.median(draws) / t.observed < 4


def test_lcmcr_caps_the_undocumented_at_twenty_times_the_documented() -> None:
    # three lists that hardly overlap: without the cap N runs off
    t = table_from_patterns("ABC", [((1, 0, 0), 40), ((0, 1, 0), 35), ((0, 0, 1), 30), ((1, 1, 0), 1), ((0, 1, 1), 1)])
    r = estimate_lcmcr(t, burnin=500, samples=300, thinning=5, chains=2, keep_draws=True)
    assert r.draws.max() <= (N0_CAP + 1) * t.observed
    assert any("cap" in w for w in r.warnings)


def test_chains_give_the_same_draws_whatever_the_number_of_workers() -> None:
    a = lcmcr_draws(kosovo(), chains=3, burnin=100, samples=30, thinning=2, seed=9, workers=1)
    b = lcmcr_draws(kosovo(), chains=3, burnin=100, samples=30, thinning=2, seed=9, workers=3)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("bad", [{"k_max": 0}, {"k_max": 10**6}, {"chains": 1000}, {"samples": 0},
                                 {"samples": 10**8}, {"thinning": 10**9}])
def test_lcmcr_settings_outside_the_supported_range_are_refused(bad: dict) -> None:
    with pytest.raises(CountsError):
        estimate_lcmcr(kosovo(), **bad)


def test_binomial_matches_its_distribution() -> None:
    from numba import njit
    from scipy.stats import binom, chisquare

    @njit
    def draws(n, p, k, seed):
        st = new_state(seed)
        out = np.empty(k, np.int64)
        for i in range(k):
            out[i] = binomial(st, n, p)
        return out

    for seed, (n, p) in enumerate([(7, 0.3), (40, 0.2), (1131, 0.45), (10**12, 2e-11), (10**9, 0.7)]):
        x = draws(n, p, 200_000, seed + 1)
        vals, cnt = np.unique(x, return_counts=True)
        expected = binom.pmf(vals, n, p) * x.size
        keep = expected > 5
        stat = chisquare(cnt[keep], expected[keep] * cnt[keep].sum() / expected[keep].sum())
        assert stat.pvalue > 1e-4, (n, p, stat)
