"""The floor on m probabilities: disagreement is evidence, never proof, and never support."""

from __future__ import annotations

import math

from svidok.linkage.training import with_floor


def _weights(model: dict) -> dict[str, float]:
    return {lv["label_for_charts"]: math.log2(lv["m_probability"] / lv["u_probability"])
            for c in model["comparisons"] for lv in c["comparison_levels"] if not lv.get("is_null_level")}


def _birth(**levels: tuple[float | None, float | None]) -> dict:
    return {"comparisons": [{"output_column_name": "birth", "comparison_levels": [
        {"label_for_charts": "missing", "is_null_level": True},
        *({"label_for_charts": label.replace("__", ", ").replace("_", " "), "m_probability": m, "u_probability": u}
          for label, (m, u) in levels.items())]}]}


def test_a_disagreement_that_matches_never_showed_counts_against_them_not_for():
    # Expectation maximisation found "same year, another month" in 0.004 % of matches and
    # 0.8 % of other pairs. A floor of 1 % on m would have made it evidence *for* a match.
    w = _weights(with_floor(_birth(same_date=(0.6, 3e-5), same_year__another_month=(4e-5, 0.008),
                                   All_other_comparisons=(1e-6, 0.9)), 0.01))
    assert -7 < w["same year, another month"] < 0
    assert -7 < w["All other comparisons"] < 0  # bounded: 1 / floor times against, no veto
    assert w["same date"] > 14


def test_an_agreement_that_matches_never_showed_still_counts_for_them():
    # Swapped names with no swapped pair among the matches in training: the floor keeps the
    # level for a match (its u is missing too: at least as rare as the rarest level seen).
    model = {"comparisons": [{"output_column_name": "name", "comparison_levels": [
        {"label_for_charts": "the same", "m_probability": 0.95, "u_probability": 2e-5},
        {"label_for_charts": "family and given names swapped", "m_probability": None, "u_probability": None},
        {"label_for_charts": "All other comparisons", "m_probability": 0.05, "u_probability": 0.99}]}]}
    w = _weights(with_floor(model, 0.01))
    assert w["family and given names swapped"] > 8


def test_every_disagreeing_label_names_a_level_of_the_model():
    from svidok.linkage import model

    columns = {"place_key", "sex", "birth_year", "birth_month", "patronymic_key"}
    labels = {str(lv.get("label_for_charts")) for c in model.settings(columns).get_settings("duckdb").as_dict()["comparisons"]
              for lv in c["comparison_levels"]}
    assert model.DISAGREEING <= labels, model.DISAGREEING - labels
