"""Why two records were linked: each field's verdict and the weight it carried.

The model adds up evidence in bits (log2 of a likelihood ratio): +3 means "this is
8 times likelier for one person than for two", -3 the reverse. A pair starts from
the prior (two random records are rarely one person, a large negative number) and
each compared field adds its weight; the sum decides. :func:`explain_pairs` scores
the given pairs again keeping each field's weight, reads back which level of each
comparison the pair reached, and says it in words a reviewer understands.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd
from splink import Linker

from svidok.core.messages import M_, Text, stored

#: Field names in words; ``M_`` so that the review page can say them in its language.
FIELDS = {"name": M_("name"), "birth": M_("birth date"), "patronymic": M_("patronymic"), "place_key": M_("place"),
          "sex": M_("sex"), "facility_key": M_("custody facility"), "document_id": M_("document number"),
          "custody_from": M_("first date in custody"), "source": M_("source")}

@dataclass(frozen=True)
class FieldWeight:
    field: str  # in words: "birth date"
    finding: str  # what the comparison found: "same date"
    weight: float  # bits for (+) or against (-) one person
    verdict: str  # "for", "against", "neutral" or "not known"
    #: ``field`` and ``finding`` as message ids and values (:func:`svidok.core.messages.stored`),
    #: for an interface in another language; absent in explanations stored before them.
    field_said: dict | None = None
    finding_said: dict | None = None

    def sentence(self) -> str:
        if self.verdict == "not known":
            return f"{self.field}: {self.finding} (no weight)"
        strength = ("little" if abs(self.weight) < 1 else "some" if abs(self.weight) < 3
                    else "strong" if abs(self.weight) < 6 else "very strong")
        side = "for" if self.weight > 0 else "against"
        return (f"{self.field}: {self.finding}: {strength} evidence {side} one person "
                f"({self.weight:+.1f} bits, {2 ** abs(self.weight):,.0f} times "
                f"{'likelier' if self.weight > 0 else 'less likely'} for one person)")


def _words(label: str) -> Text:
    """Splink's chart label of a level, in words ("Exact match on sex" -> "the same")."""
    if re.search(r"\bis NULL\b", label) or label == "missing":
        return M_("not known for both records")
    if label.startswith("Exact match"):
        return M_("the same")
    if label == "All other comparisons":
        return M_("different")
    m = re.match(r"Jaro-Winkler distance of \w+ >= ([\d.]+)", label)
    if m:
        return M_("nearly the same spelling (similarity at least %(t)s)", t=m.group(1))
    m = re.match(r"Levenshtein distance of \w+ <= (\d+)", label)
    if m:
        return M_("at most %(n)s character(s) apart", n=m.group(1))
    m = re.match(r"Abs (?:date )?difference of '?\w+'? <= (\d+) day", label, re.I)
    if m:
        return M_("within %(n)s days", n=m.group(1))
    return Text(label)  # a label written in words (model.py): its own message id


def _level_weights(comparison: dict) -> list[tuple[float | None, str, bool]]:
    out = []
    for lv in comparison["comparison_levels"]:
        m, u = lv.get("m_probability"), lv.get("u_probability")
        w = math.log2(m / u) if m and u else None
        out.append((w, _words(lv.get("label_for_charts") or ""), bool(lv.get("is_null_level"))))
    return out


def explain_pairs(sdf, model: dict, db_api, pairs: pd.DataFrame,
                  prepare: Callable[[Linker], None] | None = None) -> dict[tuple[str, str], dict]:
    """For each (record_id_l, record_id_r) pair: ``prior`` and ``total`` (bits) and
    ``fields`` (a list of :class:`FieldWeight` as dicts), strongest first.

    ``sdf`` and ``model`` are the run's input table and trained model; ``prepare``
    registers on the new linker what the run's linker had (name frequencies).
    """
    if pairs.empty:
        return {}
    model = copy.deepcopy(model)
    model["retain_intermediate_calculation_columns"] = True
    model["retain_matching_columns"] = True  # with it, the level each pair reached (gamma_)
    linker = Linker(sdf, model, log_level=None)
    if prepare:
        prepare(linker)
    blocked = pd.DataFrame({"match_key": "0", "join_key_l": pairs.iloc[:, 0].astype(str).to_numpy(),
                            "join_key_r": pairs.iloc[:, 1].astype(str).to_numpy()})
    linker.table_management.register_blocked_pairs_for_predict(
        db_api.register(blocked, table_name="svidok_pairs_to_explain"))
    scored = linker.inference.predict().as_pandas_dataframe()
    p = model["probability_two_random_records_match"]
    prior = math.log2(p / (1 - p))
    levels = {c["output_column_name"]: _level_weights(c) for c in model["comparisons"]}
    out: dict[tuple[str, str], dict] = {}
    for row in scored.to_dict("records"):
        fields = []
        for name, options in levels.items():
            w = row.get(f"mw_{name}")
            if w is None or (isinstance(w, float) and math.isnan(w)):
                continue
            finding, is_null = _level_of(options, row.get(f"gamma_{name}"), float(w))
            tf = row.get(f"mw_tf_adj_{name}") or 0.0
            total = float(w) + (0.0 if isinstance(tf, float) and math.isnan(tf) else float(tf))
            if tf and abs(tf) >= 0.05:
                finding = (M_("%(finding)s, a rare one (%(bits)s bits for how rare)", finding=finding, bits=f"{tf:+.1f}")
                           if tf > 0 else
                           M_("%(finding)s, a common one (%(bits)s bits for how common)", finding=finding, bits=f"{tf:+.1f}"))
            verdict = ("not known" if is_null else "for" if total >= 0.5 else "against" if total <= -0.5
                       else "neutral")
            field_name = FIELDS.get(name, Text(name))
            fields.append(FieldWeight(str(field_name), str(finding), round(total, 2), verdict,
                                      stored(field_name), stored(finding)))
        fields.sort(key=lambda f: -abs(f.weight))
        a, b = sorted((str(row["unique_id_l"]), str(row["unique_id_r"])))
        out[(a, b)] = {"prior": round(prior, 2), "total": round(float(row["match_weight"]), 2),
                       "fields": [asdict(f) for f in fields]}
    return out


def _level_of(options: list[tuple[float | None, str, bool]], gamma, w: float) -> tuple[str, bool]:
    """The level the pair reached: from the engine's level number (``gamma``: -1 for the
    null level, then the other levels counted from the last), else from the weight."""
    if gamma is not None and not (isinstance(gamma, float) and math.isnan(gamma)):
        others = [o for o in options if not o[2]]
        g = int(gamma)
        if g == -1:
            return next(((words, True) for _w, words, is_null in options if is_null), ("", True))
        if 0 <= g < len(others):
            return others[len(others) - 1 - g][1], False
    return _closest(options, w)


def _closest(options: list[tuple[float | None, str, bool]], w: float) -> tuple[str, bool]:
    """The level whose weight is ``w`` (weights of one comparison's levels differ)."""
    if w == 0.0:
        for _weight, words, is_null in options:
            if is_null:
                return words, True
    best = min((o for o in options if o[0] is not None), key=lambda o: abs(o[0] - w), default=None)
    return (best[1], best[2]) if best else ("", False)


def sentences(explanation: dict) -> list[str]:
    """The explanation of one pair as lines a reviewer reads, strongest first."""
    lines = [FieldWeight(**f).sentence() for f in explanation.get("fields", [])]
    prior = explanation.get("prior")
    if prior is not None:
        lines.append(f"starting point: two records taken at random are one person {2 ** -prior:,.0f} "
                     f"to 1 against ({prior:+.1f} bits); the total is {explanation.get('total', 0):+.1f} bits")
    return lines
