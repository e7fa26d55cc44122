"""Reading and checking person records: bad input is named, never dropped silently."""

from __future__ import annotations

import pytest

from svidok.linkage import link_records
from svidok.linkage.records import (
    CsvError,
    decode_csv_bytes,
    parse_partial_date,
    prepare,
    read_person_csv,
)

HEADER = "record_id,source,name,birth_date,place\n"


@pytest.mark.parametrize(
    ("text", "parts"),
    [("1972", (1972, None, None)), ("1972-05", (1972, 5, None)), ("1972-05-14", (1972, 5, 14)),
     ("14.05.1972", (1972, 5, 14)), ("05.1972", (1972, 5, None)), ("29.02.2000", (2000, 2, 29)),
     # as Ukrainian, Russian and English lists write them
     ("2 квітня 1990", (1990, 4, 2)), ("2 квітня 1990 р.", (1990, 4, 2)), ("2 апреля 1990 г.", (1990, 4, 2)),
     ("2 апреля 1990", (1990, 4, 2)), ("May 1972", (1972, 5, None)), ("травень 1972", (1972, 5, None))],
)
def test_partial_dates(text, parts):
    assert parse_partial_date(text) == parts


@pytest.mark.parametrize(("text", "reason"), [
    ("1972-02-30", "day 30 does not exist in February 1972"),
    ("29.02.1900", "day 29 does not exist in February 1900"),
    ("1972-13", "month 13 does not exist"),
    ("31 червня 1990", "day 31 does not exist"),
    ("2 Maybe 1972", "unknown month 'Maybe'"),
    ("spring of 1972", "not a date"),
])
def test_impossible_dates_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_partial_date(text)


def test_utf8_with_bom_and_cp1251_read_alike(tmp_path):
    text = HEADER + "1,A,Шевченко Олександр,1972,Маріуполь\n"
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "cp.csv").write_bytes(text.encode("cp1251"))
    bom, cp = read_person_csv(tmp_path / "bom.csv"), read_person_csv(tmp_path / "cp.csv")
    assert list(bom.columns)[0] == "record_id"  # the BOM does not stick to the first column
    assert bom.to_dict("records") == cp.to_dict("records")
    assert cp.loc[0, "name"] == "Шевченко Олександр"


def test_undecodable_bytes_are_an_error_with_offset():
    data = HEADER.encode() + b"1,A,\x81\x98\x00\xff\xfe name,1972,x\n"
    with pytest.raises(CsvError, match=r"not UTF-8 \(byte 0x81 at offset \d+\)"):
        decode_csv_bytes(data)


def test_missing_required_columns_are_listed(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,source,full_name\n1,A,X\n", encoding="utf-8")
    with pytest.raises(CsvError, match="missing required column.*record_id, name.*found: id, source, full_name"):
        read_person_csv(path)


def test_a_row_with_extra_cells_is_skipped_and_listed_the_rest_read(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "1,A,X,1972,P\n2,A,Y,1972,P,extra,cells\n3,B,Z\n", encoding="utf-8")
    df = read_person_csv(path)
    assert df["record_id"].tolist() == ["1", "3"] and df.loc[1, "birth_date"] == ""
    features, issues = prepare(df)
    assert features["unique_id"].tolist() == ["1", "3"]
    by_row = {i.row: i for i in issues}
    assert by_row[2].excluded and "7 cells where the header has 5" in by_row[2].message
    assert not by_row[3].excluded and by_row[3].field == "birth_date, place"


def test_an_unterminated_quote_is_listed_by_its_row(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + '1,A,X,1972,P\n2,A,"Y,1972,P\n', encoding="utf-8")
    _, issues = prepare(read_person_csv(path))
    assert [(i.row, i.field) for i in issues] == [(2, "birth_date, place")]
    assert "3 cells where the header has 5" in issues[0].message


def test_duplicate_or_missing_record_ids_skip_those_rows_only():
    rows = [dict(record_id="1", source="A", name="X"), dict(record_id="1", source="B", name="Y"),
            dict(record_id="", source="B", name="Z"), dict(record_id="2", source="B", name="W")]
    features, issues = prepare(rows)
    assert features["unique_id"].tolist() == ["1", "2"]
    assert [(i.row, i.field, i.excluded) for i in issues] == [(2, "record_id", True), (3, "record_id", True)]
    assert "already used by row 1" in issues[0].message and "no record_id" in issues[1].message


def test_ten_megabytes_in_one_cell_is_reported_and_the_file_still_links(tmp_path):
    path = tmp_path / "p.csv"
    huge = "Ш" * (10 * 1024 * 1024)
    path.write_text(HEADER + f"1,A,Шевченко Олександр,1972,Маріуполь\n2,A,{huge},1972,Маріуполь\n"
                    f"3,B,Oleksandr Shevchenko,1972,{huge}\n4,B,Шевченко Олександр,,\n", encoding="utf-8")
    result = link_records(read_person_csv(path))
    said = {(i.row, i.field, i.excluded, i.message.split(" (")[0]) for i in result.issues}
    assert (2, "name", True, "cell of 10,485,760 characters") in said
    assert (3, "place", False, "cell of 10,485,760 characters") in said
    clusters = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"]))
    assert set(clusters) == {"1", "2", "3", "4"} and clusters["2"] == "2"  # kept apart, still reported


def test_row_issues_name_row_field_and_reason():
    rows = [
        dict(record_id="a", source="A", name="Коваль Олена", birth_date="1980-02-30"),
        dict(record_id="b", source="A", name="?? 123", birth_date="1980"),
        dict(record_id="c", source="A", name="Коваль Олена", birth_date="1875"),
        dict(record_id="d", source="A", name="Olena Koval", age="42", age_date="2022-03-01"),
        dict(record_id="e", source="A", name="Olena Koval", age="42"),
    ]
    features, issues = prepare(rows)
    found = {(i.row, i.record_id, i.field, i.excluded) for i in issues}
    assert found == {(1, "a", "birth_date", False), (2, "b", "name", True),
                     (3, "c", "birth_date", False), (5, "e", "age", False)}
    assert "day 30 does not exist" in issues[0].message
    assert list(features["usable"]) == [True, False, True, True, True]
    assert features["birth_year"].tolist()[3] == 1980  # 2022 - 42, from the age
    # the same person in two scripts gets the same keys; family and given found in either order
    assert features.loc[0, ["family_key", "given_key"]].tolist() == features.loc[3, ["family_key", "given_key"]].tolist()


def test_a_lists_own_order_reads_names_whose_words_do_not_tell():
    # A news outlet writes given name first; "Олексій Мартин" (Мартин is also a given
    # name) and "Хрцстина Довгалега" (a typo) could be read either way on their own.
    media = ["Петро Шевченко", "Ганна Сорока", "Іван Мельник", "Ольга Бондар", "Микола Ткачук"] * 5
    registry = ["Шевченко Петро", "Сорока Ганна", "Мельник Іван", "Бондар Ольга", "Ткачук Микола"] * 5
    rows = [{"record_id": f"m{i}", "source": "media", "name": n} for i, n in enumerate(media)]
    rows += [{"record_id": f"r{i}", "source": "registry", "name": n} for i, n in enumerate(registry)]
    rows += [{"record_id": "m-odd", "source": "media", "name": "Олексій Мартин"},
             {"record_id": "m-typo", "source": "media", "name": "Хрцстина Довгалега"},
             {"record_id": "r-odd", "source": "registry", "name": "Мартин Олексій"},
             {"record_id": "x-odd", "source": "a list of two", "name": "Олексій Гнат"},
             {"record_id": "x-two", "source": "a list of two", "name": "Петро Шевченко"}]
    features, _ = prepare(rows)
    keys = features.set_index("unique_id")[["family_key", "given_key"]]
    assert tuple(keys.loc["m-odd"]) == ("martin", "aleksei")
    assert tuple(keys.loc["r-odd"]) == ("martin", "aleksei")
    assert keys.loc["m-typo", "family_key"] == "dovgalega"
    # one name in a list too short to show a habit: read as Cyrillic names are by default
    assert tuple(keys.loc["x-odd"]) == ("aleksei", "ignat")  # Гнат, the folk form of Ігнат


@pytest.mark.parametrize("places", [
    ("смт Донецьк", "м.Донецьк", "Donetsk", "Donetsk, Ukraine"),
    ("м. Токмак, Запорізька обл.", "Токмак", "Tokmak (Ukraine)"),
    ("пгт Скадовск", "Скадовськ", "Skadovsk, UA"),
    ("Новая Каховка", "Нова Каховка", "Novaya Kakhovka", "Nova Kakhovka"),
    ("с. Гусарівка", "village of Husarivka"),
])
def test_a_place_reads_alike_however_a_list_decorates_it(places):
    rows = [{"record_id": f"r{i}", "source": "s", "name": "Петро Шевченко", "place": p} for i, p in enumerate(places)]
    keys = prepare(rows)[0]["place_key"]
    assert keys.nunique() == 1, dict(zip(places, keys))


def test_a_place_keeps_what_tells_it_apart():
    rows = [{"record_id": f"r{i}", "source": "s", "name": "Петро Шевченко", "place": p}
            for i, p in enumerate(["Токмак", "Донецьк", "Нова Каховка", "Каховка", "Ukraine"])]
    keys = prepare(rows)[0]["place_key"]
    assert keys.nunique() == 5 and keys.iloc[-1] == "ukraine"


@pytest.mark.parametrize("forms", [
    ("Харків", "Харьков", "Kharkiv", "Kharkov", "Harkov"),
    ("Київ", "Киев", "Kyiv", "Kiev"),
    ("Запоріжжя", "Запорожье", "Zaporizhzhia", "Zaporozhye"),
    ("Ірпінь", "Ирпень", "Irpen"),
    ("Олешки", "Алешки"),
    ("Херсон", "Herson", "Kherson"),
    # Russian names whose consonants differ
    ("Миколаїв", "Николаев", "Nikolaev"),
    ("Вовчанськ", "Волчанск", "Volchansk"),
    ("Дніпро", "Днепр", "Dnepr", "Днепропетровск"),
    ("Біла Церква", "Белая Церковь", "Belaya Tserkov"),
    # Crimean Tatar names of Crimea's towns
    ("Сімферополь", "Симферополь", "Aqmescit"),
    ("Джанкой", "Canköy", "Dzhankoi"),
    # a double quote typed for the apostrophe
    ("Куп'янськ", 'Куп"янськ', "Kupiansk"),
])
def test_the_russian_and_latin_forms_of_a_towns_name_read_as_its_ukrainian_name(forms):
    rows = [{"record_id": f"r{i}", "source": "s", "name": "Петро Шевченко", "place": p}
            for i, p in enumerate(forms)]
    keys = prepare(rows)[0]["place_key"]
    assert keys.nunique() == 1, dict(zip(forms, keys))


def test_two_places_of_the_codifier_stay_two_however_alike_they_are_written():
    # Попасна (Луганська обл.) and Попасне (a village) share their consonants
    rows = [{"record_id": f"r{i}", "source": "s", "name": "Петро Шевченко", "place": p}
            for i, p in enumerate(["Попасна", "Попасна", "Попасне", "Попасная"])]
    keys = list(prepare(rows)[0]["place_key"])
    assert keys[0] == keys[1] == keys[3] != keys[2], keys


def test_a_place_no_codifier_names_joins_another_form_only_when_that_one_is_far_commoner():
    # Russian towns are not in the Ukrainian codifier: Таганрог and its Ukrainian name
    # Таганріг read as one only where the records show which form is the list's own
    common = [{"record_id": f"t{i}", "source": "s", "name": "Петро Шевченко", "place": "Таганрог"} for i in range(8)]
    typo = [{"record_id": "x", "source": "s", "name": "Петро Шевченко", "place": "Таганріг"}]
    keys = prepare(common + typo)[0]["place_key"]
    assert keys.nunique() == 1
    keys = prepare(common[:2] + typo)[0]["place_key"]
    assert keys.nunique() == 2


def test_a_guessed_order_follows_the_family_names_the_other_records_carry():
    # A registry writes family name first; "Игоь Мороненко" has a typo in the given name
    # (so neither word is a known given name), and the list's habit alone would read
    # Игоь as the family name. Two other records carry Мороненко as a family name.
    registry = ["Шевченко Петро", "Сорока Ганна", "Мельник Іван", "Бондар Ольга", "Ткачук Микола"] * 5
    rows = [{"record_id": f"r{i}", "source": "registry", "name": n} for i, n in enumerate(registry)]
    rows += [{"record_id": "typo", "source": "registry", "name": "Игоь Мороненко"},
             {"record_id": "m1", "source": "media", "name": "Ігор Мороненко"},
             {"record_id": "m2", "source": "ngo", "name": "MORONENKO Ihor"},
             {"record_id": "rare", "source": "registry", "name": "Влдъ Дзюбаненко"}]
    keys = prepare(rows)[0].set_index("unique_id")
    assert keys.loc["typo", "family_key"] == "moronenko"
    # no other record tells: the list's habit stands
    assert keys.loc["rare", "given_key"] == "dziubanenko"
    assert keys.loc["m1", "family_key"] == keys.loc["m2", "family_key"] == "moronenko"


def test_a_given_names_first_letter_and_initial_agree_across_scripts():
    names = ["Ярослав Коваль", "Yaroslav Koval", "Юлія Коваль", "Yuliia Koval", "Koval Yu.", "Коваль Ю.",
             "Євген Коваль", "Yevhen Koval"]
    rows = [{"record_id": f"r{i}", "source": "s", "name": n} for i, n in enumerate(names)]
    f = prepare(rows)[0]
    first = dict(zip(names, f["given_first"].fillna(f["given_initial"])))
    assert first["Ярослав Коваль"] == first["Yaroslav Koval"]
    assert first["Юлія Коваль"] == first["Yuliia Koval"] == first["Koval Yu."] == first["Коваль Ю."]
    assert first["Євген Коваль"] == first["Yevhen Koval"]
    assert set(f["family_key"]) == {"koval"}


def test_a_diminutive_in_the_given_names_place_reads_as_the_full_name_not_in_the_family_names():
    # Ігорко and Алінка are in no table of everyday forms; Фетко and Заїка are family names
    # that end the same way and keep their own keys.
    rows = [{"record_id": "a", "source": "registry", "name": "Фетко Ігор Петрович"},
            {"record_id": "b", "source": "media", "given_name": "Ігорко", "family_name": "Фетко"},
            {"record_id": "c", "source": "media", "given_name": "Алінка", "family_name": "Заїка"},
            {"record_id": "d", "source": "registry", "given_name": "Аліна", "family_name": "Заїка"}]
    keys = prepare(rows)[0].set_index("unique_id")[["family_key", "given_key"]]
    assert tuple(keys.loc["a"]) == tuple(keys.loc["b"])
    assert tuple(keys.loc["c"]) == tuple(keys.loc["d"])
    assert keys.loc["b", "family_key"] == "fetko"


def test_names_read_in_other_processes_give_the_same_keys():
    """A million names are read in several processes; the keys must not depend on it."""
    from svidok.linkage.name_keys import _name_features, name_features_of

    rows = [("Шевченко Олександр Петрович", "", "", "", None), ("Hanna SOROKA", "", "", "", None),
            ("", "Гаврилюк", "Сашко", "", None), ("ПетроДорошенко", "", "", "", None),
            ("Сеітбеков Ескендер", "", "", "", "family first"), ("Витко Р. В.", "", "", "", None)] * 3
    serial = name_features_of(rows, workers=1)
    assert serial[0][:2] == ("shevchenko", "aleksandr") and serial[3][:2] == ("doroshenko", "petr")
    _name_features.cache_clear()
    assert name_features_of(rows, workers=2, parallel_min=2) == serial
    assert _name_features.cache_info().currsize == 0  # read by the other processes, not here
