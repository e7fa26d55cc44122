"""Charts for briefs: Altair specifications rendered offline to SVG (vectors in the PDF)."""

from __future__ import annotations

import re

import altair as alt
import vl_convert as vlc

from svidok.stats.charts import time_axis, time_unit

FONT = "DejaVu Sans"
COLOR = "#2f5d8a"
HIDDEN = "#bbbbbb"


def _config(chart: alt.Chart) -> alt.Chart:
    return chart.configure(font=FONT).configure_view(stroke=None).configure_axis(
        labelFontSize=10, titleFontSize=10, grid=False, labelLimit=260).configure_title(fontSize=12, anchor="start")


def bar(rows: list[tuple[str, int | None]], hidden_label: str = "", title: str = "", unit: str = "") -> str:
    """Horizontal bars, one per category, in the given order; ``None`` values are suppressed
    cells: drawn as an empty grey mark labelled ``hidden_label``."""
    data = [{"label": k, "value": v if v is not None else 0, "text": f"{v:,}" if v is not None else hidden_label,
             "hidden": v is None, "order": i} for i, (k, v) in enumerate(rows)]
    base = alt.Chart(alt.Data(values=data)).encode(y=alt.Y("label:N", sort=alt.SortField("order"), title=None))
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=unit or None),
        color=alt.condition("datum.hidden", alt.value(HIDDEN), alt.value(COLOR)))
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(x="value:Q", text="text:N")
    chart = (bars + text).properties(title=title, width=430, height=max(40, 18 * len(rows)))
    return svg(_config(chart))


def line(rows: list[tuple[str, int | None]], title: str = "", unit: str = "") -> str:
    """Counts per period in order (months ``YYYY-MM`` or years); suppressed periods leave a gap."""
    data = [{"period": k, "value": v} for k, v in rows]
    # A time axis spaces its own labels: an ordinal one printed every month, overlapping.
    unit, _fmt = time_unit(k for k, _ in rows)
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True, color=COLOR).encode(
        x=alt.X("period:T", timeUnit=unit, title=None, axis=time_axis([k for k, _ in rows])),
        y=alt.Y("value:Q", title=unit or None),
    ).properties(title=title, width=470, height=200)
    return svg(_config(chart))


def svg(chart: alt.Chart) -> str:
    """The chart as an inline SVG element (no XML prolog, scalable to the column width)."""
    out = vlc.vegalite_to_svg(chart.to_json())
    out = re.sub(r"^<\?xml[^>]*>\s*", "", out)
    return out.replace("<svg ", '<svg class="chart" preserveAspectRatio="xMinYMin meet" ', 1)
