"""What a linkage run takes and gives: reviewers' decisions, settings, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from svidok.linkage.records import RowIssue


@dataclass(frozen=True)
class LabelledPair:
    """A reviewer's decision on two records: the same person or not."""

    record_id_l: str
    record_id_r: str
    is_match: bool


@dataclass
class LinkageConfig:
    #: Pairs at or above this probability join records into one cluster; two groups of
    #: records join when all pairs between them together are as strong (see split_components).
    threshold: float = 0.5
    #: Pairs from this probability are returned (for a review queue), not only clustered ones.
    review_threshold: float = 0.5
    #: "duckdb" (default, in-process) or "spark"; None reads SVIDOK_LINKAGE_BACKEND.
    backend: str | None = None
    spark_session: Any = None
    #: Cores the engine and the name reading may use (None: all the machine has).
    threads: int | None = None
    #: Memory the DuckDB engine may hold before it spills to a temporary directory
    #: (None: DuckDB's own default, 80 % of the machine's memory). At 1,000,000 records
    #: it held ~3 GB of the 5.45 GiB peak; at 2.5GB the run was no slower (docs/linkage.md).
    engine_memory: str | None = "2.5GB"
    #: Random pairs sampled to estimate u (how often fields agree by chance).
    u_max_pairs: float = 3e6
    #: Cap on pairs per expectation-maximisation pass (None: all blocked pairs).
    em_max_pairs: float | None = 2e6
    #: Share of true matches the deterministic rule is assumed to find (for the prior).
    #: Below this many usable records the shipped default model is used instead of
    #: parameters estimated from the data (too few pairs to estimate from).
    min_records_to_train: int = 1000
    #: Reviewed pairs count as much as this many pairs' worth of data when their
    #: m estimate is blended into the model's.
    label_weight_pairs: int = 200
    #: Lowest m probability of any level, so that no single disagreement is a veto.
    m_floor: float = 0.01
    #: Groups of linked records larger than this are kept as linked, without comparing
    #: every pair inside them (see ``split_components``).
    max_checked_component: int = 2000
    seed: int = 1
    #: Explain every returned pair (each field's verdict and weight), see ``explain``.
    explain: bool = False
    #: Weigh whether two records come from one source (see :mod:`svidok.linkage.source_weight`).
    weigh_sources: bool = True

    def __post_init__(self) -> None:
        # A probability of exactly 0 or 1 is an infinite match weight: the engine cannot compare it.
        for name in ("threshold", "review_threshold"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must be strictly between 0 and 1, not {value}")
        if self.engine_memory is not None:
            from svidok.linkage.backends import memory_size

            memory_size(self.engine_memory)


@dataclass
class LinkageResult:
    #: record_id, cluster_id, match_probability (highest link inside its cluster; NaN alone).
    clusters: pd.DataFrame
    #: record_id_l, record_id_r, match_probability, match_weight, decided ("" / accepted / rejected).
    pairs: pd.DataFrame
    issues: list[RowIssue]
    #: The trained Splink model as a settings dict (save as JSON to audit or reuse).
    model: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: (record_id_l, record_id_r) -> {"prior", "total", "fields"} when config.explain
    #: (see :func:`svidok.linkage.explain.explain_pairs`; ``sentences`` puts it in words).
    explanations: dict[tuple[str, str], dict] = field(default_factory=dict)
