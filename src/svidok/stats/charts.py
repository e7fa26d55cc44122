"""Charts for the statistics (Altair specifications, rendered offline to PNG or SVG by vl-convert)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import altair as alt
import vl_convert as vlc

from .age_bands import SEXES, VOCAB_BANDS, parse_bands

#: Chart words in each interface language (the statistics layer has no gettext; these few live here).
WORDS = {
    "en": {"pyramid": "Documented victims and population by age and sex", "age": "age",
           "share": "share (men left, women right)", "male": "men", "female": "women",
           "pyramid_sub": "bars: documented victims; black ticks: population", "sex": "sex",
           "count": "number", "period": "month", "over_time": "Documented victims over time",
           "victims": "documented victims", "people": "people", "stratum": "stratum",
           "estimated": "Documented and estimated victims", "estimate": "estimate", "lower": "lower", "upper": "upper",
           "estimate_sub": "grey: documented; dot and line: estimate and 95% interval (none where not estimable)"},
    "uk": {"pyramid": "Задокументовані жертви та населення за віком і статтю", "age": "вік",
           "share": "частка (чоловіки ліворуч, жінки праворуч)", "male": "чоловіки", "female": "жінки",
           "pyramid_sub": "стовпці: задокументовані жертви; чорні риски: населення", "sex": "стать",
           "count": "кількість", "period": "місяць", "over_time": "Задокументовані жертви в часі",
           "victims": "задокументовані жертви", "people": "осіб", "stratum": "страта",
           "estimated": "Задокументовані й оцінені жертви", "estimate": "оцінка", "lower": "нижня межа",
           "upper": "верхня межа",
           "estimate_sub": "сірий: задокументовано; точка й лінія: оцінка та 95% інтервал (де її можна оцінити)"},
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def time_unit(periods: Iterable[str]) -> tuple[str, str]:
    """Vega-Lite time unit and label format of ``YYYY-MM`` (months) or ``YYYY`` (years) periods."""
    return ("utcyearmonth", "%Y-%m") if any(len(p) > 4 for p in periods) else ("utcyear", "%Y")


def time_axis(periods: list[str], most: int = 6) -> alt.Axis:
    """A time axis with at most ``most`` labels (a 480 px chart fits six), one every 1, 2, 3, 6, 12… months: an ordinal
    axis printed every month, overlapping, and the time scale's own choice still hid some."""
    unit, fmt = time_unit(periods)
    years = sorted({int(p[:4]) for p in periods}) or [0]
    span = (years[-1] - years[0] + 1) * (12 if unit == "utcyearmonth" else 1)
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if span / s <= most), 240)
    interval = "month" if unit == "utcyearmonth" and step < 12 else "year"
    step = step // 12 if interval == "year" and unit == "utcyearmonth" else step
    return alt.Axis(format=fmt, labelAngle=0, labelOverlap="greedy", labelSeparation=6,
                    tickCount={"interval": interval, "step": max(step, 1)})


def population_pyramid(
    victims: Mapping[tuple[str, str], int],
    population: Mapping[tuple[str, str], int],
    bands: str = VOCAB_BANDS,
    title: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """Victims' shares as bars (men left, women right) with the population's shares as ticks."""
    w = words(lang)
    order = [b.code for b in parse_bands(bands)]
    tv, tp = sum(victims.values()) or 1, sum(population.values()) or 1
    rows = []
    for band in order:
        for sex in SEXES:
            sign = -1 if sex == "male" else 1
            rows.append({"band": band, "sex": w.get(sex, sex), "what": "victims",
                         "share": sign * victims.get((band, sex), 0) / tv, "count": victims.get((band, sex), 0)})
            rows.append({"band": band, "sex": w.get(sex, sex), "what": "population",
                         "share": sign * population.get((band, sex), 0) / tp, "count": population.get((band, sex), 0)})
    data = alt.Data(values=rows)
    y = alt.Y("band:N", sort=list(reversed(order)), title=w["age"])
    # format() rounds: "abs(value) * 100 + '%'" printed 14.000000000000002%.
    x = alt.X("share:Q", title=w["share"], axis=alt.Axis(labelExpr="format(abs(datum.value), '.0%')", tickCount=6))
    tips = [alt.Tooltip("band:N", title=w["age"]), alt.Tooltip("sex:N", title=w["sex"]),
            alt.Tooltip("count:Q", title=w["count"], format=",")]
    bars = alt.Chart(data).transform_filter("datum.what == 'victims'").mark_bar(opacity=0.8).encode(
        x=x, y=y, color=alt.Color("sex:N", title=w["sex"], scale=alt.Scale(
            domain=[w.get(x, x) for x in SEXES], range=["#4c78a8", "#e45756"])),
        tooltip=[*tips, alt.Tooltip("share:Q", title=w["share"], format=".1%")],
    )
    ticks = alt.Chart(data).transform_filter("datum.what == 'population'").mark_tick(
        color="black", thickness=2, size=14
    ).encode(x=x, y=y, tooltip=tips)
    return (bars + ticks).properties(title=alt.TitleParams(title or w["pyramid"], subtitle=w["pyramid_sub"]),
                                     width=420, height=300)


def time_series(points: Iterable[tuple[str, int]], title: str | None = None, lang: str = "en") -> alt.Chart:
    """Counts per period (``YYYY-MM`` or ``YYYY``), in period order, on a time axis: labels are
    spaced by the axis (no overlap however many months) and read ``2022-03`` in any language."""
    w = words(lang)
    rows = [{"period": p, "count": c} for p, c in sorted(points)]
    unit, fmt = time_unit(p for p, _ in points)
    return alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("period:T", timeUnit=unit, title=w["period"] if unit == "utcyearmonth" else None,
                axis=time_axis([r["period"] for r in rows])),
        y=alt.Y("count:Q", title=w["victims"], axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("period:T", timeUnit=unit, format=fmt, title=w["period"]),
                 alt.Tooltip("count:Q", title=w["count"], format=",")],
    ).properties(title=title or w["over_time"], width=480, height=260)


def estimate_chart(strata: Iterable[Mapping], title: str | None = None, lang: str = "en") -> alt.Chart:
    """Per stratum: the documented count (bar) and the estimate with its 95% interval (point and rule).

    Each mapping needs ``stratum``, ``observed``, ``estimate``, ``lower``, ``upper`` (None = not
    estimated, or an unbounded upper limit, which is drawn as open-ended at the chart's edge)."""
    rows = []
    for s in strata:
        rows.append({"stratum": str(s["stratum"]), "observed": s["observed"], "estimate": s.get("estimate"),
                     "lower": s.get("lower"), "upper": s.get("upper")})
    w = words(lang)
    data = alt.Data(values=rows)
    y = alt.Y("stratum:N", title=None)
    bars = alt.Chart(data).mark_bar(color="#bab0ac").encode(x=alt.X("observed:Q", title=w["people"]), y=y,
                                                             tooltip=["stratum:N", "observed:Q"])
    est = alt.Chart(data).transform_filter("datum.estimate != null")
    rule = est.mark_rule(color="black").encode(x="lower:Q", x2="upper:Q", y=y)
    point = est.mark_point(color="black", filled=True).encode(
        x="estimate:Q", y=y, tooltip=["stratum:N", alt.Tooltip("estimate:Q", title=w["estimate"], format=",.0f"),
                                      alt.Tooltip("lower:Q", title=w["lower"], format=",.0f"),
                                      alt.Tooltip("upper:Q", title=w["upper"], format=",.0f")])
    return (bars + rule + point).properties(title=alt.TitleParams(title or w["estimated"], subtitle=w["estimate_sub"]),
                                            width=480,
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
