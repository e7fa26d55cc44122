"""Typos in name keys mended from the records themselves."""

from __future__ import annotations

import pandas as pd

from svidok.domain.names import key_spellings
from svidok.linkage.mending import mended_keys
from svidok.linkage.name_keys import _a_name_of_its_own
from svidok.linkage.records import prepare


def _keys(**counts: int) -> pd.Series:
    return pd.Series([k for k, n in counts.items() for _ in range(n)])


def test_a_key_one_typo_from_a_much_commoner_one_is_read_as_it():
    keys = _keys(vladimir=50, vladimr=1, burlakoschuk=12, burlakooschuk=1, burlakshcuk=1, khmarich=9, gmarich=2)
    out = mended_keys(keys)
    assert set(out) == {"vladimir", "burlakoschuk", "burlakshcuk", "khmarich"}  # two typos away: left alone
    assert (out == "vladimir").sum() == 51 and (out == "khmarich").sum() == 11  # Latin h for х
    # a typo of a common name recurs: read as the name when the name is twenty times as common
    assert set(mended_keys(_keys(iuri=400, iuiri=20))) == {"iuri"}
    assert set(mended_keys(_keys(olga=400, olda=20))) == {"olga", "olda"}  # four letters: too short
    assert set(mended_keys(_keys(iaroslav=100, iaoslav=6))) == {"iaroslav", "iaoslav"}  # only 17 times


def test_names_of_their_own_and_close_calls_stay():
    # Арина is a name of its own beside Ірина, Ярослава beside Ярослав
    out = mended_keys(_keys(irina=500, arina=1, iaroslav=300, iaroslava=2), min_length=4, protect=_a_name_of_its_own)
    assert set(out) == {"irina", "arina", "iaroslav", "iaroslava"}
    # two common keys one typo away: which one is meant cannot be told
    assert set(mended_keys(_keys(kovalenko=40, kovalenka=30, kovalenk=1))) == {"kovalenko", "kovalenka", "kovalenk"}
    # a key about as common as its neighbour is a name, not a typo
    assert set(mended_keys(_keys(shevchuk=20, shevchun=6))) == {"shevchuk", "shevchun"}


def test_prepare_mends_given_and_family_names_and_the_name_key_with_them():
    rows = [dict(record_id=f"a{i}", source="ua", name="Бурлакосчук Володимир") for i in range(10)]
    rows.append(dict(record_id="t1", source="ru", name="Бурлакоосчук Володимри"))
    features = prepare(rows)[0].set_index("unique_id")
    assert features.loc["t1", "name_concat"] == features.loc["a0", "name_concat"]
    assert features.loc["t1", "family_sound"] == features.loc["a0", "family_sound"]


def test_a_womans_family_name_in_russian_and_ukrainian_form_has_one_key():
    rows = [dict(record_id=str(i), source="s", name=n) for i, n in enumerate(
        ["Ковальська Олена", "Ковальская Елена", "Olena Kovalska", "Elena Kovalskaya", "Lilâ Cemileva", "Джемілєва Ліля"])]
    features = prepare(rows)[0]
    assert features["family_key"].tolist() == ["kovalska"] * 4 + ["dzhemileva"] * 2


def test_a_typo_of_one_cyrillic_letter_written_with_two_latin_ones_is_one_typo():
    # Анярей for Андрей: the key "aniarei" is two letters from "andrei", the name one
    out = mended_keys(_keys(andrei=400, aniarei=2, oleksandr=300, oleksanrd=1), min_length=4)
    assert set(out) == {"andrei", "oleksandr"}


def test_only_keys_one_typo_away_compete():
    # Tmara is one typo from Тамара; Марія is two ("mara" is a drop of both), so the
    # commoner Марія does not make the choice look close
    out = mended_keys(_keys(tamara=200, maria=300, tmara=1), min_length=4, protect=_a_name_of_its_own,
                      spellings=key_spellings)
    assert set(out) == {"tamara", "maria"}


def test_two_letters_swapped_are_a_slip_even_where_the_dictionary_knows_the_spelling():
    # the name dictionary holds Иавн; beside hundreds of Иван it is Иван mistyped
    out = mended_keys(_keys(ivan=500, iavn=3, lada=200, lara=2), min_length=4, protect=_a_name_of_its_own,
                      spellings=key_spellings)
    assert set(out) == {"ivan", "lada", "lara"}  # Лара is a name of its own beside Лада


def test_the_name_key_reads_latin_h_and_russian_vowels_as_the_ukrainian_name():
    rows = [dict(record_id=str(i), source="s", name=n) for i, n in enumerate(
        ["Хоманчук Вікторія", "Victoria Homanchuk", "Олійник Олена", "Олейник Елена", "Oliynyk Olena",
         "Олійчук Олена"])]
    features = prepare(rows)[0]["name_concat"].tolist()
    assert features[0] == features[1] and features[2] == features[3] == features[4]
    assert features[5] != features[2]
