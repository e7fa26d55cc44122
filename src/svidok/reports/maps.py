"""SVG maps of Ukraine from the shipped oblast boundaries: points (internal) or shaded oblasts
(public). No tiles, no network: the outlines are projected here."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from pathlib import Path

BOUNDARIES = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "ua_oblasts.geojson"
WIDTH = 640
MID_LAT = 48.5  # equirectangular projection true at this latitude: little distortion over Ukraine


@lru_cache(maxsize=1)
def _features() -> tuple[tuple[str, str, str, tuple], ...]:
    data = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        p = f["properties"]
        out.append((p["code"], p.get("name_en", ""), p.get("name_uk", ""), tuple(tuple(map(tuple, ring)) for poly in polys for ring in poly)))
    return tuple(out)


class _Projection:
    def __init__(self) -> None:
        xs = [x for *_, rings in _features() for ring in rings for x, _ in ring]
        ys = [y for *_, rings in _features() for ring in rings for _, y in ring]
        self.k = math.cos(math.radians(MID_LAT))
        self.x0, self.x1 = min(xs) * self.k, max(xs) * self.k
        self.y0, self.y1 = min(ys), max(ys)
        self.scale = (WIDTH - 20) / (self.x1 - self.x0)
        self.height = round((self.y1 - self.y0) * self.scale + 20)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (10 + (lon * self.k - self.x0) * self.scale, 10 + (self.y1 - lat) * self.scale)


@lru_cache(maxsize=1)
def _outlines() -> tuple[_Projection, dict[str, str]]:
    proj = _Projection()
    paths = {}
    for code, _, _, rings in _features():
        d = []
        for ring in rings:
            pts = [proj(x, y) for x, y in ring]
            d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        paths[code] = "".join(d)
    return proj, paths


def _frame(body: str, title: str, legend: str, height: int) -> str:
    return (f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height + 40}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}'
            f'<text x="10" y="{height + 26}" font-size="11" font-family="DejaVu Sans">{escape(legend)}</text></svg>')


def points_map(points: list[tuple[float, float, int]], title: str, unit: str) -> str:
    """Oblast outlines with one circle per grid cell, its area proportional to the count."""
    proj, paths = _outlines()
    body = [f'<path d="{d}" fill="#f3f1ec" stroke="#9a9a9a" stroke-width="0.6"/>' for d in paths.values()]
    top = max((n for *_, n in points), default=1)
    for lat, lon, n in sorted(points, key=lambda p: -p[2]):
        x, y = proj(lon, lat)
        r = 1.5 + 9 * math.sqrt(n / top)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#b2182b" fill-opacity="0.55" '
                    f'stroke="#67001f" stroke-width="0.4"/>')
    total = sum(n for *_, n in points)
    legend = f"{total:,} {unit} at {len(points):,} places; largest circle = {top:,}"
    return _frame("".join(body), title, legend, proj.height)


def oblast_map(values: dict[str, int | None], title: str, unit: str, hidden_label: str) -> str:
    """Oblasts shaded by count; ``None`` = suppressed (hatched), missing = none recorded."""
    proj, paths = _outlines()
    shown = [v for v in values.values() if v]
    top = max(shown, default=1)
    body = ['<defs><pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<line x1="0" y1="0" x2="0" y2="5" stroke="#999" stroke-width="1.2"/></pattern></defs>']
    names = {c: n for c, n, _, _ in _features()}
    for code, d in paths.items():
        v = values.get(code, 0)
        if v is None:
            fill = "url(#hatch)"
        elif v == 0:
            fill = "#f3f1ec"
        else:
            t = 0.15 + 0.85 * math.sqrt(v / top)
            fill = f"rgb({int(255 - t * (255 - 178))},{int(255 - t * (255 - 24))},{int(255 - t * (255 - 43))})"
        label = f"{names.get(code, code)}: {hidden_label if v is None else v}"
        body.append(f'<path d="{d}" fill="{fill}" stroke="#777" stroke-width="0.6"><title>{escape(label)}</title></path>')
    legend = (f"Darker = more {unit} (most: {top:,}); hatched = {hidden_label}, not shown in the public edition")
    return _frame("".join(body), title, legend, proj.height)
