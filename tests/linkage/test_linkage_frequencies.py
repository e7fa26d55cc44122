"""How much an exact name agreement is worth, read from how often same-name records
share a source (a list names a person once)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from svidok.linkage.frequencies import (
    frequency_table,
    match_share_by_count,
    other_person_frequencies,
    place_frequencies,
    same_source_when_one_person,
)

SOURCES = ["ua", "ru", "ngo", "media", "crimea"]


def _records(seed: int = 3) -> pd.DataFrame:
    """Rare names: one person each, listed by two or three different sources. Common
    names: forty persons each, every one listed by one source chosen at random."""
    rng = random.Random(seed)
    rows = []
    for i in range(600):
        for s in rng.sample(SOURCES, rng.choice((2, 3))):
            rows.append((f"rare{i}", s))
    for i in range(10):
        for _ in range(40):
            rows.append((f"common{i}", rng.choice(SOURCES)))
    return pd.DataFrame(rows, columns=["name", "source"])


def test_rare_names_are_mostly_one_person_common_ones_are_not():
    df = _records()
    counts = df["name"].value_counts()
    pairs = counts * (counts - 1) / 2
    share = pairs[pairs.index.str.startswith("rare")].sum() / pairs.sum()  # what EM would find
    q1 = same_source_when_one_person(df["name"], df["source"], same_name_matches=share)
    assert q1 is not None and q1 < 0.05
    shares = match_share_by_count(df["name"], df["source"], q1)
    assert shares[2] > 0.9 and shares[3] > 0.9  # names of two or three records: one person each
    assert shares[25] < 0.15  # forty persons of one name
    assert list(shares.values()) == sorted(shares.values(), reverse=True)


def test_one_source_cannot_tell_and_the_counts_are_used():
    df = _records()
    df["source"] = "ua"
    assert same_source_when_one_person(df["name"], df["source"], same_name_matches=0.2) is None
    table = frequency_table("name_concat", df["name"], None, prior=1e-4, m_level=0.8, scale=0.5)
    tf = table.set_index("name_concat")["tf_name_concat"]
    assert tf["common0"] == 40 / len(df) * 0.5


def test_a_name_alone_says_the_share_it_was_read_from():
    df = _records()
    shares = {2: 0.9, 25: 0.1}
    prior, m = 1e-4, 0.8
    tf = frequency_table("name_concat", df["name"], shares, prior, m).set_index("name_concat")["tf_name_concat"]
    odds = prior / (1 - prior) * m / tf
    assert abs(odds["rare0"] - 0.9 / 0.1) < 1e-6
    assert abs(odds["common0"] - 0.1 / 0.9) < 1e-6


def test_a_family_name_counts_only_other_persons_records():
    df = _records()
    tf = other_person_frequencies("family_key", df["name"], df["source"], q1=0.02).set_index("family_key")["tf_family_key"]
    n = len(df)
    # one person's two or three records: hardly anyone else carries the name, though
    # the plain share of records (2 / n or 3 / n) says it is commoner than most
    assert tf["rare0"] < 1 / n
    # forty persons' records: nearly all of them are someone else's
    assert 30 / n < tf["common0"] <= 39 / n


def _lists_that_favour_spellings(seed: int = 5) -> pd.DataFrame:
    """30,000 persons, names from a long-tailed list (the commonest carried by thousands),
    each person named by one to three lists. A spelling is likelier in one list than in
    the others (weight 1.6 against 1), as a Russian form is likelier in a Russian list."""
    rng = random.Random(seed)
    weights = [1 / (k + 1) ** 0.9 for k in range(4000)]
    rows = []
    for person in range(30_000):
        n = rng.choices(range(4000), weights)[0]
        pool, w = list(SOURCES), [1.6 if i == n % 5 else 1.0 for i in range(5)]
        for _ in range(rng.choices((1, 2, 3), (45, 35, 20))[0]):
            i = rng.choices(range(len(pool)), w)[0]
            rows.append((f"name{n}", pool.pop(i), person))
            w.pop(i)
    return pd.DataFrame(rows, columns=["name", "source", "person"])


def test_common_names_keep_the_share_their_persons_own_records_give():
    # The same-source share of a common name comes within a spelling's leaning of what
    # unrelated records show; read alone it put names of 25 records and more at the floor.
    df = _lists_that_favour_spellings()
    counts = df["name"].value_counts()
    pairs = counts * (counts - 1) // 2
    own = df.groupby(["name", "person"]).size().pipe(lambda s: s * (s - 1) // 2).groupby(level=0).sum()
    shares = match_share_by_count(df["name"], df["source"], q1=0.0)
    for low, high in ((25, 50), (50, 100), (100, 200)):
        group = counts[(counts >= low) & (counts < high)].index
        truth = own[group].sum() / pairs[group].sum()
        assert truth / 1.5 < shares[low] < truth * 1.5, (low, shares[low], truth)


def _tf(table: pd.DataFrame, key: str) -> float:
    return float(table.set_index("given_place").loc[key, "tf_given_place"])


def test_a_town_where_a_given_name_lives_counts_as_common_for_that_name():
    # 400 persons of Ukrainian given names spread over 20 towns; 40 persons called
    # Ескендер, 30 of them in Бахчисарай. Among Ескендери the town is common, among
    # the rest as rare as any other.
    rng = random.Random(5)
    towns = [f"town{i}" for i in range(19)] + ["бахчисарай"]
    rows = [(rng.choice(["олег", "ірина", "петро"]), rng.choice(towns[:19]), f"fam{i}") for i in range(400)]
    rows += [("ескендер", "бахчисарай" if i < 30 else rng.choice(towns[:19]), f"crh{i}") for i in range(40)]
    df = pd.DataFrame(rows, columns=["given", "place", "family"])
    tf = place_frequencies(df["given"], df["place"], df["given"] + " " + df["family"])
    overall = 30 / 440
    assert _tf(tf, "ескендер|бахчисарай") > 3 * overall
    assert _tf(tf, "|бахчисарай") == pytest.approx(overall)  # no given name: the town's share
    # A person's own records (one name listed five times) do not make a town common.
    given, town, family = rows[0]
    again = pd.concat([df, pd.DataFrame([rows[0]] * 5, columns=df.columns)])
    tf_again = place_frequencies(again["given"], again["place"], again["given"] + " " + again["family"])
    assert _tf(tf_again, f"{given}|{town}") == pytest.approx(_tf(tf, f"{given}|{town}"))
