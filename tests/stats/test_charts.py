"""Charts render offline to real image files."""

from __future__ import annotations

from pathlib import Path

from svidok.stats.age_bands import VOCAB_BANDS, parse_bands, read_population_csv
from svidok.stats.charts import estimate_chart, population_pyramid, save_chart, time_series


def test_pyramid_time_series_and_estimate_charts_render(tmp_path: Path) -> None:
    pop = read_population_csv().by_band(parse_bands(VOCAB_BANDS))
    victims = {("80+", "female"): 30, ("70-79", "male"): 25, ("30-44", "male"): 60, ("5-9", "female"): 4}
    png = save_chart(population_pyramid(victims, pop), tmp_path / "pyramid.png")
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 5000
    svg = save_chart(time_series([("2022-03", 40), ("2022-04", 25), ("2022-05", 31)]), tmp_path / "ts.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "2022-04" in text
    strata = [{"stratum": "Kharkiv", "observed": 40, "estimate": 100.0, "lower": 70.0, "upper": 160.0},
              {"stratum": "Sumy", "observed": 3, "estimate": None, "lower": None, "upper": None}]
    out = save_chart(estimate_chart(strata), tmp_path / "est.svg").read_text(encoding="utf-8")
    assert "Kharkiv" in out and "Sumy" in out


def test_month_axis_labels_are_spaced_and_percentages_rounded_and_ukrainian(tmp_path: Path) -> None:
    import re

    months = [(f"{y}-{m:02d}", m + y % 7) for y in (2022, 2023, 2024, 2025) for m in range(1, 13)]
    text = save_chart(time_series(months, lang="uk"), tmp_path / "ts.svg").read_text(encoding="utf-8")
    labels = re.findall(r'opacity="1">(20\d\d-\d\d)</text>', text)
    hidden = re.findall(r'opacity="0">(20\d\d-\d\d)</text>', text)
    assert 3 <= len(labels) <= 6 and not hidden, (labels, hidden)  # 48 months: a label a year
    assert "Задокументовані жертви в часі" in text and "місяць" in text
    pop = read_population_csv().by_band(parse_bands(VOCAB_BANDS))
    victims = {("30-44", "male"): 7, ("80+", "female"): 3, ("5-9", "female"): 4}
    svg = save_chart(population_pyramid(victims, pop, lang="uk"), tmp_path / "p.svg").read_text(encoding="utf-8")
    shares = re.findall(r">([\d.]+)%<", svg)
    assert shares and all(re.fullmatch(r"\d+", s) for s in shares), shares
    assert "чоловіки" in svg and "жінки" in svg and "вік" in svg and "Задокументовані жертви" in svg
    assert "male" not in svg and "share" not in svg
