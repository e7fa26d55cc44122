"""Warnings when a file's own metadata does not fit the incident it is filed under.

Not verdicts: a photo taken weeks after an attack may document its aftermath, and a
camera's clock can be wrong. They tell a verifier where to look: capture time far from
the incident's dates, a position far from its place, editing software in the file's tags.
"""

from __future__ import annotations

import calendar
import math
from datetime import date, datetime

EDITORS = ("photoshop", "lightroom", "gimp", "snapseed", "picsart", "facetune", "canva", "pixelmator", "affinity",
           "capcut", "premiere", "final cut", "davinci", "after effects", "inshot", "remini")


def _bounds(partial: str) -> tuple[date, date] | None:
    """First and last day a partial date (YYYY, YYYY-MM, YYYY-MM-DD) can mean."""
    try:
        parts = [int(p) for p in partial[:10].split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if len(parts) == 2:
            return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return date(*parts[:3]), date(*parts[:3])
    except (ValueError, TypeError):
        return None


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def warnings(meta: dict, incident_start: str | None, incident_end: str | None = None,
             place: tuple[float, float] | None = None, *, max_days_after: int = 30, max_km: float = 50) -> list[str]:
    out = []
    taken = meta.get("capture_time") or meta.get("creation_time")
    start, end = _bounds(incident_start or ""), _bounds(incident_end or incident_start or "")
    if taken and start and end:
        try:
            day = datetime.fromisoformat(str(taken).replace("Z", "+00:00")).date()
        except ValueError:
            day = None
        if day and day < start[0]:
            out.append(f"recorded {(start[0] - day).days} day(s) before the incident's date ({incident_start}): "
                       "older media re-used?")
        elif day and day > end[1] and (day - end[1]).days > max_days_after:
            out.append(f"recorded {(day - end[1]).days} day(s) after the incident's date ({incident_end or incident_start})")
    gps = meta.get("gps")
    if gps and place and None not in place:
        km = km_between((gps["lat"], gps["lon"]), place)
        if km > max_km:
            out.append(f"recorded {km:.0f} km from the incident's place ({gps['lat']}, {gps['lon']})")
    device = meta.get("device") or {}
    tags = " ".join(str(device.get(k) or "") for k in ("software", "encoder")).lower()
    for editor in EDITORS:
        if editor in tags:
            out.append(f"the file's tags name editing software ({device.get('software') or device.get('encoder')})")
            break
    return out
