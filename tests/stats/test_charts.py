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
