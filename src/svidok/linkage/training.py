"""Training the model on the records themselves: u by sampling, m by expectation
maximisation in blocks, the prior from the name block, name frequencies, the floor."""

from __future__ import annotations

import copy
import json
import logging
import math
from pathlib import Path

import pandas as pd
from splink import Linker
from splink.blocking_rule_library import CustomRule

from svidok.linkage import model
from svidok.linkage.config import LinkageConfig
from svidok.linkage.frequencies import frequency_table, match_share_by_count
from svidok.linkage.splink_compat import em_values_clamped

#: Names carried by at most this many records are "rare" for ``_refine_with_rare_names``.
RARE_NAME_RECORDS = 4


def train(sdf, present: set[str], config: LinkageConfig, names: pd.Series) -> tuple[dict, float]:
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


def name_frequencies(db_api, usable: pd.DataFrame, same_name_matches: float, q1: float | None, trained: dict):
    """Term frequencies of full names, by how many records carry each name and how
    often same-name records fall in one source (see :mod:`svidok.linkage.frequencies`)."""
    level = next((lv for c in trained.get("comparisons", []) if c.get("output_column_name") == "name"
                  for lv in c["comparison_levels"] if lv.get("tf_adjustment_column") == "name_concat"), {})
    shares = None if q1 is None else match_share_by_count(usable["name_concat"], usable["source"], q1)
    tf = frequency_table("name_concat", usable["name_concat"], shares,
                         trained.get("probability_two_random_records_match") or 0.0,
                         level.get("m_probability") or 0.0, scale=1 - same_name_matches)
    return db_api.register(tf, table_name="svidok_name_frequencies")


def with_floor(trained: dict, floor: float) -> dict:
    """The trained model with every m probability at least ``floor`` (and every u set).

    Synthetic and small training sets never show some errors (a wrong sex, a
    place of residence instead of birth); an m of 1e-12 would turn one such field
    into a veto. A floor keeps disagreement strong evidence, never proof.

    On a level that says the records disagree (``model.DISAGREEING``: another given
    name, another month of birth, nothing alike) the floor is ``floor`` times u: such a
    level counts at most 1 / floor times against one person, and never for one. A
    floor of 0.01 on m alone had turned "same year, another month", which expectation
    maximisation put at m = 0.00004 beside a u of 0.008, into evidence for a link: two
    namesakes born the same year were linked (first yardstick, 1,000,000 records: F1
    0.9265 -> 0.9271; second, 0.9033 -> 0.9044).
    """
    for comparison in trained.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # A level never seen among random pairs (swapped names) has no u estimate;
        # it is at least as rare as the rarest level that was seen.
        seen_u = [lv["u_probability"] for lv in levels if lv.get("u_probability")]
        for lv in levels:
            if not lv.get("u_probability") and seen_u:
                lv["u_probability"] = min(seen_u)
        for lv in levels:
            low = floor
            if str(lv.get("label_for_charts")) in model.DISAGREEING and lv.get("u_probability"):
                low = floor * lv["u_probability"]
            # A level that no match showed during training gets the floor too.
            if lv.get("m_probability") is None or lv["m_probability"] < low:
                lv["m_probability"] = low
        total = sum(lv.get("m_probability") or 0 for lv in levels)
        for lv in levels:
            if total:
                lv["m_probability"] /= total
    return trained


def rounded(trained: dict, digits: int = 9) -> dict:
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


def refine_with_labels(sdf, db_api, trained: dict, accepted: list[tuple[str, str]],
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
    return with_floor(trained, config.m_floor)


DEFAULT_MODEL = Path(__file__).with_name("default_model.json")


def from_default(untrained: dict, n_records: int) -> dict:
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
