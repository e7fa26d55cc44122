"""Find the records of one person within and across sources.

``link_records`` takes person records, trains the model on them (no labelled data
needed), scores candidate pairs and groups records into clusters, one per person.
Decisions that reviewers have already taken (accepted / rejected pairs) are fed in
as ``labels``: accepted pairs refine the model and are always linked, rejected ones
are never linked directly.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from svidok.linkage import model
from svidok.linkage.backends import make_db_api
from svidok.linkage.clustering import split_components
from svidok.linkage.config import LabelledPair, LinkageConfig, LinkageResult
from svidok.linkage.explain import explain_pairs
from svidok.linkage.frequencies import (
    given_place_key,
    other_person_frequencies,
    place_frequencies,
    same_source_when_one_person,
)
from svidok.linkage.records import prepare
from svidok.linkage.source_weight import source_comparison
from svidok.linkage.training import (
    DEFAULT_MODEL,
    from_default,
    name_frequencies,
    refine_with_labels,
    rounded,
    train,
    with_floor,
)

_FEATURES = ("unique_id", "source", "family_key", "family_sound", "given_key", "given_alt", "given_first",
             "given_initial", "patronymic_key",
             "name_concat", "family_compact", "given_compact", "birth_year", "birth_month", "birth_day", "birth_year_span", "birth_date_key",
             "place_key", "place_sound", "given_place", "sex", "facility_key", "custody_from", "document_id", "name_count",
             "family_rare")

__all__ = ["DEFAULT_MODEL", "LabelledPair", "LinkageConfig", "LinkageResult", "link_records"]


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
    features, issues = prepare(records, workers=config.threads or os.cpu_count() or 1)
    lap("prepare")
    labels = list(labels)
    usable = features[features["usable"]].copy()
    usable["name_count"] = usable["name_concat"].map(usable["name_concat"].value_counts()).astype("Int64")
    family_count = usable["family_key"].map(usable["family_key"].value_counts())
    usable["family_rare"] = usable["family_key"].where(family_count <= model.RARE_FAMILY_RECORDS)
    if "place_key" in usable:  # present wherever a place is: the place comparison needs it
        usable["given_place"] = given_place_key(usable["given_key"], usable["place_key"])
    cols = [c for c in _FEATURES if c in usable.columns]
    present = {c for c in cols if usable[c].notna().any()}
    empty_pairs = pd.DataFrame(columns=["record_id_l", "record_id_r", "match_probability",
                                        "match_weight", "decided"])
    if len(usable) < 2:
        clusters = _assemble(features, pd.DataFrame(columns=["unique_id", "cluster_id"]), empty_pairs, config)
        return LinkageResult(clusters, empty_pairs, issues, {}, timings)

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = make_db_api(config.backend, spark_session=config.spark_session, threads=config.threads,
                         memory_limit=config.engine_memory)
    sdf = db_api.register(usable[cols].reset_index(drop=True), table_name="svidok_person_records")
    if len(usable) >= config.min_records_to_train:
        say("estimating parameters from the data")
        trained, same_name_matches = train(sdf, present, config, usable["name_concat"])
        trained = with_floor(trained, config.m_floor)
        q1 = same_source_when_one_person(usable["name_concat"], usable["source"], same_name_matches,
                                         usable["birth_date_key"] if "birth_date_key" in usable else None)
        by_source = None if q1 is None or not config.weigh_sources else source_comparison(usable["source"], q1)
        if by_source:
            trained["comparisons"].append(by_source)
    else:
        say("too few records to train on: using the shipped default model")
        same_name_matches, q1 = 0.0, None
        trained = from_default(Linker(sdf, model.settings(present), log_level=None).misc.save_model_to_json(),
                                len(usable))
    decided = {(min(p.record_id_l, p.record_id_r), max(p.record_id_l, p.record_id_r)): p.is_match
               for p in labels}
    accepted = [k for k, v in decided.items() if v]
    if accepted:
        trained = refine_with_labels(sdf, db_api, trained, accepted, config)
    trained = rounded(trained)
    linker = Linker(sdf, trained, log_level=None)

    registered: dict = {}  # column -> frequency table, computed once for the run and its explanations

    def with_frequencies(linker: Linker) -> None:
        if "given_place" in present and "given_place" not in registered:
            # Always ours: Splink's own count of given_place over all records is no
            # share of a place among the persons of a given name.
            registered["given_place"] = db_api.register(
                place_frequencies(usable["given_key"], usable["place_key"], usable["name_concat"]),
                table_name="svidok_place_frequencies")
        if same_name_matches > 0 and "name_concat" not in registered:
            registered["name_concat"] = name_frequencies(db_api, usable, same_name_matches, q1, trained)
            family = None if q1 is None else other_person_frequencies(
                "family_key", usable["family_key"], usable["source"], q1)
            if family is not None:
                registered["family_key"] = db_api.register(family, table_name="svidok_family_frequencies")
        for column, table in registered.items():
            linker.table_management.register_term_frequency_lookup(table, column)

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
    clustered = split_components(linker, db_api, clustered, decided, config, usable)
    lap("cluster")
    pairs = pairs.rename(columns={"unique_id_l": "record_id_l", "unique_id_r": "record_id_r"})
    pairs = pairs.sort_values(["record_id_l", "record_id_r"], ignore_index=True)  # same order every run
    explanations = {}
    if config.explain and len(pairs):
        say("explaining the pairs")
        explanations = explain_pairs(sdf, trained, db_api, pairs[["record_id_l", "record_id_r"]], with_frequencies)
        lap("explain")
    clusters = _assemble(features, clustered, pairs, config)
    lap("assemble")
    return LinkageResult(clusters, pairs, issues, trained, timings, explanations)


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
    # Records by position, not by id: a million string ids looked up through pandas
    # took 9 s; each column is looked up once here.
    index = pd.Index(features["unique_id"])
    cluster = pd.Series(clustered["cluster_id"].to_numpy(), index=pd.Index(clustered["unique_id"])).reindex(index)
    cluster = cluster.fillna(pd.Series(index, index=index)).astype(str).to_numpy()
    best = np.full(len(index), np.nan)
    strong = pairs[pairs["match_probability"] >= config.threshold]
    if len(strong):
        l_col, r_col = ("unique_id_l", "unique_id_r") if "unique_id_l" in strong else ("record_id_l", "record_id_r")
        left, right = index.get_indexer(strong[l_col]), index.get_indexer(strong[r_col])
        p = strong["match_probability"].to_numpy(dtype=float)
        inside = (left >= 0) & (right >= 0)
        inside[inside] = cluster[left[inside]] == cluster[right[inside]]
        np.fmax.at(best, left[inside], p[inside])
        np.fmax.at(best, right[inside], p[inside])
    return pd.DataFrame({"record_id": features["unique_id"].to_numpy(), "cluster_id": cluster,
                         "match_probability": best})
