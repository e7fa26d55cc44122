"""What it is worth that two records come from one source, or from two.

A source lists a person once, as a rule: a registry or a list of the detained rarely
names one person twice. So two records from one source are seldom one person, and
two records from different sources a little more often than two random records. The
same assumption gives the worth of a name (:mod:`svidok.linkage.frequencies`); here it
is a comparison of its own, so that it also weighs on each pair: among namesakes, a
pair from two sources is likelier one person than the name alone says, a pair from
one source much less likely.

Both probabilities are counted, not estimated by expectation maximisation: u, the
chance that two random records come from one source, is exact (sum over sources of
n(n - 1), divided by N(N - 1)); m, the chance that two records of one person come from
one source, is q1 of :func:`svidok.linkage.frequencies.same_source_when_one_person`.
"""

from __future__ import annotations

import pandas as pd

from svidok.core.messages import M_

#: Level labels in words (``M_``: the review page says them in its language).
SAME = M_("both from one source")
DIFFERENT = M_("from two sources")


def same_source_share(sources: pd.Series) -> float | None:
    """The chance that two records taken at random come from one source."""
    counts = sources.dropna().value_counts().to_numpy(dtype=float)
    n = counts.sum()
    if n < 2 or len(counts) < 2:
        return None
    return float((counts * (counts - 1)).sum() / (n * (n - 1)))


def source_comparison(sources: pd.Series, q1: float) -> dict | None:
    """A trained comparison (Splink's saved-model form) on the ``source`` column, with
    m of the same-source level ``q1``; None when the sources cannot tell persons apart."""
    u = same_source_share(sources)
    if u is None or not 0 < q1 < u:
        return None
    return {
        "output_column_name": "source",
        "comparison_description": "one source or two",
        "comparison_levels": [
            {"sql_condition": '"source_l" IS NULL OR "source_r" IS NULL', "label_for_charts": "missing",
             "is_null_level": True, "fix_m_probability": True, "fix_u_probability": True},
            {"sql_condition": '"source_l" = "source_r"', "label_for_charts": SAME,
             "m_probability": q1, "u_probability": u, "fix_m_probability": True, "fix_u_probability": True},
            {"sql_condition": "ELSE", "label_for_charts": DIFFERENT,
             "m_probability": 1 - q1, "u_probability": 1 - u, "fix_m_probability": True, "fix_u_probability": True},
        ],
    }
