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


#: How each finding reads, in the interface's languages (the API gives both; the page its own).
MESSAGES = {
    "before": {"en": "recorded {days} day(s) before the incident's date ({date}), by the {source}: older media re-used?",
               "uk": "записано за {days} дн. до дати інциденту ({date}), за даними: {source}. Повторно використано старі матеріали?"},
    "after": {"en": "recorded {days} day(s) after the incident's date ({date}), by the {source}",
              "uk": "записано через {days} дн. після дати інциденту ({date}), за даними: {source}"},
    "far": {"en": "recorded {km} km from the incident's place ({lat}, {lon}), by the {source}",
            "uk": "записано за {km} км від місця інциденту ({lat}, {lon}), за даними: {source}"},
    "editor": {"en": "the file's {source} name editing software ({software})",
               "uk": "{source} файлу називають програму редагування ({software})"},
}
SOURCES = {
    "exif": {"en": "EXIF tags", "uk": "теги EXIF"},
    "video": {"en": "video metadata", "uk": "метадані відео"},
    "c2pa": {"en": "C2PA content credentials", "uk": "облікові дані вмісту C2PA"},
}


def describe(finding: dict, lang: str = "en") -> str:
    """The finding as a sentence in ``lang`` (``en`` or ``uk``)."""
    lang = lang if lang in ("en", "uk") else "en"
    source = SOURCES.get(finding.get("source"), {}).get(lang, finding.get("source") or "")
    return MESSAGES[finding["kind"]][lang].format(**{**finding, "source": source})


def _recorded_at(meta: dict) -> tuple[str | None, str | None]:
    """(when the file says it was recorded, by which metadata)."""
    if meta.get("capture_time"):
        return str(meta["capture_time"]), "exif"
    if meta.get("creation_time"):
        return str(meta["creation_time"]), "video"
    c2pa = meta.get("c2pa") or {}
    created = next((a.get("when") for a in c2pa.get("actions") or [] if a.get("action") == "c2pa.created"
                    and a.get("when")), None)
    if created or c2pa.get("signed_at"):
        return str(created or c2pa["signed_at"]), "c2pa"
    return None, None


def findings(meta: dict, incident_start: str | None, incident_end: str | None = None,
             place: tuple[float, float] | None = None, *, max_days_after: int = 30, max_km: float = 50) -> list[dict]:
    """What in the file's metadata does not fit the incident: ``{kind, source, …numbers, text}`` each."""
    out: list[dict] = []
    taken, source = _recorded_at(meta)
    start, end = _bounds(incident_start or ""), _bounds(incident_end or incident_start or "")
    if taken and start and end:
        try:
            day = datetime.fromisoformat(taken.replace("Z", "+00:00")).date()
        except ValueError:
            day = None
        if day and day < start[0]:
            out.append({"kind": "before", "source": source, "days": (start[0] - day).days, "date": incident_start,
                        "recorded": taken})
        elif day and day > end[1] and (day - end[1]).days > max_days_after:
            out.append({"kind": "after", "source": source, "days": (day - end[1]).days,
                        "date": incident_end or incident_start, "recorded": taken})
    gps = meta.get("gps")
    if gps and place and None not in place:
        km = km_between((gps["lat"], gps["lon"]), place)
        if km > max_km:
            out.append({"kind": "far", "source": "video" if "duration_s" in meta or "container" in meta else "exif",
                        "km": round(km), "lat": gps["lat"], "lon": gps["lon"]})
    device = meta.get("device") or {}
    for key in ("software", "encoder"):
        tag = str(device.get(key) or "")
        if any(editor in tag.lower() for editor in EDITORS):
            out.append({"kind": "editor", "source": "exif" if key == "software" else "video", "software": tag})
            break
    for a in (meta.get("c2pa") or {}).get("actions") or []:
        tag = str(a.get("software") or "")
        if any(editor in tag.lower() for editor in EDITORS):
            out.append({"kind": "editor", "source": "c2pa", "software": tag})
            break
    return [{**f, "text": describe(f)} for f in out]


def warnings(meta: dict, incident_start: str | None, incident_end: str | None = None,
             place: tuple[float, float] | None = None, **limits) -> list[str]:
    """:func:`findings` as English sentences."""
    return [f["text"] for f in findings(meta, incident_start, incident_end, place, **limits)]
