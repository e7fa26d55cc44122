"""Find the records of one person within and across sources.

``link_records`` takes person records, trains the model on them (no labelled data
needed), scores candidate pairs and groups records into clusters, one per person.
Decisions that reviewers have already taken (accepted / rejected pairs) are fed in
as ``labels``: accepted pairs refine the model and are always linked, rejected ones
are never linked directly.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from svidok.linkage import model
from svidok.linkage.backends import make_db_api
from svidok.linkage.records import RowIssue, prepare

_FEATURES = ("unique_id", "source", "family_key", "given_key", "patronymic_key", "name_concat",
             "birth_year", "birth_month", "birth_day", "birth_date_key", "place_key", "sex",
             "facility_key", "custody_from", "document_id")


@dataclass(frozen=True)
class LabelledPair:
    """A reviewer's decision on two records: the same person or not."""

    record_id_l: str
    record_id_r: str
    is_match: bool


@dataclass
class LinkageConfig:
    #: Pairs at or above this probability join records into one cluster.
    threshold: float = 0.9
    #: Pairs from this probability are returned (for a review queue), not only clustered ones.
    review_threshold: float = 0.5
    #: "duckdb" (default, in-process) or "spark"; None reads SVIDOK_LINKAGE_BACKEND.
    backend: str | None = None
    spark_session: Any = None
    threads: int | None = None
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
    seed: int = 1

    def __post_init__(self) -> None:
        # A probability of exactly 0 or 1 is an infinite match weight: the engine cannot compare it.
        for name in ("threshold", "review_threshold"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must be strictly between 0 and 1, not {value}")


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


def link_records(
    records: pd.DataFrame | Iterable[Mapping[str, object]],
    *,
    labels: Iterable[LabelledPair] = (),
    config: LinkageConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> LinkageResult:
    """Cluster person records; see the module docstring. Raises CsvError for unusable input."""
    config = config or LinkageConfig()
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    say("deriving name keys and dates")
    features, issues = prepare(records)
    lap("prepare")
    labels = list(labels)
    usable = features[features["usable"]]
    cols = [c for c in _FEATURES if c in usable.columns]
    present = {c for c in cols if usable[c].notna().any()}
    empty_pairs = pd.DataFrame(columns=["record_id_l", "record_id_r", "match_probability",
                                        "match_weight", "decided"])
    if len(usable) < 2:
        clusters = _assemble(features, pd.DataFrame(columns=["unique_id", "cluster_id"]), empty_pairs, config)
        return LinkageResult(clusters, empty_pairs, issues, {}, timings)

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = make_db_api(config.backend, spark_session=config.spark_session, threads=config.threads)
    sdf = db_api.register(usable[cols].reset_index(drop=True), table_name="svidok_person_records")
    linker = Linker(sdf, model.settings(present), log_level=None)

    if len(usable) >= config.min_records_to_train:
        say("estimating parameters from the data")
        _train(linker, present, config)
        trained = _with_floor(linker.misc.save_model_to_json(), config.m_floor)
    else:
        say("too few records to train on: using the shipped default model")
        trained = _from_default(linker.misc.save_model_to_json(), len(usable))
    decided = {(min(p.record_id_l, p.record_id_r), max(p.record_id_l, p.record_id_r)): p.is_match
               for p in labels}
    accepted = [k for k, v in decided.items() if v]
    if accepted:
        trained = _refine_with_labels(sdf, db_api, trained, accepted, config)
    linker = Linker(sdf, trained, log_level=None)
    lap("train")

    say("scoring candidate pairs")
    predictions = linker.inference.predict(threshold_match_probability=config.review_threshold)
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability",
                                               "match_weight"]]
    lap("predict")
    pairs = _apply_decisions(pairs, decided)

    say("clustering")
    edges = pairs[pairs["match_probability"] >= config.threshold][["unique_id_l", "unique_id_r",
                                                                   "match_probability"]]
    nodes = usable[["unique_id"]].reset_index(drop=True)
    clustered = cluster_pairwise_predictions_at_threshold(
        nodes, edges.reset_index(drop=True), db_api, node_id_column_name="unique_id",
        threshold_match_probability=config.threshold,
    ).as_pandas_dataframe()[["unique_id", "cluster_id"]]
    lap("cluster")
    pairs = pairs.rename(columns={"unique_id_l": "record_id_l", "unique_id_r": "record_id_r"})
    return LinkageResult(_assemble(features, clustered, pairs, config), pairs, issues, trained, timings)


@contextlib.contextmanager
def _em_values_clamped():
    """Splink 5.0 refuses an m or u below 1e-300, yet EM produces one when no pair in
    a training block shows a level among matches (a facility that never differs);
    the pass then fails as a whole. Clamp to Splink's own minimum while training;
    the m floor applied afterwards supersedes such values anyway."""
    try:
        from splink.internals import comparison_level, expectation_maximisation as em
    except ImportError:  # a Splink without these internals: nothing to work around
        yield
        return
    original = em.populate_m_u_from_lookup
    lowest = getattr(comparison_level, "M_U_CLAMP_MIN", 1e-300)

    def clamped(fixed, level, column, lookup):  # noqa: ANN001, ANN202
        values = lookup.get(column, {}).get(level.comparison_vector_value)
        if values:
            for k in ("m_probability", "u_probability"):
                if isinstance(values.get(k), float) and values[k] < lowest:
                    values[k] = lowest
        return original(fixed, level, column, lookup)

    em.populate_m_u_from_lookup = clamped
    try:
        yield
    finally:
        em.populate_m_u_from_lookup = original


def _train(linker: Linker, present: set[str], config: LinkageConfig) -> None:
    with _em_values_clamped():
        _train_passes(linker, present, config)


def _train_passes(linker: Linker, present: set[str], config: LinkageConfig) -> None:
    log = logging.getLogger(__name__)
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    rules = model.em_blocking_rules(present)
    # The last pass that works also derives the prior (share of pairs that match)
    # from all passes, reversing what each pass's blocking rule implies.
    done: list = []
    for rule in rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=config.em_max_pairs, estimate_without_term_frequencies=True,
                populate_probability_two_random_records_match_from_trained_values=rule is rules[-1])
            done.append(rule)
        except Exception as e:  # noqa: BLE001 - a block with no pairs teaches nothing
            log.warning("EM pass on %s skipped: %s", rule, e)
    if done and done[-1] is not rules[-1]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            done[-1], max_pairs=config.em_max_pairs, estimate_without_term_frequencies=True,
            populate_probability_two_random_records_match_from_trained_values=True)


def _with_floor(trained: dict, floor: float) -> dict:
    """The trained model with every m probability at least ``floor`` (and every u set).

    Synthetic and small training sets never show some errors (a wrong sex, a
    place of residence instead of birth); an m of 1e-12 would turn one such field
    into a veto. A floor keeps disagreement strong evidence, never proof.
    """
    for comparison in trained.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for lv in levels:
            # A level that no match showed during training gets the floor too.
            if lv.get("m_probability") is None or lv["m_probability"] < floor:
                lv["m_probability"] = floor
        # A level never seen among random pairs (swapped names) has no u estimate;
        # it is at least as rare as the rarest level that was seen.
        seen_u = [lv["u_probability"] for lv in levels if lv.get("u_probability")]
        for lv in levels:
            if not lv.get("u_probability") and seen_u:
                lv["u_probability"] = min(seen_u)
        total = sum(lv.get("m_probability") or 0 for lv in levels)
        for lv in levels:
            if total:
                lv["m_probability"] /= total
    return trained


def _refine_with_labels(sdf, db_api, trained: dict, accepted: list[tuple[str, str]],
                        config: LinkageConfig) -> dict:
    """Blend m estimated from accepted pairs into the model.

    A handful of reviewed pairs must not replace what the whole data set says, so
    the label estimate weighs n / (n + config.label_weight_pairs) for n pairs.
    """
    labels_df = pd.DataFrame(accepted, columns=["unique_id_l", "unique_id_r"])
    labels_df["source_dataset_l"] = labels_df["source_dataset_r"] = sdf.dataset_display_name
    try:
        linker = Linker(sdf, copy.deepcopy(trained), log_level=None)
        linker.training.estimate_m_from_pairwise_labels(
            db_api.register(labels_df, table_name=f"svidok_accepted_pairs_{len(accepted)}"))
        from_labels = linker.misc.save_model_to_json()
    except Exception as e:  # noqa: BLE001 - labels that match no record must not stop linkage
        logging.getLogger(__name__).warning("reviewed pairs not used to refine the model: %s", e)
        return trained
    w = len(accepted) / (len(accepted) + config.label_weight_pairs)
    for comp, comp_l in zip(trained["comparisons"], from_labels["comparisons"]):
        for level, level_l in zip(comp["comparison_levels"], comp_l["comparison_levels"]):
            m, m_l = level.get("m_probability"), level_l.get("m_probability")
            if m is not None and m_l is not None:
                level["m_probability"] = (1 - w) * m + w * m_l
    return _with_floor(trained, config.m_floor)


DEFAULT_MODEL = Path(__file__).with_name("default_model.json")


def _from_default(untrained: dict, n_records: int) -> dict:
    """``untrained`` settings with m and u copied from the shipped default model.

    The default model was trained on synthetic records (bench/linkage_train_default.py).
    Its prior is rescaled: matches grow with the number of records, pairs with its square.
    """
    default = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    by_name = {c["output_column_name"]: c for c in default["comparisons"]}
    for comparison in untrained["comparisons"]:
        source = by_name.get(comparison["output_column_name"])
        if source is None:
            _cautious_prior(comparison)
            continue
        for level, trained_level in zip(comparison["comparison_levels"], source["comparison_levels"]):
            for k in ("m_probability", "u_probability"):
                if k in trained_level:
                    level[k] = trained_level[k]
    n_train = default.get("svidok_trained_on_records", n_records)
    prior = default["probability_two_random_records_match"] * (n_train - 1) / max(n_records - 1, 1)
    untrained["probability_two_random_records_match"] = min(prior, 0.5)
    return untrained


def _cautious_prior(comparison: dict) -> None:
    """m and u for a comparison the default model lacks: agreement on the most
    exact level is worth about 6 bits, disagreement costs about 3; between, little."""
    levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
    n = len(levels)
    if n < 2:
        return
    middle = max(n - 2, 1)
    for i, lv in enumerate(levels):
        first, last = i == 0, i == n - 1
        lv["m_probability"] = 0.6 if first else 0.1 if last else 0.3 / middle
        lv["u_probability"] = 0.01 if first else 0.9 if last else 0.09 / middle


def _apply_decisions(pairs: pd.DataFrame, decided: dict[tuple[str, str], bool]) -> pd.DataFrame:
    pairs = pairs.copy()
    lo = pairs[["unique_id_l", "unique_id_r"]].min(axis=1)
    hi = pairs[["unique_id_l", "unique_id_r"]].max(axis=1)
    pairs["unique_id_l"], pairs["unique_id_r"] = lo, hi
    pairs["decided"] = ""
    if not decided:
        return pairs.reset_index(drop=True)
    key = list(zip(pairs["unique_id_l"], pairs["unique_id_r"]))
    verdict = pd.Series([decided.get(k) for k in key], index=pairs.index, dtype="object")
    pairs.loc[verdict.eq(True), ["match_probability", "decided"]] = [1.0, "accepted"]
    pairs.loc[verdict.eq(False), ["match_probability", "decided"]] = [0.0, "rejected"]
    seen = set(key)
    extra = [(a, b, 1.0, float("inf"), "accepted") for (a, b), v in decided.items() if v and (a, b) not in seen]
    if extra:
        pairs = pd.concat([pairs, pd.DataFrame(extra, columns=pairs.columns)], ignore_index=True)
    return pairs.reset_index(drop=True)


def _assemble(features: pd.DataFrame, clustered: pd.DataFrame, pairs: pd.DataFrame,
              config: LinkageConfig) -> pd.DataFrame:
    """One row per input record, in input order; unusable records stand alone."""
    out = features[["unique_id"]].merge(clustered, on="unique_id", how="left")
    out["cluster_id"] = out["cluster_id"].fillna(out["unique_id"]).astype(str)
    strong = pairs[pairs["match_probability"] >= config.threshold]
    if len(strong):
        cid = dict(zip(out["unique_id"], out["cluster_id"]))
        l_col, r_col = ("unique_id_l", "unique_id_r") if "unique_id_l" in strong else ("record_id_l", "record_id_r")
        both = pd.concat([
            pd.DataFrame({"unique_id": strong[l_col], "other": strong[r_col], "p": strong["match_probability"]}),
            pd.DataFrame({"unique_id": strong[r_col], "other": strong[l_col], "p": strong["match_probability"]}),
        ])
        both = both[both["unique_id"].map(cid) == both["other"].map(cid)]
        best = both.groupby("unique_id")["p"].max()
        out["match_probability"] = out["unique_id"].map(best)
    else:
        out["match_probability"] = float("nan")
    return out.rename(columns={"unique_id": "record_id"})[["record_id", "cluster_id", "match_probability"]]
