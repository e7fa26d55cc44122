"""Shares, rate ratios and plain verdicts: does the data support 'older people are
disproportionately killed'? Victim counts are synthetic; the population is the shipped 2018 table."""

from __future__ import annotations

from pathlib import Path

import pytest

from svidok.stats.age_bands import (
    BROAD_BANDS,
    VOCAB_BANDS,
    CountsError,
    age_group,
    band_of,
    parse_bands,
    read_population_csv,
)
from svidok.stats.disproportionality import compare_with_population, tabulate_victims


def test_shipped_population_table_totals_and_bands() -> None:
    pop = read_population_csv()
    assert "State Statistics Service of Ukraine" in pop.source
    by = pop.by_band(parse_bands(VOCAB_BANDS))
    assert sum(by.values()) == 42_216_766  # resident population, 1 January 2018
    broad = pop.by_band(parse_bands(BROAD_BANDS))
    older = broad[("60+", "male")] + broad[("60+", "female")]
    assert 0.22 < older / sum(broad.values()) < 0.24


def test_bands_are_checked() -> None:
    assert [b.code for b in parse_bands("0-17,18-59,60+")] == ["0-17", "18-59", "60+"]
    for bad in ("0-17,19-59,60+", "5-17,18+", "0-17,18-59", "0-17,18+,60+", "zero-9,10+"):
        with pytest.raises(CountsError):
            parse_bands(bad)
    with pytest.raises(CountsError, match="straddle"):
        read_population_csv().by_band(parse_bands("0-17,18-84,85+"))  # the table stops at 80+


def test_age_assignment_uses_age_then_recorded_band() -> None:
    bands = parse_bands(BROAD_BANDS)
    assert band_of(67, bands) == "60+" and band_of(None, bands, "70-79") == "60+"
    assert band_of(None, bands, "10-19") is None  # straddles 17/18: cannot be placed
    assert age_group(None, None) == "unknown" and age_group(5) == "child"


def victims_older_overrepresented() -> dict:
    records = [(75, None, "female")] * 120 + [(68, None, "male")] * 80 + [(40, None, "male")] * 250
    records += [(30, None, "female")] * 110 + [(10, None, "female")] * 25 + [(8, None, "male")] * 15
    return tabulate_victims(records, parse_bands(BROAD_BANDS))


def test_older_people_overrepresented_with_interval_and_plain_statement() -> None:
    r = compare_with_population(victims_older_overrepresented(), bands=BROAD_BANDS, by="age")
    older = next(g for g in r.groups if g.group == "60+")
    assert older.victims == 200 and r.victims_known == 600
    assert older.share_lower < 200 / 600 < older.share_upper
    assert older.rate_ratio > 1 and older.ratio_lower > 1
    assert older.verdict == "over-represented"
    assert "over-represented" in older.statement and "rate ratio" in older.statement
    children = next(g for g in r.groups if g.group == "0-17")
    assert children.verdict == "under-represented"
    assert any("documented victims only" in c for c in r.caveats)


def test_no_claim_when_interval_includes_one_or_counts_are_tiny() -> None:
    pop = read_population_csv().by_band(parse_bands(BROAD_BANDS))
    total = sum(pop.values())
    # victims in exact population proportion: no group stands out
    victims = {(b, s): round(1000 * n / total) for (b, s), n in pop.items()}
    r = compare_with_population(victims, bands=BROAD_BANDS, by="age")
    assert all(g.verdict == "no clear difference" for g in r.groups)
    assert all("cannot support a claim" in g.statement for g in r.groups)
    tiny = compare_with_population({("60+", "male"): 2, ("18-59", "male"): 3}, bands=BROAD_BANDS, by="age")
    assert {g.verdict for g in tiny.groups} == {"too few to tell"}


def test_unknown_ages_that_could_reverse_the_verdict_are_called_out() -> None:
    v = victims_older_overrepresented()
    v[(None, "female")] = 400  # many victims without an age
    r = compare_with_population(v, bands=BROAD_BANDS, by="age")
    older = next(g for g in r.groups if g.group == "60+")
    assert older.verdict == "over-represented (not robust)"
    assert "could reverse this" in older.statement
    assert r.victims_unknown == 400 and any("cannot be placed" in w for w in r.warnings)
    by_sex = compare_with_population(v, bands=BROAD_BANDS, by="sex")
    assert by_sex.victims_unknown == 0  # their sex is known


def test_user_supplied_population(tmp_path: Path) -> None:
    path = tmp_path / "pop.csv"
    path.write_text("age_from,age_to,sex,population\n0,59,male,500\n0,59,female,500\n60,,male,500\n60,,female,500\n",
                    encoding="utf-8")
    pop = read_population_csv(path)
    r = compare_with_population({("0-59", "male"): 50, ("60+", "female"): 50}, pop, bands="0-59,60+", by="age")
    assert [round(g.rate_ratio, 6) for g in r.groups] == [1.0, 1.0]
    path.write_text("age_from,age_to,sex,population\n0,59,other,5\n", encoding="utf-8")
    with pytest.raises(CountsError, match="row 1, column 'sex'"):
        read_population_csv(path)
