"""Submissions of the Svidok form as ODK Central and KoboToolbox export them, as table rows.

Accepted: JSON (a list of submissions, or ``{"value": [...]}`` / ``{"results": [...]}``;
groups nested as objects as in ODK Central, or flat paths "incident/title" as in
KoboToolbox; repeats as lists) and CSV (group paths joined by "/" or "-"; repeat groups
in sibling files ``<name>-victims.csv`` and ``<name>-media.csv`` joined by
``PARENT_KEY`` = ``KEY``, as in ODK Central's export). Each submission becomes one row
per victim (at least one row), which the shipped ``odk`` mapping reads.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .tables import Table, TableError

MEDIA_FIELDS = ("photo", "video", "document")
HEADER = ["instance", "row_key", "incident/title", "incident/date_text", "incident/place", "incident/lat", "incident/lon",
          "incident/violation_type", "incident/means", "incident/narrative", "victims/name", "victims/sex",
          "victims/age", "victims/harm", "victims/status", "victims/characteristics", "source/kind",
          "source/description", "source/identity", "source/contact", "consent/contact", "consent/share_prosecutors",
          "consent/publish"]


@dataclass
class Submission:
    instance: str
    row_number: int
    fields: dict[str, object]
    victims: list[dict[str, object]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def _flatten(obj: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in obj.items():
        key = k.replace("-", "/")
        path = f"{prefix}/{key}" if prefix and not key.startswith(prefix + "/") else key
        if isinstance(v, dict) and v.get("type") != "Point":
            out.update(_flatten(v, path))
        else:
            out[path] = v
    return out


def _repeat(items: object, name: str) -> list[dict[str, object]]:
    if not isinstance(items, list):
        return []
    return [_flatten(i, name) for i in items if isinstance(i, dict)]


def _instance(flat: dict[str, object], fallback: str) -> str:
    for k in ("meta/instanceID", "__id", "KEY", "_uuid", "instanceID"):
        if flat.get(k):
            return str(flat[k])
    return fallback


def from_json(path: Path) -> list[Submission]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TableError(f"{path.name}: not readable JSON ({exc})") from None
    if isinstance(data, dict):
        data = data.get("value") or data.get("results") or [data]
    out = []
    for n, sub in enumerate(data, start=1):
        if not isinstance(sub, dict):
            raise TableError(f"{path.name}: submission {n} is not an object")
        victims = _repeat(sub.get("victims"), "victims")
        media = _repeat(sub.get("media"), "media")
        flat = _flatten({k: v for k, v in sub.items() if k not in ("victims", "media")})
        out.append(Submission(_instance(flat, f"{path.name}#{n}"), n, flat, victims,
                              [str(m[f"media/{f}"]) for m in media for f in MEDIA_FIELDS if m.get(f"media/{f}")]))
    return out


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.replace("-", "/"): v for k, v in r.items() if k} for r in csv.DictReader(fh)]


def from_csv(path: Path) -> list[Submission]:
    try:
        rows = _read_csv(path)
        repeats = {}
        for name in ("victims", "media"):
            sib = path.with_name(f"{path.stem}-{name}.csv")
            repeats[name] = _read_csv(sib) if sib.exists() else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TableError(f"{path.name}: {exc}") from None
    by_parent: dict[str, dict[str, list]] = {}
    for name, items in repeats.items():
        for item in items:
            by_parent.setdefault(item.get("PARENT_KEY", ""), {}).setdefault(name, []).append(
                {(k if k.startswith(name + "/") else f"{name}/{k}"): v for k, v in item.items()})
    out = []
    for n, flat in enumerate(rows, start=2):
        inst = _instance(flat, f"{path.name}:{n}")
        kids = by_parent.get(flat.get("KEY", ""), {})
        media = kids.get("media", [])
        out.append(Submission(inst, n, dict(flat), kids.get("victims", []),
                              [str(m[f"media/{f}"]) for m in media for f in MEDIA_FIELDS if m.get(f"media/{f}")]))
    return out


def read(path: Path) -> list[Submission]:
    return from_json(path) if path.suffix.lower() == ".json" else from_csv(path)


def _point(value: object) -> tuple[str, str]:
    """(lat, lon) of a geopoint: GeoJSON from ODK Central, "lat lon alt acc" from CSV and Kobo."""
    if isinstance(value, dict) and value.get("coordinates"):
        lon, lat = value["coordinates"][:2]
        return str(lat), str(lon)
    parts = str(value or "").split()
    return (parts[0], parts[1]) if len(parts) >= 2 else ("", "")


def _date_text(day: object, certainty: object) -> str:
    day = str(day or "")[:10]
    if not day:
        return ""
    return {"approximate": f"~{day}", "month": day[:7], "year": day[:4]}.get(str(certainty or "exact"), day)


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return str(v)


def rows(subs: list[Submission]) -> Iterator[tuple[int, list[str]]]:
    for sub in subs:
        f = sub.fields
        lat, lon = _point(f.get("incident/location"))
        base = {"instance": sub.instance, "incident/date_text": _date_text(f.get("incident/date"), f.get("incident/date_certainty")),
                "incident/lat": lat, "incident/lon": lon}
        for k in HEADER:
            if k not in base and k in f:
                base[k] = _text(f[k])
        for i, v in enumerate(sub.victims or [{}], start=1):
            row = dict(base, row_key=f"{sub.instance}#{i}")
            row.update({k: _text(x) for k, x in v.items() if k in HEADER})
            yield sub.row_number, [row.get(k, "") for k in HEADER]


def table(subs: list[Submission]) -> Table:
    return Table(list(HEADER), rows(subs))
