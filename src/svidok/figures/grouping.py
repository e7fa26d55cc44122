"""Buckets and labels of a breakdown: raw grouped rows become ordered (key, label, n) triples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from svidok.stats.age_bands import VOCAB_BANDS, age_group, band_of, parse_bands

from .places import oblast_of

if TYPE_CHECKING:
    from svidok.app import Svidok


def bucket(s: Session, by: str, key: Any, app, lang: str = "en") -> tuple[str, str]:
    """(sort key, label) of a raw grouping value for a breakdown."""
    if key is None:
        return ("~", "unknown")
    if by == "month":
        return (key.strftime("%Y-%m"),) * 2
    if by == "year":
        return (str(key.year),) * 2
    return (str(key), str(key))


VOCAB_OF = {"sex": "sex", "harm": "harms", "status": "person_status", "means": "means",
             "violation_type": "violation_types", "outcome": "detention_outcomes", "authority": "detaining_authorities",
             "kind": "displacement_kinds", "protection_status": "protection_statuses",
             "contamination": "contamination_types", "hazard_status": "hazard_statuses"}


def label(app: Svidok, by: str, code: str) -> str:
    vocab = VOCAB_OF.get(by)
    if vocab and code not in ("unknown", None):
        try:
            return app.vocab.label(vocab, code)
        except Exception:
            return code
    return code


def group(app: Svidok, s: Session, rows, by: str) -> list[tuple[str, str, int]]:
    """Rows of (raw key, n) -> [(key, label, n)] bucketed by ``by`` and ordered."""
    acc: dict[str, int] = {}
    if by == "oblast":
        obl = oblast_of(s)
        for k, n in rows:
            key = obl.get(k, ("unknown", "unknown", "unknown"))[1] if k is not None else "unknown"
            acc[key] = acc.get(key, 0) + int(n or 0)
    elif by in ("age_band", "age_group"):
        bands = parse_bands(VOCAB_BANDS)
        for (age, band), n in rows:
            key = (band_of(age, bands, band) or "unknown") if by == "age_band" else age_group(age, band)
            acc[key] = acc.get(key, 0) + int(n or 0)
    else:
        for k, n in rows:
            key = bucket(s, by, k, app)[0]
            acc[key] = acc.get(key, 0) + int(n or 0)
    if by == "age_band":
        order = [b.code for b in parse_bands(VOCAB_BANDS)] + ["unknown"]
        keys = [k for k in order if k in acc]
    elif by == "age_group":
        keys = [k for k in ("child", "adult", "older", "unknown") if k in acc]
    elif by in ("month", "year"):
        keys = periods(sorted(k for k in acc if k != "unknown"), by) + (["unknown"] if "unknown" in acc else [])
    else:
        keys = sorted(acc, key=lambda k: (k == "unknown", -acc[k], k))
    return [(k, label(app, by, k), acc.get(k, 0)) for k in keys]


def periods(keys: list[str], by: str) -> list[str]:
    """Every month (or year) from the first to the last: a period with nothing documented is a 0, not a gap."""
    if not keys:
        return []
    if by == "year":
        return [str(y) for y in range(int(keys[0]), int(keys[-1]) + 1)]
    (y, m), (y1, m1) = map(int, keys[0].split("-")), map(int, keys[-1].split("-"))
    out = []
    while (y, m) <= (y1, m1):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
