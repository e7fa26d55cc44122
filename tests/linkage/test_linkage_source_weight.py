"""Whether two records come from one source, weighed: a list names a person once."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.explain import sentences
from svidok.linkage.source_weight import same_source_share, source_comparison

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from linkage_oracle import TRUTH_COLUMNS
from linkage_yardstick_gen import generate


def test_the_chance_of_one_source_is_counted_exactly():
    sources = pd.Series(["ua"] * 3 + ["ru"] * 2)
    assert same_source_share(sources) == (3 * 2 + 2 * 1) / (5 * 4)
    assert same_source_share(pd.Series(["ua"] * 5)) is None  # one source tells nothing
    comparison = source_comparison(sources, q1=0.02)
    same, different = comparison["comparison_levels"][1:]
    assert (same["m_probability"], same["u_probability"]) == (0.02, 0.4)
    assert (different["m_probability"], different["u_probability"]) == (0.98, 0.6)
    assert source_comparison(sources, q1=0.5) is None  # no less likely within a source: no evidence


def test_a_pair_from_one_list_weighs_less_than_the_same_evidence_from_two():
    # Invented persons: the same name and birth year in one list twice, and in two lists.
    rows = [dict(record_id="s1", source="ua_registry", name="Павлюченко Ігор", birth_date="1971"),
            dict(record_id="s2", source="ua_registry", name="Павлюченко Ігор", birth_date="1971"),
            dict(record_id="t1", source="ua_registry", name="Федорчишин Ігор", birth_date="1971"),
            dict(record_id="t2", source="media", name="Федорчишин Ігор", birth_date="1971")]
    filler = pd.DataFrame(generate(3000, seed=7)).drop(columns=list(TRUTH_COLUMNS))
    records = pd.concat([pd.DataFrame(rows), filler], ignore_index=True)
    result = link_records(records, config=LinkageConfig(review_threshold=0.001, explain=True))
    p = {(r.record_id_l, r.record_id_r): r.match_probability for r in result.pairs.itertuples()}
    assert p[("s1", "s2")] < p[("t1", "t2")]
    said = " ".join(sentences(result.explanations[("t1", "t2")]))
    assert "source: from two sources" in said
    without = link_records(records, config=LinkageConfig(review_threshold=0.001, weigh_sources=False))
    q = {(r.record_id_l, r.record_id_r): r.match_probability for r in without.pairs.itertuples()}
    assert abs(q[("s1", "s2")] - q[("t1", "t2")]) < 1e-6  # the same evidence, but for the source
    assert q[("s1", "s2")] > p[("s1", "s2")] and q[("t1", "t2")] < p[("t1", "t2")]
