"""The Fellegi-Sunter model for person records, built with Splink.

Comparisons and blocking rules are declared once here from the columns the data
has; the engine (DuckDB in-process, or Spark) comes from :mod:`svidok.linkage.backends`.
Parameters are estimated from the data itself (u by random sampling, m by
expectation maximisation); labelled pairs, when given, refine m and override the
model's verdict on those pairs.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from svidok.core.messages import M_


def _null(*cols: str) -> cll.CustomLevel:
    cond = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in cols)
    return cll.CustomLevel(cond, "missing").configure(is_null_level=True)


#: Labels of the levels that say two records disagree on a field. Their m is floored
#: relative to u (``training.with_floor``): such a level counts at most 1 / floor times
#: against one person, and never for one.
DISAGREEING = frozenset({
    "All other comparisons", "only the given name the same", "same year and month, another day",
    "same year, another month", "within a year", "within 3 years",
})


def name_comparison(ambiguous_given: bool = False, initials: bool = False) -> cl.CustomComparison:
    """Family and given name together, so that swapped names are one level.

    With ``ambiguous_given`` (the data has ``given_alt``), a given name that may stand
    for two names (George: Георгій or Юрій) agrees with either, on a level of its own.
    With ``initials`` (the data has ``given_initial``), a given name written as an
    initial ("Витко Р.") agrees with a given name that starts with it, on a level of its own."""
    f, g = "family_key", "given_key"
    ambiguous = [cll.CustomLevel(
        "family_key_l = family_key_r AND (given_alt_l = given_key_r OR given_alt_r = given_key_l)",
        M_("the same family name, given names that may be one name")).configure(tf_adjustment_column=f)
    ] if ambiguous_given else []
    initial = [cll.CustomLevel(
        "family_key_l = family_key_r AND (given_initial_l = given_first_r OR given_initial_r = given_first_l)",
        M_("the same family name, the given name's initial")).configure(tf_adjustment_column=f)
    ] if initials else []
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.And(cll.NullLevel(f), cll.NullLevel(g)).configure(label_for_charts="missing"),
            cll.ExactMatchLevel("name_concat").configure(tf_adjustment_column="name_concat",
                                                         label_for_charts=M_("the same")),
            cll.ColumnsReversedLevel(f, g, symmetrical=True).configure(label_for_charts=M_("family and given names swapped")),
            *ambiguous,
            # One typo (a letter added, dropped, changed, two swapped) is likelier the same
            # name than any two similar spellings: its own level, before the broad ones.
            cll.And(cll.ExactMatchLevel(f), cll.DamerauLevenshteinLevel("given_compact", 1)).configure(
                tf_adjustment_column=f, label_for_charts=M_("the same family name, the given name one typo apart")),
            cll.And(cll.ExactMatchLevel(g), cll.DamerauLevenshteinLevel("family_compact", 1)).configure(
                tf_adjustment_column=f, label_for_charts=M_("the same given name, the family name one typo apart")),
            cll.And(cll.ExactMatchLevel(f), cll.JaroWinklerLevel(g, 0.88)).configure(
                tf_adjustment_column=f, label_for_charts=M_("the same family name, the given name spelt alike")),
            cll.And(cll.ExactMatchLevel(g), cll.JaroWinklerLevel(f, 0.88)).configure(
                tf_adjustment_column=g, label_for_charts=M_("the same given name, the family name spelt alike")),
            *initial,
            # Another transliteration table (German Zymbal for Цимбал) or the Russian form
            # of the family name (Черновол for Чорновіл): the name sounds alike.
            cll.And(cll.ExactMatchLevel(g), cll.ExactMatchLevel("family_sound")).configure(
                label_for_charts=M_("the same given name, the family name sounds alike")),
            cll.And(cll.JaroWinklerLevel(f, 0.88), cll.JaroWinklerLevel(g, 0.85)).configure(
                label_for_charts=M_("both names spelt alike")),
            cll.ExactMatchLevel(f).configure(label_for_charts=M_("only the family name the same")),
            cll.ExactMatchLevel(g).configure(label_for_charts=M_("only the given name the same")),
            cll.ElseLevel(),
        ],
    )


def birth_comparison() -> cl.CustomComparison:
    """Partial birth dates: full date, year and month, day/month swapped, day and month
    a year apart, year, a year that fits an age, +-1, +-3.

    A year computed from an age (``birth_year_span`` 1) is that year or the one before;
    two years agree when those ranges overlap."""
    y, m, d, s = "birth_year", "birth_month", "birth_day", "birth_year_span"
    fits = f"{y}_l - {y}_r BETWEEN -{s}_r AND {s}_l"
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            _null(y),
            cll.CustomLevel("birth_date_key_l = birth_date_key_r", M_("same date")),
            # A date without the day ("03.1975") fits any day of that month; two full
            # dates with another day are another matter. First yardstick, 1,000,000 records,
            # pairs of the same year and month and a name more than 50 records carry: one
            # date without the day, 94 % one person; two days that differ, 19 %.
            cll.CustomLevel(f"{y}_l = {y}_r AND {m}_l = {m}_r AND ({d}_l IS NULL OR {d}_r IS NULL)",
                            M_("same year and month, one without the day")),
            cll.CustomLevel(f"{y}_l = {y}_r AND {m}_l = {m}_r", M_("same year and month, another day")),
            cll.CustomLevel(f"{y}_l = {y}_r AND {m}_l = {d}_r AND {d}_l = {m}_r", M_("day and month swapped")),
            # A slip in the year of a full date (1951 for 1950): the day and month still
            # agree, which a namesake born a year apart rarely does.
            cll.CustomLevel(f"abs({y}_l - {y}_r) = 1 AND {m}_l = {m}_r AND {d}_l = {d}_r",
                            M_("same day and month, a year apart")),
            cll.CustomLevel(f"{y}_l = {y}_r AND {s}_l = 0 AND {s}_r = 0 AND ({m}_l IS NULL OR {m}_r IS NULL)",
                            M_("same year, one less precise")),
            cll.CustomLevel(f"({s}_l > 0 OR {s}_r > 0) AND {fits}", M_("a year that fits an age")),
            cll.CustomLevel(f"{y}_l = {y}_r", M_("same year, another month")),
            cll.CustomLevel(f"abs({y}_l - {y}_r) <= 1", M_("within a year")),
            cll.CustomLevel(f"abs({y}_l - {y}_r) <= 3", M_("within 3 years")),
            cll.ElseLevel(),
        ],
    )


def place_comparison() -> cl.CustomComparison:
    """Place names: exact, nearly the same spelling, the same in another transliteration
    (German Losowa for Лозова), similar.

    How common a town is, on the exact level, is read among the persons of the records'
    given name (``given_place``, ``frequencies.place_frequencies``): Бахчисарай is a rare
    town in a national list and a common one among persons called Ескендер."""
    p = "place_key"
    return cl.CustomComparison(
        output_column_name=p,
        comparison_levels=[
            cll.NullLevel(p),
            cll.ExactMatchLevel(p).configure(tf_adjustment_column="given_place",
                                             disable_tf_exact_match_detection=True),
            cll.JaroWinklerLevel(p, 0.95),
            cll.ExactMatchLevel("place_sound").configure(label_for_charts=M_("sounds alike")),
            cll.JaroWinklerLevel(p, 0.85),
            cll.ElseLevel(),
        ],
    )


def comparisons(columns: set[str]) -> list:
    """Comparisons for the optional features the data actually has."""
    out = [name_comparison("given_alt" in columns, "given_initial" in columns), birth_comparison()]
    out.append(cl.CustomComparison(
        output_column_name="patronymic",
        comparison_levels=[
            cll.NullLevel("patronymic_key"),
            cll.ExactMatchLevel("patronymic_key"),
            cll.JaroWinklerLevel("patronymic_key", 0.9),
            cll.ElseLevel(),
        ],
    ))
    if "place_key" in columns:
        out.append(place_comparison())
    if "sex" in columns:
        out.append(cl.ExactMatch("sex"))
    if "facility_key" in columns:
        out.append(cl.ExactMatch("facility_key"))
    if "document_id" in columns:
        out.append(cl.LevenshteinAtThresholds("document_id", [1, 2]))
    if "custody_from" in columns:
        out.append(cl.AbsoluteDateDifferenceAtThresholds(
            "custody_from", input_is_string=False, metrics=["day", "day"], thresholds=[7, 90]))
    return out


class _EngineRule(CustomRule):
    """A blocking rule that calls a string function, named as the engine names it
    (DuckDB ``jaro_winkler_similarity``, Spark ``jaro_winkler``)."""

    def create_sql(self, sql_dialect) -> str:
        return self.sql_condition.format(jaro_winkler=sql_dialect.jaro_winkler_function_name)


#: A family name carried by at most this many records is rare enough to block on with
#: the given name's first letter alone.
RARE_FAMILY_RECORDS = 200


def blocking_rules(columns: set[str]) -> list:
    """Which pairs are compared at all. Each rule survives a different kind of error:
    a typo in one name, a name in another transliteration, swapped names, a missing
    or wrong birth date. ``family_sound`` is a function of ``family_key``, so a rule
    on it also finds every pair that the same rule on the exact key would."""
    rules = [
        # A family name spelt another way (Zymbal, Цимбал; Черновол, Чорновіл): it sounds
        # alike and is not far from the other spelling. Sound keys alone pair names such as
        # Кравчук and Крючков; among a million records 5.7 million pairs of the same given name
        # and a family name that sounds alike were under 0.8 apart, 215 of them one person.
        _EngineRule("l.family_sound = r.family_sound AND l.given_key = r.given_key AND "
                    "(l.family_key = r.family_key OR {jaro_winkler}(l.family_key, r.family_key) >= 0.8)"),
        CustomRule("l.family_key = r.given_key AND l.given_key = r.family_key"),
        # Another given name (a form the tables do not know, a typo) and the same birth
        # year: the exact family name, or one that sounds alike with the given name's
        # first letter. (The sound key and the year alone made 13.9 million pairs in a
        # million records, for 161 more true pairs than these two rules find.)
        block_on("family_key", "birth_year"),
        block_on("family_sound", "birth_year", "given_first"),
        block_on("given_key", "birth_date_key"),
        block_on("given_key", "patronymic_key", "birth_year"),
        # A typo in the family name: the given name and the family name's start agree,
        # with one more field, since a common given name and a common start (Ков-,
        # Бонд-) alone make tens of millions of pairs in a million records.
        CustomRule("l.given_key = r.given_key AND substr(l.family_key, 1, 3) = substr(r.family_key, 1, 3) "
                   "AND l.birth_year = r.birth_year"),
        CustomRule("l.given_key = r.given_key AND substr(l.family_key, 1, 3) = substr(r.family_key, 1, 3) "
                   "AND l.patronymic_key = r.patronymic_key"),
        # ... and a wrong first letter (Тамбик, Dambyk; Шехненко, Chekhnenko): the rest of it.
        # (Its last five letters instead found no more and made 40 times the pairs: -lenko.)
        CustomRule("l.given_key = r.given_key AND substr(l.family_key, 2) = substr(r.family_key, 2) "
                   "AND l.birth_year = r.birth_year AND substr(l.family_key, 1, 3) <> substr(r.family_key, 1, 3)"),
    ]
    if "family_rare" in columns:
        # A typo in the given name and nothing else to block on ("Олексенишин Вра" ~
        # "Віра Олексенишин, 1953"): a rare family name and the given name's first letter.
        # A common family name (Мельник) would make millions of pairs, and could not
        # link them on the name alone.
        rules.append(block_on("family_rare", "given_first"))
    if "given_alt" in columns:
        # George ~ Юрій: the other name a given name may stand for, on either side.
        rules += [
            CustomRule("l.family_sound = r.family_sound AND l.given_alt = r.given_key"),
            CustomRule("l.family_sound = r.family_sound AND l.given_key = r.given_alt"),
        ]
    if "given_initial" in columns:
        # "Витко Р." ~ "Роман Витко": the initial and the first letter, both ways.
        rules += [
            CustomRule("l.family_sound = r.family_sound AND l.given_initial = r.given_first"),
            CustomRule("l.family_sound = r.family_sound AND l.given_first = r.given_initial"),
        ]
    if "place_key" in columns:
        rules += [
            CustomRule("l.given_key = r.given_key AND l.place_sound = r.place_sound "
                       "AND substr(l.family_key, 1, 2) = substr(r.family_key, 1, 2)"),
            # The same for the place, when there is no birth year.
            block_on("family_key", "place_sound"),
            block_on("family_sound", "place_sound", "given_first"),
        ]
    if "facility_key" in columns:
        rules.append(block_on("given_key", "facility_key"))
    if "document_id" in columns:
        rules.append(block_on("document_id"))
    return rules


def settings(columns: set[str], *, prior: float = 1e-5) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(columns),
        blocking_rules_to_generate_predictions=blocking_rules(columns),
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=["source"],
        max_iterations=10,
    )


def em_blocking_rules(columns: set[str]) -> list:
    """Training blocks that do not use the name, to learn how names vary."""
    # Narrow blocks on purpose: a loose one (year and place) lets EM settle on
    # "same place and year" as the meaning of a match.
    if "place_key" in columns and "birth_month" in columns:
        return [block_on("birth_year", "birth_month", "place_key")]
    if "birth_date_key" in columns:
        return [block_on("birth_date_key")]
    return []


def name_blocking_rule():
    """The training block that fixes the name, to learn the other fields, and with it
    the prior: the share of matches in this block, scaled back by how rare an exact
    name agreement is among all pairs (the Bayes factor of the exact-name level, which
    Splink finds because the rule and that level use the same column)."""
    return block_on("name_concat")
