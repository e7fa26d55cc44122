"""Find the records of one person within and across sources.

``link_records`` takes person records, trains the model on them (no labelled data
needed), scores candidate pairs and groups records into clusters, one per person.
Decisions that reviewers have already taken (accepted / rejected pairs) are fed in
as ``labels``: accepted pairs refine the model and are always linked, rejected ones
are never linked directly.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from splink import Linker
from splink.blocking_rule_library import CustomRule
from splink.clustering import cluster_pairwise_predictions_at_threshold

from svidok.linkage import model
from svidok.linkage.backends import make_db_api
from svidok.linkage.explain import explain_pairs
from svidok.linkage.frequencies import frequency_table, match_share_by_count, same_source_when_one_person
from svidok.linkage.records import RowIssue, prepare
from svidok.linkage.source_weight import source_comparison
from svidok.linkage.splink_compat import em_values_clamped

_FEATURES = ("unique_id", "source", "family_key", "family_sound", "given_key", "given_alt", "given_first",
             "given_initial", "patronymic_key",
             "name_concat", "birth_year", "birth_month", "birth_day", "birth_year_span", "birth_date_key",
             "place_key", "place_sound", "sex", "facility_key", "custody_from", "document_id", "name_count")

#: Names carried by at most this many records are "rare" for ``_refine_with_rare_names``.
RARE_NAME_RECORDS = 4


@dataclass(frozen=True)
class LabelledPair:
    """A reviewer's decision on two records: the same person or not."""

    record_id_l: str
    record_id_r: str
    is_match: bool


@dataclass
class LinkageConfig:
    #: Pairs at or above this probability join records into one cluster; two groups of
    #: records join when all pairs between them together are as strong (see _split_components).
    threshold: float = 0.5
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
    #: Groups of linked records larger than this are kept as linked, without comparing
    #: every pair inside them (see ``_split_components``).
    max_checked_component: int = 2000
    seed: int = 1
    #: Explain every returned pair (each field's verdict and weight), see ``explain``.
    explain: bool = False
    #: Weigh whether two records come from one source (see :mod:`svidok.linkage.source_weight`).
    weigh_sources: bool = True
    #: Two groups with birth years more than a year apart between them (beyond what an
    #: age allows) never join in the clustering, whatever the other pairs add up to.
    birth_years_veto: bool = True

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
    #: (record_id_l, record_id_r) -> {"prior", "total", "fields"} when config.explain
    #: (see :func:`svidok.linkage.explain.explain_pairs`; ``sentences`` puts it in words).
    explanations: dict[tuple[str, str], dict] = field(default_factory=dict)


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
    usable = features[features["usable"]].copy()
    usable["name_count"] = usable["name_concat"].map(usable["name_concat"].value_counts()).astype("Int64")
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
    if len(usable) >= config.min_records_to_train:
        say("estimating parameters from the data")
        trained, same_name_matches = _train(sdf, present, config, usable["name_concat"])
        trained = _with_floor(trained, config.m_floor)
        q1 = same_source_when_one_person(usable["name_concat"], usable["source"], same_name_matches,
                                         usable["birth_date_key"] if "birth_date_key" in usable else None)
        by_source = None if q1 is None or not config.weigh_sources else source_comparison(usable["source"], q1)
        if by_source:
            trained["comparisons"].append(by_source)
    else:
        say("too few records to train on: using the shipped default model")
        same_name_matches, q1 = 0.0, None
        trained = _from_default(Linker(sdf, model.settings(present), log_level=None).misc.save_model_to_json(),
                                len(usable))
    decided = {(min(p.record_id_l, p.record_id_r), max(p.record_id_l, p.record_id_r)): p.is_match
               for p in labels}
    accepted = [k for k, v in decided.items() if v]
    if accepted:
        trained = _refine_with_labels(sdf, db_api, trained, accepted, config)
    trained = _rounded(trained)
    linker = Linker(sdf, trained, log_level=None)

    registered: list = []  # the frequency table, computed once for the run and its explanations

    def with_frequencies(linker: Linker) -> None:
        if same_name_matches > 0:
            if not registered:
                registered.append(_name_frequencies(db_api, usable, same_name_matches, q1, trained))
            linker.table_management.register_term_frequency_lookup(registered[0], "name_concat")

    with_frequencies(linker)
    lap("train")

    say("scoring candidate pairs")
    predictions = linker.inference.predict(threshold_match_probability=config.review_threshold)
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability",
                                               "match_weight"]]
    # The engine adds each pair's weights on several threads in varying order; the
    # last bits differ between runs. Rounded, every run reports the same figures.
    pairs = pairs.round({"match_probability": 9, "match_weight": 6})
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
    clustered = _split_components(linker, db_api, clustered, decided, config, usable)
    lap("cluster")
    pairs = pairs.rename(columns={"unique_id_l": "record_id_l", "unique_id_r": "record_id_r"})
    pairs = pairs.sort_values(["record_id_l", "record_id_r"], ignore_index=True)  # same order every run
    explanations = {}
    if config.explain and len(pairs):
        say("explaining the pairs")
        explanations = explain_pairs(sdf, trained, db_api, pairs[["record_id_l", "record_id_r"]], with_frequencies)
        lap("explain")
    return LinkageResult(_assemble(features, clustered, pairs, config), pairs, issues, trained, timings,
                         explanations)


def _split_components(linker: Linker, db_api, clustered: pd.DataFrame,
                      decided: dict[tuple[str, str], bool], config: LinkageConfig,
                      features: pd.DataFrame | None = None) -> pd.DataFrame:
    """Clusters from the connected components of the links, without chaining.

    Connected components join two persons' records as soon as one pair between them
    is linked: a media report "Iryna Chalenko, 70" links to two namesakes born the
    same year, and all their records become one cluster. So every pair inside a
    component of three or more records is scored, and the component is rebuilt link
    by link, strongest first: two groups of records join only when the pairs between
    them, their match weights (log-odds) added up, are at least as strong as one link
    at the threshold. For two single records that is the link itself; for larger
    groups, pairs that contradict each other (another birth date, another
    patronymic) or share nothing but the name count against the join. It is the
    greedy way to the most likely partition under the pairwise model (correlation
    clustering). One exception: a single record joins a group through its strongest
    link alone when none of its pairs with the group contradicts (birth years more
    than a year apart, another sex, patronymic or place: ``_contradicting``). Its other pairs then lack a field rather than
    disagree on one ("Ярослав Ткачін, Ізюм" beside a registry record with the place
    and two without it), and adding them up counted the odds against a random pair
    once per record of the group (yardstick 2026-12-05: F1 0.941 -> 0.946 at
    200,000, P 0.969 -> 0.965, R 0.914 -> 0.928; 0.971 -> 0.974 at 20,000; with
    birth years and sex alone as contradictions 0.941, P 0.952; for any two groups,
    not only a single record, precision fell to 0.932). Reviewers' decisions are final: an accepted pair always joins, a
    rejected one keeps its groups apart unless accepted pairs join them.
    """
    sizes = clustered.groupby("cluster_id")["unique_id"].transform("size")
    big = clustered[(sizes >= 3) & (sizes <= config.max_checked_component)][["cluster_id", "unique_id"]]
    if big.empty:
        return clustered
    if (sizes > config.max_checked_component).any():
        logging.getLogger(__name__).warning(
            "%d records are in groups of more than %d linked records, kept without checking every pair",
            int((sizes > config.max_checked_component).sum()), config.max_checked_component)
    inside = big.merge(big, on="cluster_id", suffixes=("_l", "_r"))
    inside = inside[inside["unique_id_l"] < inside["unique_id_r"]]
    blocked = pd.DataFrame({"match_key": "0", "join_key_l": inside["unique_id_l"].to_numpy(),
                            "join_key_r": inside["unique_id_r"].to_numpy()})
    linker.table_management.register_blocked_pairs_for_predict(
        db_api.register(blocked, table_name="svidok_pairs_within_groups"))
    scored = linker.inference.predict().as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_weight"]]
    lo = scored[["unique_id_l", "unique_id_r"]].min(axis=1).to_numpy()
    hi = scored[["unique_id_l", "unique_id_r"]].max(axis=1).to_numpy()
    weight = scored["match_weight"].to_numpy(dtype=float).round(6)  # as in link_records: stable across runs
    if decided:
        verdict = [decided.get(k) for k in zip(lo, hi)]
        weight[[v is True for v in verdict]] = float("inf")
        weight[[v is False for v in verdict]] = float("-inf")
    apart = _contradicting(features, lo, hi) if features is not None else np.zeros(len(lo), dtype=bool)
    veto = _years_apart(features, lo, hi) if features is not None and config.birth_years_veto else None
    group = pd.Series(big["cluster_id"].to_numpy(), index=big["unique_id"].to_numpy())
    comp = group.reindex(lo).to_numpy()
    # Ties are broken by the record ids, so the same input always gives the same clusters.
    order = sorted(range(len(lo)), key=lambda i: (comp[i], -weight[i], lo[i], hi[i]))
    limit = math.log2(config.threshold / (1 - config.threshold))
    new_id: dict[str, str] = {}
    start = 0
    while start < len(order):
        end = start
        while end < len(order) and comp[order[end]] == comp[order[start]]:
            end += 1
        _rebuild(order[start:end], lo, hi, weight, limit, new_id, apart, veto)
        start = end
    out = clustered.copy()
    out["cluster_id"] = out["unique_id"].map(new_id).fillna(out["cluster_id"])
    return out


def _contradicting(features: pd.DataFrame, lo, hi) -> np.ndarray:
    """True for pairs whose records say different things that one person's records
    rarely do: birth years more than a year apart (beyond what an age allows), another
    sex, another patronymic, another place (keys that differ: a place in a form the
    keys do not bring together counts too, which errs on the side of apart)."""
    f = features.set_index("unique_id")
    out = _years_apart(features, lo, hi)
    if "source" in f:  # a source lists a person once, as a rule
        a, b = f["source"].reindex(lo).to_numpy(), f["source"].reindex(hi).to_numpy()
        out |= pd.notna(a) & (a == b)
    for col in ("sex", "patronymic_key", "place_key"):
        if col in f:
            a, b = f[col].reindex(lo).to_numpy(), f[col].reindex(hi).to_numpy()
            out |= pd.notna(a) & pd.notna(b) & (a != b)
    return out


def _years_apart(features: pd.DataFrame, lo, hi) -> np.ndarray:
    """True for pairs whose birth years are more than a year apart beyond what an age allows."""
    out = np.zeros(len(lo), dtype=bool)
    if "birth_year" in features:
        f = features.set_index("unique_id")
        y = f["birth_year"].astype("float64")
        span = f["birth_year_span"].astype("float64").fillna(0)
        gap = (y.reindex(lo).to_numpy() - y.reindex(hi).to_numpy())
        slack = 1 + np.maximum(span.reindex(lo).to_numpy(), span.reindex(hi).to_numpy())
        out |= np.nan_to_num(np.abs(gap), nan=0.0) > slack
    return out


def _rebuild(idx: list[int], lo, hi, weight, limit: float, new_id: dict[str, str], apart=None,
             veto=None) -> None:
    """Greedy merging inside one component: pairs ``idx``, strongest first. Two groups
    with a ``veto`` pair between them (birth years apart) join only by a reviewer's word."""
    w = {(lo[i], hi[i]): weight[i] for i in idx}
    no = {(lo[i], hi[i]) for i in idx if apart is not None and apart[i]}
    never = {(lo[i], hi[i]) for i in idx if veto is not None and veto[i]}
    members = {n: [n] for i in idx for n in (lo[i], hi[i])}
    root = {n: n for n in members}

    def find(x: str) -> str:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for i in idx:
        if weight[i] < limit:
            break  # the rest are weaker still: no link of their own
        a, b = find(lo[i]), find(hi[i])
        if a == b:
            continue
        if weight[i] != float("inf"):
            between = [((x, y) if x < y else (y, x)) for x in members[a] for y in members[b]]
            total = sum(w.get(k, 0.0) for k in between)
            # The pairs' weights added up, or, for a single record that contradicts
            # nothing in the group, its strongest link (see _split_components).
            single = min(len(members[a]), len(members[b])) == 1
            if never and any(k in never for k in between):
                continue
            if not (total >= limit or (single and not any(k in no for k in between))):
                continue  # NaN (an accepted and a rejected pair) does not join either
        if len(members[a]) < len(members[b]):
            a, b = b, a
        root[b] = a
        members[a] += members.pop(b)
    for group in members.values():
        cid = min(group)
        for n in group:
            new_id[n] = cid


def _train(sdf, present: set[str], config: LinkageConfig, names: pd.Series) -> tuple[dict, float]:
    with em_values_clamped():
        return _train_passes(sdf, present, config, names)


def _train_passes(sdf, present: set[str], config: LinkageConfig, names: pd.Series) -> tuple[dict, float]:
    """u by random sampling; m of the names from blocks that ignore the name; then, in
    a fresh linker that starts from those values, m of the other fields and the prior
    (the probability that two random records match) from the block that fixes the name.

    Splink derives the prior from every training pass of a linker (the median),
    reversing each pass's blocking rule with the exact-match levels on the rule's
    columns. That went wrong twice here: a block on family and given key was reversed
    with the weak "family only" and "given only" levels, and a block on birth year,
    month and place found no birth level to reverse (they are partial-date
    conditions). On 200,000 synthetic records the prior came out as 3.3e-5 where the
    truth was 8.2e-6, and every namesake pair looked four times likelier than it was.
    So the prior comes from the name block alone, see ``_prior_from_name_block``.
    Returns the model and the share of matches among same-name pairs.
    """
    log = logging.getLogger(__name__)
    linker = Linker(sdf, model.settings(present), log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    for rule in model.em_blocking_rules(present):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=config.em_max_pairs, estimate_without_term_frequencies=True)
        except Exception as e:
            log.warning("EM pass on %s skipped: %s", rule, e)
    names_learnt = linker.misc.save_model_to_json()
    second = Linker(sdf, copy.deepcopy(names_learnt), log_level=None)
    try:
        second.training.estimate_parameters_using_expectation_maximisation(
            model.name_blocking_rule(), max_pairs=config.em_max_pairs, estimate_without_term_frequencies=True,
            populate_probability_two_random_records_match_from_trained_values=True)
    except Exception as e:
        log.warning("EM pass on the name block skipped: %s", e)
        return names_learnt, 0.0
    trained = second.misc.save_model_to_json()
    _refine_with_rare_names(sdf, trained, config)
    found = _prior_from_name_block(trained, names)
    if found is None:
        return trained, 0.0
    trained["probability_two_random_records_match"] = found[0]
    return trained, found[1]


def _refine_with_rare_names(sdf, trained: dict, config: LinkageConfig) -> None:
    """m of the fields other than the name, estimated again among pairs of a rare name.

    Among all pairs with the same name, those of a common name are mostly two persons
    (namesakes), and expectation maximisation lets some of them into its "one person"
    class: on the yardstick's 200,000 records it found 2.6 % of matches with birth
    dates more than three years apart, where the truth had none, so a contradicting
    date cost only 5 bits. Pairs of a name that at most ``RARE_NAME_RECORDS`` records
    carry are mostly one person, and the estimate from them is cleaner. The prior
    still comes from the whole name block (``_prior_from_name_block``).
    """
    rule = CustomRule(f"l.name_concat = r.name_concat AND l.name_count <= {RARE_NAME_RECORDS}")
    try:
        third = Linker(sdf, copy.deepcopy(trained), log_level=None)
        third.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=config.em_max_pairs, estimate_without_term_frequencies=True)
    except Exception as e:
        logging.getLogger(__name__).warning("EM pass on rare names skipped: %s", e)
        return
    refined = {c["output_column_name"]: c for c in third.misc.save_model_to_json()["comparisons"]}
    for comparison in trained["comparisons"]:
        if comparison["output_column_name"] == "name" or comparison["output_column_name"] not in refined:
            continue
        for level, new in zip(comparison["comparison_levels"],
                              refined[comparison["output_column_name"]]["comparison_levels"]):
            if new.get("m_probability") is not None:
                level["m_probability"] = new["m_probability"]


def _prior_from_name_block(trained: dict, names: pd.Series) -> tuple[float, float] | None:
    """The prior as (share of matches among same-name pairs) x (share of all pairs that
    have the same name) / (share of matches that have the same name).

    Splink's estimate from the name block is the same reversal done on odds, with the
    share of same-name pairs taken from a random sample of pairs. On odds it is right
    only while few same-name pairs match (0.42 of them did on 200,000 records, 0.13 on
    1,000,000), and the sample holds a few dozen same-name pairs, so it is off by
    +-15 %. Here the share within the block is read back from Splink's estimate and
    the rest is counted exactly: pairs with the same name are sum c(c-1)/2 over the
    counts c of each name.
    """
    level = next((lv for c in trained.get("comparisons", []) if c.get("output_column_name") == "name"
                  for lv in c["comparison_levels"] if lv.get("tf_adjustment_column") == "name_concat"), None)
    p = trained.get("probability_two_random_records_match")
    if not level or not p or not 0 < p < 1 or not level.get("m_probability") or not level.get("u_probability"):
        return None
    m, u = level["m_probability"], level["u_probability"]
    odds_in_block = p / (1 - p) * m / u  # undo Splink's reversal
    share_in_block = odds_in_block / (1 + odds_in_block)
    counts = names.dropna().value_counts()
    n = len(names)
    same_name = float((counts * (counts - 1)).sum()) / (n * (n - 1))
    prior = share_in_block * same_name / m
    return (min(prior, 0.5), share_in_block) if prior > 0 else None


def _name_frequencies(db_api, usable: pd.DataFrame, same_name_matches: float, q1: float | None, trained: dict):
    """Term frequencies of full names, by how many records carry each name and how
    often same-name records fall in one source (see :mod:`svidok.linkage.frequencies`)."""
    level = next((lv for c in trained.get("comparisons", []) if c.get("output_column_name") == "name"
                  for lv in c["comparison_levels"] if lv.get("tf_adjustment_column") == "name_concat"), {})
    shares = None if q1 is None else match_share_by_count(usable["name_concat"], usable["source"], q1)
    tf = frequency_table("name_concat", usable["name_concat"], shares,
                         trained.get("probability_two_random_records_match") or 0.0,
                         level.get("m_probability") or 0.0, scale=1 - same_name_matches)
    return db_api.register(tf, table_name="svidok_name_frequencies")


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


def _rounded(trained: dict, digits: int = 9) -> dict:
    """The model with every probability rounded to ``digits`` significant digits.

    Expectation maximisation sums over pairs on several threads, and the order of
    those sums changes the last bits from run to run; rounded, the same input gives
    the same model, the same scores and so the same clusters every time.
    """
    def r(x: object) -> object:
        return float(f"{x:.{digits}g}") if isinstance(x, float) and math.isfinite(x) else x

    if "probability_two_random_records_match" in trained:
        trained["probability_two_random_records_match"] = r(trained["probability_two_random_records_match"])
    for comparison in trained.get("comparisons", []):
        for lv in comparison["comparison_levels"]:
            for k in ("m_probability", "u_probability"):
                if k in lv:
                    lv[k] = r(lv[k])
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
    except Exception as e:
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
        # Levels are matched by their condition; a level the default model lacks (the
        # name level on ambiguous given names, when the data has such names) takes the
        # values of the next level that it has.
        by_sql = {_sql_shape(lv.get("sql_condition")): lv for lv in source["comparison_levels"]}
        found = [by_sql.get(_sql_shape(lv.get("sql_condition"))) for lv in comparison["comparison_levels"]]
        for i, level in enumerate(comparison["comparison_levels"]):
            if level.get("is_null_level"):
                continue
            trained_level = next((f for f in found[i:] if f is not None and not f.get("is_null_level")), None)
            for k in ("m_probability", "u_probability"):
                if trained_level is not None and k in trained_level:
                    level[k] = trained_level[k]
    n_train = default.get("svidok_trained_on_records", n_records)
    prior = default["probability_two_random_records_match"] * (n_train - 1) / max(n_records - 1, 1)
    untrained["probability_two_random_records_match"] = min(prior, 0.5)
    return untrained


def _sql_shape(sql: object) -> str:
    """A level's condition without the engine's quoting ("col" in DuckDB, `col` in Spark)."""
    return "".join(str(sql).replace('"', "").replace("`", "").lower().split())


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
