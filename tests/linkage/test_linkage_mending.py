"""Typos in name keys mended from the records themselves."""

from __future__ import annotations

import pandas as pd

from svidok.domain.names import is_given_name
from svidok.linkage.mending import mended_keys
from svidok.linkage.records import prepare


def _keys(**counts: int) -> pd.Series:
    return pd.Series([k for k, n in counts.items() for _ in range(n)])


def test_a_rare_key_one_typo_from_a_common_one_is_read_as_it():
    keys = _keys(vladimir=50, vladimr=1, burlakoschuk=12, burlakooschuk=1, burlakshcuk=1)
    out = mended_keys(keys)
    assert set(out) == {"vladimir", "burlakoschuk", "burlakshcuk"}  # two typos away: left alone
    assert (out == "vladimir").sum() == 51


def test_known_names_short_keys_and_close_calls_stay():
    # Олеся is a name of its own, however many Олена there are
    assert set(mended_keys(_keys(elena=500, olesia=1), keep=is_given_name)) == {"elena", "olesia"}
    # a four-letter key: one letter is too much of it
    assert set(mended_keys(_keys(petr=100, petp=1))) == {"petr", "petp"}
    # two common keys one typo away: which one is meant cannot be told
    assert set(mended_keys(_keys(kovalenko=40, kovalenka=30, kovalenk=1))) == {"kovalenko", "kovalenka", "kovalenk"}
    # a key as common as its neighbour is a name, not a typo
    assert set(mended_keys(_keys(shevchuk=20, shevchun=6))) == {"shevchuk", "shevchun"}


def test_prepare_mends_given_and_family_names_and_the_name_key_with_them():
    rows = [dict(record_id=f"a{i}", source="ua", name="Бурлакосчук Володимир") for i in range(10)]
    rows.append(dict(record_id="t1", source="ru", name="Бурлакоосчук Володимри"))
    features = prepare(rows)[0].set_index("unique_id")
    assert features.loc["t1", "name_concat"] == features.loc["a0", "name_concat"]
    assert features.loc["t1", "family_sound"] == features.loc["a0", "family_sound"]
