"""Charts for the statistics (Altair specifications, rendered offline to PNG or SVG by vl-convert)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import altair as alt
import vl_convert as vlc

from .age_bands import SEXES, VOCAB_BANDS, parse_bands


def population_pyramid(
    victims: Mapping[tuple[str, str], int],
    population: Mapping[tuple[str, str], int],
    bands: str = VOCAB_BANDS,
    title: str = "Documented victims and population by age and sex",
) -> alt.Chart:
    """Victims' shares as bars (men left, women right) with the population's shares as ticks."""
    order = [b.code for b in parse_bands(bands)]
    tv, tp = sum(victims.values()) or 1, sum(population.values()) or 1
    rows = []
    for band in order:
        for sex in SEXES:
            sign = -1 if sex == "male" else 1
            rows.append({"band": band, "sex": sex, "what": "victims", "share": sign * victims.get((band, sex), 0) / tv,
                         "count": victims.get((band, sex), 0)})
            rows.append({"band": band, "sex": sex, "what": "population",
                         "share": sign * population.get((band, sex), 0) / tp, "count": population.get((band, sex), 0)})
    data = alt.Data(values=rows)
    y = alt.Y("band:N", sort=list(reversed(order)), title="age")
    x = alt.X("share:Q", title="share (men left, women right)", axis=alt.Axis(format="%", labelExpr="abs(datum.value) * 100 + '%'"))
    bars = alt.Chart(data).transform_filter("datum.what == 'victims'").mark_bar(opacity=0.8).encode(
        x=x, y=y, color=alt.Color("sex:N", scale=alt.Scale(domain=list(SEXES), range=["#4c78a8", "#e45756"])),
        tooltip=["band:N", "sex:N", "count:Q", alt.Tooltip("share:Q", format=".1%")],
    )
    ticks = alt.Chart(data).transform_filter("datum.what == 'population'").mark_tick(
        color="black", thickness=2, size=14
    ).encode(x=x, y=y, tooltip=["band:N", "sex:N", "count:Q"])
    subtitle = "bars: documented victims; black ticks: population"
    return (bars + ticks).properties(title=alt.TitleParams(title, subtitle=subtitle), width=420, height=300)


def time_series(points: Iterable[tuple[str, int]], title: str = "Documented victims over time") -> alt.Chart:
    """Counts per period (``YYYY-MM`` or ``YYYY``), in period order."""
    rows = [{"period": p, "count": c} for p, c in sorted(points)]
    return alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("period:O", title="period"), y=alt.Y("count:Q", title="documented victims"),
        tooltip=["period:O", "count:Q"],
    ).properties(title=title, width=480, height=260)


def estimate_chart(strata: Iterable[Mapping], title: str = "Documented and estimated victims") -> alt.Chart:
    """Per stratum: the documented count (bar) and the estimate with its 95% interval (point and rule).

    Each mapping needs ``stratum``, ``observed``, ``estimate``, ``lower``, ``upper`` (None = not
    estimated, or an unbounded upper limit, which is drawn as open-ended at the chart's edge)."""
    rows = []
    for s in strata:
        rows.append({"stratum": str(s["stratum"]), "observed": s["observed"], "estimate": s.get("estimate"),
                     "lower": s.get("lower"), "upper": s.get("upper")})
    data = alt.Data(values=rows)
    y = alt.Y("stratum:N", title=None)
    bars = alt.Chart(data).mark_bar(color="#bab0ac").encode(x=alt.X("observed:Q", title="people"), y=y,
                                                             tooltip=["stratum:N", "observed:Q"])
    est = alt.Chart(data).transform_filter("datum.estimate != null")
    rule = est.mark_rule(color="black").encode(x="lower:Q", x2="upper:Q", y=y)
    point = est.mark_point(color="black", filled=True).encode(
        x="estimate:Q", y=y, tooltip=["stratum:N", alt.Tooltip("estimate:Q", format=",.0f"),
                                      alt.Tooltip("lower:Q", format=",.0f"), alt.Tooltip("upper:Q", format=",.0f")])
    subtitle = "grey: documented; dot and line: estimate and 95% interval (none where not estimable)"
    return (bars + rule + point).properties(title=alt.TitleParams(title, subtitle=subtitle), width=480,
                                            height=max(60, 28 * len(rows)))


def save_chart(chart: alt.Chart, path: str | Path, scale: float = 2.0) -> Path:
    """Render offline: PNG or SVG by the file's suffix (no browser, no network)."""
    path = Path(path)
    spec = chart.to_json()
    if path.suffix.lower() == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    elif path.suffix.lower() == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=scale))
    else:
        raise ValueError(f"chart file must end in .png or .svg, not {path.suffix!r}")
    return path


def trace_chart(traces: Mapping[str, list[list[float]]], labels: Mapping[str, str] | None = None,
                title: str = "Traces of the chains", max_points: int = 400) -> alt.Chart:
    """Trace plots, one panel per quantity (``N``, ``alpha``, ``classes``), one line per chain.

    Chains that agree overlap like noise around one level; a chain that wanders off on its own
    is what R-hat flags. Long chains are thinned to ``max_points`` draws for drawing only."""
    labels = {"N": "total N", "alpha": "alpha", "classes": "occupied classes", "chain": "chain", "draw": "draw",
              **(labels or {})}
    panels = []
    for name in ("N", "alpha", "classes"):
        chains = traces.get(name) or []
        rows = []
        for c, values in enumerate(chains, start=1):
            step = max(1, -(-len(values) // max_points))
            rows += [{"draw": i, "chain": str(c), "value": v} for i, v in enumerate(values) if i % step == 0]
        panels.append(alt.Chart(alt.Data(values=rows)).mark_line(strokeWidth=0.8, opacity=0.8).encode(
            x=alt.X("draw:Q", title=labels["draw"]),
            y=alt.Y("value:Q", title=labels[name], scale=alt.Scale(zero=False)),
            color=alt.Color("chain:N", title=labels["chain"]),
        ).properties(width=480, height=110))
    return alt.vconcat(*panels).properties(title=title)
