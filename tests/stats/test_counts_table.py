"""Counts files and linked records become capture-pattern tables; bad input is refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from svidok.stats.counts_table import (
    CountsError,
    read_counts_csv,
    stratified_tables,
    table_from_source_sets,
)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "counts.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_a_counts_file(tmp_path: Path) -> None:
    t = read_counts_csv(write(tmp_path, "A,B,C,count\n1,0,0,10\n0,1,0,5\n1,1,0,2\n0,0,1,4\n1,1,1,1\n"))
    assert t.lists == ("A", "B", "C")
    assert t.observed == 22
    assert t.list_totals() == {"A": 13, "B": 8, "C": 5}
    assert ((1, 1, 0), 2) in t.rows()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A,B,count\n0,0,3\n1,0,2\n", "row 1: pattern of all zeros"),
        ("A,B,count\n1,0,-2\n", "row 1, column 'count': '-2' is negative"),
        ("A,B,count\n1,0,2.5\n", "row 1, column 'count': '2.5' is not a whole number"),
        ("A,B,count\n1,0,abc\n", "row 1, column 'count': 'abc' is not a number"),
        ("A,count\n1,4\n", "need at least two list columns"),
        ("A,B,C\n1,0,1\n", "no 'count' column"),
        ("A,B,count\n1,2,4\n", "row 1, column 'B': '2' is not 0 or 1"),
        ("A,B,count\n1,0,4\n0,1\n", "row 2: 2 values, expected 3"),
        ("A,B,count\n1,0,4\n1,0,5\n", "row 2: pattern 10 repeats row 1"),
        ("A,B,count\n1,0,0\n0,1,0\n", "all counts are zero"),
        ("A,B,count\n", "no data rows"),
        ("", "empty file"),
    ],
)
def test_bad_counts_files_are_refused_with_the_row_and_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CountsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_counts_csv(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CountsError, match="cannot read"):
        read_counts_csv(tmp_path / "nope.csv")


def test_people_with_their_sources_are_tabulated() -> None:
    t = table_from_source_sets([{"un"}, {"un", "ngo"}, {"media"}, {"ngo", "un"}])
    assert t.lists == ("media", "ngo", "un")
    assert t.observed == 4
    assert dict((p, c) for p, c in t.rows()) == {(1, 0, 0): 1, (0, 0, 1): 1, (0, 1, 1): 2}
    with pytest.raises(CountsError, match="person 2: documented by no source"):
        table_from_source_sets([{"un"}, set()])


def test_strata_share_the_list_order_and_empty_lists_can_be_dropped() -> None:
    people = [("Kharkiv", {"a", "b"}), ("Kharkiv", {"a"}), ("Sumy", {"c"}), ("Sumy", {"a", "c"})]
    tables = stratified_tables(people)
    assert set(tables) == {"Kharkiv", "Sumy"}
    assert all(t.lists == ("a", "b", "c") for t in tables.values())
    reduced, dropped = tables["Sumy"].drop_empty_lists()
    assert dropped == ["b"] and reduced.lists == ("a", "c") and reduced.observed == 2
