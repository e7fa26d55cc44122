"""Linkage on records from the independent yardstick (bench/linkage_yardstick_gen.py,
written apart from the linker): the same clusters on every run, and the classes of
issue 17 linked."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.evaluate import score_clusters

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from linkage_oracle import TRUTH_COLUMNS, ceiling
from linkage_yardstick_gen import generate


def _partition(result) -> set[frozenset[str]]:
    return {frozenset(g) for _, g in result.clusters.groupby("cluster_id")["record_id"]}


def test_the_same_input_gives_the_same_clusters_twice_and_scores_near_the_ceiling():
    labelled = pd.DataFrame(generate(3000, seed=11))
    records = labelled.drop(columns=list(TRUTH_COLUMNS))
    # enough records to train on the data itself (the path where threads could reorder sums)
    first = link_records(records, config=LinkageConfig(min_records_to_train=1000))
    second = link_records(records, config=LinkageConfig(min_records_to_train=1000))
    assert _partition(first) == _partition(second)
    assert first.pairs.equals(second.pairs)
    scores = score_clusters(first.clusters["cluster_id"], labelled["person_id"].set_axis(first.clusters.index))
    assert scores.pair_f1 >= ceiling(labelled).pair_f1 - 0.06


# All persons invented; one line per class the issue names.
CLASSES = [
    ("typo on a Russian form", "Гончар Олександр", "1990-04-02", "Ізюм", "Гончар Алексадр", "1990-04-02", "Изюм"),
    ("no space", "Дорошенко Петро", "1971-02-03", "Буча", "ПетроДорошенко", "3 лютого 1971", ""),
    ("order", "Сорока Ганна", "1985-06-07", "Херсон", "Hanna Soroka", "1985-06-07", "Kherson"),
    ("English form", "Мельничук Микола", "1966-01-15", "", "Nicholas Melnychuk", "1966-01-15", ""),
    ("Russian-spelling transliteration", "Гаврилюк Андрій", "1979-09-09", "Суми", "Andrey Gavrilyuk",
     "1979-09-09", "Sumy"),
    ("Crimean Tatar", "Джемілєв Ескендер", "1992-11-30", "Судак", "Eskender Cemilev", "30.11.1992", "Sudak"),
    ("diminutive", "Коваленко Олександр Петрович", "1958-12-01", "Ізюм", "Сашко Коваленко", "1 грудня 1958", "Ізюм"),
    ("feminine, Russian spelling", "Ковальська Олена Іванівна", "1970-08-08", "Маріуполь",
     "Ковальская Елена Ивановна", "8 августа 1970 г.", "Мариуполь"),
    ("apostrophe", "Мар'яненко Мар'яна", "1999-05-05", "Лиман", "Maryana Maryanenko", "05.05.1999", "Lyman"),
]


def test_each_class_of_the_issue_links():
    rows = []
    for i, (_, n1, d1, p1, n2, d2, p2) in enumerate(CLASSES):
        rows.append(dict(record_id=f"{i}a", source="ua", name=n1, birth_date=d1, place=p1))
        rows.append(dict(record_id=f"{i}b", source="other", name=n2, birth_date=d2, place=p2))
    # the classes among other people, so that the model has something to tell them from
    filler = pd.DataFrame(generate(1500, seed=5)).drop(columns=list(TRUTH_COLUMNS))
    result = link_records(pd.concat([pd.DataFrame(rows), filler], ignore_index=True))
    c = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"]))
    missed = [cls for i, (cls, *_) in enumerate(CLASSES) if c[f"{i}a"] != c[f"{i}b"]]
    assert not missed
