"""Linking person records across sources and scripts (Splink on DuckDB, in-process)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from svidok.linkage import LabelledPair, LinkageConfig, link_records
from svidok.linkage.evaluate import score_clusters
from svidok.linkage.explain import sentences

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from linkage_data import generate

# All persons invented.
SMALL = [
    dict(record_id="ua-1", source="ua", name="Шевченко Олександр Григорович", birth_date="1972-05-14", place="Маріуполь", sex="m"),
    dict(record_id="en-1", source="ngo", name="Oleksandr Shevchenko", birth_date="1972-05", place="Mariupol", sex=""),
    dict(record_id="ru-1", source="ru", name="Шевченко Александр Григорьевич", birth_date="14.05.1972", place="Мариуполь", sex="m"),
    dict(record_id="ua-2", source="ua", name="Коваль Олена Іванівна", birth_date="1980-01-02", place="Херсон", sex="f"),
    dict(record_id="en-2", source="ngo", name="Koval Olena", birth_date="1980", place="Kherson", sex="f"),
    dict(record_id="en-3", source="ngo", name="Olena Koval", birth_date="1955-07-20", place="Lviv", sex="f"),
    dict(record_id="bad", source="ngo", name="— ? —", birth_date="1980-02-30", place="Kherson", sex="f"),
]


def clusters_of(result) -> dict[str, str]:
    return dict(zip(result.clusters["record_id"], result.clusters["cluster_id"]))


BACKENDS = [
    "duckdb",
    pytest.param("spark", marks=[pytest.mark.slow, pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None,
        reason="pyspark not installed (uv run --with pyspark pytest ... to run on Spark)")]),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_person_across_scripts_one_cluster_namesake_apart(backend):
    result = link_records(SMALL, config=LinkageConfig(backend=backend))
    c = clusters_of(result)
    assert list(result.clusters["record_id"]) == [r["record_id"] for r in SMALL]  # nothing dropped
    assert c["ua-1"] == c["en-1"] == c["ru-1"]
    assert c["ua-2"] == c["en-2"]  # swapped given/family order, year only
    assert c["en-3"] != c["ua-2"]  # same name, born 25 years earlier elsewhere
    assert c["bad"] == "bad"  # no usable name: its own cluster, and reported
    assert [(i.record_id, i.field) for i in result.issues] == [("bad", "name"), ("bad", "birth_date")]
    linked = result.clusters.set_index("record_id")["match_probability"]
    assert linked["ua-1"] >= 0.9 and pd.isna(linked["en-3"]) and pd.isna(linked["bad"])


def test_cluster_id_is_smallest_record_id_of_cluster():
    result = link_records(SMALL)
    for cid, group in result.clusters.groupby("cluster_id"):
        assert cid == min(group["record_id"])


def test_reviewer_decisions_override_the_model():
    baseline = clusters_of(link_records(SMALL))
    assert baseline["en-2"] == baseline["ua-2"] and baseline["en-3"] != baseline["ua-2"]
    decisions = [LabelledPair("ua-2", "en-2", False), LabelledPair("en-3", "ua-2", True)]
    result = link_records(SMALL, labels=decisions)
    c = clusters_of(result)
    assert c["en-3"] == c["ua-2"]
    assert c["en-2"] != c["ua-2"]
    decided = result.pairs.set_index(["record_id_l", "record_id_r"])["decided"]
    assert decided[("en-2", "ua-2")] == "rejected" and decided[("en-3", "ua-2")] == "accepted"


def test_synthetic_records_with_transliteration_noise_reach_high_f1():
    data = generate(4000, seed=11)
    truth = data.pop("person_id")
    result = link_records(data, config=LinkageConfig(seed=11))
    assert len(result.clusters) == len(data)
    scores = score_clusters(result.clusters["cluster_id"], truth.set_axis(result.clusters.index))
    assert scores.pair_precision >= 0.95
    assert scores.pair_f1 >= 0.9, scores


def test_unknown_backend_is_a_clear_error():
    from svidok.linkage.backends import BackendError

    with pytest.raises(BackendError, match="unknown linkage backend 'oracle'"):
        link_records(SMALL, config=LinkageConfig(backend="oracle"))


def test_a_bounded_engine_spills_and_links_the_same(tmp_path, monkeypatch):
    # The engine's memory is bounded (it spills to a temporary directory, removed after);
    # a tight bound changes nothing in the clusters.
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = generate(3000, seed=5).drop(columns="person_id")
    roomy = link_records(data, config=LinkageConfig(seed=5, engine_memory=None))
    tight = link_records(data, config=LinkageConfig(seed=5, engine_memory="300MB"))
    assert roomy.clusters.equals(tight.clusters)
    import gc

    gc.collect()
    assert not list(tmp_path.glob("svidok-duckdb-*"))


@pytest.mark.parametrize("bad", ["lots", "2.5", "1GB; DROP TABLE x"])
def test_a_memory_bound_that_is_not_a_size_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="not a size"):
        LinkageConfig(engine_memory=bad)


# Two namesakes born the same year, and a news report that fits both.
NAMESAKES = [
    dict(record_id="a1", source="ua", name="Чаленко Ірина Петрівна", birth_date="1950-06-13", place="Ірміно", sex="f"),
    dict(record_id="a2", source="ru", name="Чаленко Ирина Петровна", birth_date="13.06.1950", place="Ирмино", sex="f"),
    dict(record_id="b1", source="ua", name="Чаленко Ірина Олегівна", birth_date="1950-11-02", place="Київ", sex="f"),
    dict(record_id="b2", source="ngo", name="Iryna Chalenko", birth_date="1950-11", place="Kyiv", sex="f"),
    dict(record_id="m", source="media", name="Iryna Chalenko", age="71", age_date="2022-05-01", sex="f"),
    # German transliteration: Z for Ц, the place written Luzk.
    dict(record_id="z1", source="ua", name="Цимбал Розалія Володимирівна", birth_date="1951-03-02", place="Луцьк"),
    dict(record_id="z2", source="media", name="Rosalija Zymbal", age="71", age_date="2022-05-01", place="Luzk"),
]


def test_one_record_that_fits_two_namesakes_does_not_join_them():
    result = link_records(NAMESAKES)
    c = clusters_of(result)
    linked = {(p.record_id_l, p.record_id_r) for p in result.pairs.itertuples()
              if p.match_probability >= LinkageConfig().threshold}
    # The report links to both persons on its own...
    assert {("a1", "m"), ("b1", "m")} <= linked
    # ...yet their own records, which disagree on the birth date and patronymic, stay apart.
    assert c["a1"] == c["a2"] and c["b1"] == c["b2"]
    assert c["a1"] != c["b1"]
    assert c["m"] in (c["a1"], c["b1"])


def test_name_and_place_in_german_transliteration_link():
    c = clusters_of(link_records(NAMESAKES))
    assert c["z1"] == c["z2"]


# Given names that differ at their first letter (a form no table lists, a typo), with the
# same family name: the birth year or, without one, the place brings them together.
FIRST_LETTER = [
    dict(record_id="k1", source="ngo", name="Ksana Zabrovych", birth_date="1983", place="Kramatorsk"),
    dict(record_id="k2", source="ua", name="Забрович Оксана Петрівна", birth_date="30.03.1983", place="Краматорськ"),
    dict(record_id="l1", source="ngo", name="Дариса Кигнук", birth_date="01.08.1946", place="Генічеськ"),
    dict(record_id="l2", source="ru", name="Кигнук Лариса Ивановна", birth_date="1946-08-01", place="Геническ"),
    dict(record_id="n1", source="ngo", name="Ніна Якушук", place="Мелітополь"),
    dict(record_id="n2", source="ua", name="Якушук Міна Федорівна", place="Мелітополь", birth_date="03.04.1982"),
]


def test_a_given_name_that_differs_at_its_first_letter_still_links():
    c = clusters_of(link_records(FIRST_LETTER))
    assert c["k1"] == c["k2"] and c["l1"] == c["l2"] and c["n1"] == c["n2"]
    assert len({c["k1"], c["l1"], c["n1"]}) == 3


# "George" is the English form of both Георгій and Юрій (all persons invented).
AMBIGUOUS = [
    dict(record_id="g1", source="ngo", name="George Vovkosiv", birth_date="1982-12-20", place="Kharkiv"),
    dict(record_id="g2", source="ua", name="Вовкосів Юрій Петрович", birth_date="20.12.1982", place="Харків"),
    dict(record_id="h1", source="ngo", name="George Lytvynchuk", birth_date="1961-03-04", place="Sumy"),
    dict(record_id="h2", source="ru", name="Литвинчук Георгий", birth_date="04.03.1961", place="Сумы"),
    dict(record_id="k1", source="ua", name="Ткачук Юрій", birth_date="1975-08-09", place="Ізюм"),
    dict(record_id="k2", source="ru", name="Ткачук Георгий", birth_date="1990-01-15", place="Мариуполь"),
]


def test_an_english_form_of_two_names_links_to_either():
    from svidok.linkage.records import prepare

    features = prepare(AMBIGUOUS)[0].set_index("unique_id")
    assert features.loc["g1", "given_key"] == features.loc["h2", "given_key"]  # George, Георгий
    assert features.loc["g1", "given_alt"] == features.loc["g2", "given_key"]  # George, Юрій
    assert features.loc["k1", "given_key"] != features.loc["k2", "given_key"]  # Юрій, Георгий: two names
    c = clusters_of(link_records(AMBIGUOUS))
    assert c["g1"] == c["g2"] and c["h1"] == c["h2"]
    assert c["k1"] != c["k2"]


def _grouped(weights: dict[tuple[str, str], float], apart: set[tuple[str, str]] = frozenset()) -> dict[str, str]:
    from svidok.linkage.clustering import rebuild

    pairs = sorted(weights, key=lambda k: -weights[k])
    lo, hi = [a for a, _ in pairs], [b for _, b in pairs]
    new_id: dict[str, str] = {}
    rebuild(list(range(len(pairs))), lo, hi, [weights[k] for k in pairs], 0.0, new_id,
             [k in apart for k in pairs])
    return new_id


def test_a_record_missing_fields_joins_a_person_through_its_strongest_link():
    # a1-a3: one person. x (a report without a date) agrees with a1 on the place too;
    # with a2 and a3 it shares only the name, which alone is worth less than nothing.
    weights = {("a1", "a2"): 12.0, ("a1", "a3"): 11.0, ("a2", "a3"): 10.0,
               ("a1", "x"): 1.9, ("a2", "x"): -1.1, ("a3", "x"): -1.1}
    assert len(set(_grouped(weights).values())) == 1
    # a birth year that contradicts keeps it apart, as the weights added up say
    grouped = _grouped(weights, apart={("a3", "x")})
    assert grouped["x"] != grouped["a1"] and grouped["a1"] == grouped["a3"]


def test_a_given_name_written_as_an_initial_links_to_the_full_name():
    from linkage_oracle import TRUTH_COLUMNS
    from linkage_yardstick_gen import generate as yardstick

    # invented persons; "Витко Р. В." is Роман Витко, not his namesake Андрій Витко
    rows = [dict(record_id="i1", source="ru", name="Витко Р. В.", birth_date="12.03.1981", place="Волчанск"),
            dict(record_id="i2", source="ua", name="Витко Роман Васильович", birth_date="1981-03-12", place="Вовчанськ"),
            dict(record_id="i3", source="ngo", name="Andrii Vytko", birth_date="1964-10-02", place="Vovchansk")]
    filler = pd.DataFrame(yardstick(2000, seed=3)).drop(columns=list(TRUTH_COLUMNS))
    result = link_records(pd.concat([pd.DataFrame(rows), filler], ignore_index=True), config=LinkageConfig(explain=True))
    c = clusters_of(result)
    assert c["i1"] == c["i2"] != c["i3"]
    assert "name: the same family name, the given name's initial" in " ".join(sentences(result.explanations[("i1", "i2")]))


def test_typos_and_romanisations_that_keys_used_to_keep_apart_link():
    from linkage_oracle import TRUTH_COLUMNS
    from linkage_yardstick_gen import generate as yardstick

    # invented persons: a typo of one Cyrillic letter written with two Latin ones (я: ia),
    # Latin h for х, and a typo in a given name with no date or place to block on
    rows = [dict(record_id="t1", source="ua", name="Теслюк Тетяна Іванівна", birth_date="1977-06-30", place="Суми"),
            dict(record_id="t2", source="ru", name="Теслюк Тетяяна", birth_date="30.06.1977"),
            dict(record_id="h1", source="ua", name="Хоманчук Вікторія", birth_date="1990-11-02", place="Ізюм"),
            dict(record_id="h2", source="ngo", name="Victoria Homanchuk", place="Izium"),
            dict(record_id="v1", source="ua", name="Віра Сергіївна Брикаленко", birth_date="1953-02-21"),
            dict(record_id="v2", source="ru", name="Брикаленко Вра"),
            dict(record_id="d1", source="ua", name="Бурлакенів Олександр", birth_date="15 жовтня 1951"),
            dict(record_id="d2", source="ngo", name="BURLAKENIV Alexander", birth_date="1950-10-15")]
    filler = pd.DataFrame(yardstick(3000, seed=5)).drop(columns=list(TRUTH_COLUMNS))
    result = link_records(pd.concat([pd.DataFrame(rows), filler], ignore_index=True),
                          config=LinkageConfig(explain=True))
    c = clusters_of(result)
    assert c["t1"] == c["t2"] and c["h1"] == c["h2"] and c["t1"] != c["h1"]
    # a family name that only this person's two records carry counts as rare, though
    # two records of three thousand carry it
    assert c["v1"] == c["v2"]
    said = " ".join(sentences(result.explanations[("v1", "v2")]))
    assert "name: the same family name, the given name one typo apart, a rare one" in said
    # a slip in the year of a full date
    assert c["d1"] == c["d2"]
    assert "birth date: same day and month, a year apart" in " ".join(sentences(result.explanations[("d1", "d2")]))


def test_a_typo_in_the_first_letters_of_a_family_name_is_still_compared():
    from linkage_oracle import TRUTH_COLUMNS
    from linkage_yardstick_gen import generate as yardstick

    # invented persons: Тамбик / Dambyk (the first letter), with only the given name and
    # the birth year beside it; no rule on the family name's start or its sound finds them
    rows = [dict(record_id="f1", source="ua", name="Тамбик Людмила Петрівна", birth_date="2000-04-20", place="Суми"),
            dict(record_id="f2", source="ngo", name="Liudmyla Dambyk", birth_date="2000")]
    filler = pd.DataFrame(yardstick(3000, seed=7)).drop(columns=list(TRUTH_COLUMNS))
    result = link_records(pd.concat([pd.DataFrame(rows), filler], ignore_index=True))
    c = clusters_of(result)
    assert c["f1"] == c["f2"]


def test_a_date_without_the_day_fits_where_another_day_does_not():
    from linkage_oracle import TRUTH_COLUMNS
    from linkage_yardstick_gen import generate as yardstick

    # invented persons: one list gives the month of birth without the day, another a
    # woman of the same name born later that month. Among a million yardstick records,
    # such pairs of a common name were one person 94 % and 19 % of the time.
    rows = [dict(record_id="x1", source="ua", name="Мельник Ірина Петрівна", birth_date="1968-09-12", place="Суми"),
            dict(record_id="x2", source="ngo", name="Iryna Petrivna Melnyk", birth_date="1968-09"),
            dict(record_id="y1", source="ru", name="Мельник Ирина Петровна", birth_date="25.09.1968")]
    filler = pd.DataFrame(yardstick(3000, seed=7)).drop(columns=list(TRUTH_COLUMNS))
    result = link_records(pd.concat([pd.DataFrame(rows), filler], ignore_index=True),
                          config=LinkageConfig(explain=True))

    def birth(pair):
        return next((f["finding"], f["weight"]) for f in result.explanations[pair]["fields"]
                    if f["field"] == "birth date")

    (fits, w_fits), (other, w_other) = birth(("x1", "x2")), birth(("x1", "y1"))
    assert (fits, other) == ("same year and month, one without the day", "same year and month, another day")
    assert w_fits > w_other + 2


def test_a_town_counts_for_less_among_the_persons_of_a_given_name_who_live_there():
    from linkage_oracle import TRUTH_COLUMNS
    from linkage_yardstick_gen import generate as yardstick

    # Invented persons: a Crimean list of thirty men called Ескендер in Бахчисарай, and
    # two pairs without a birth date, one of Ескендер, one of Тарас, in that town. The
    # town says less about the Ескендер pair: many of his namesakes live there.
    roots = ["Абла", "Усеін", "Мамут", "Сеіт", "Кур", "Мусл", "Алі", "Джелял", "Умер", "Ібраім"]
    crimean = [dict(record_id=f"c{i}", source="crimea", name=f"Ескендер {roots[i % 10]}{'ов' if i < 10 else 'ев' if i < 20 else 'оглу'}",
                    place="Бахчисарай") for i in range(30)]
    rows = [dict(record_id="e1", source="crimea", name="Ескендер Сеітбеков", place="Бахчисарай"),
            dict(record_id="e2", source="ru", name="Сеитбеков Эскендер", place="Бахчисарай"),
            dict(record_id="t1", source="crimea", name="Тарас Шевчук", place="Бахчисарай"),
            dict(record_id="t2", source="ru", name="Шевчук Тарас", place="Бахчисарай")]
    filler = pd.DataFrame(yardstick(3000, seed=7)).drop(columns=list(TRUTH_COLUMNS))
    result = link_records(pd.concat([pd.DataFrame(rows + crimean), filler], ignore_index=True),
                          config=LinkageConfig(explain=True))

    def place(pair):
        return next(f["weight"] for f in result.explanations[pair]["fields"] if f["field"] == "place")

    assert place(("e1", "e2")) < place(("t1", "t2")) - 2
