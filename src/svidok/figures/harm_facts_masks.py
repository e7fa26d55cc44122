"""Need-to-know and filters as masks over the in-memory victim columns, and people summed over the masked rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core.actors import LEVELS, Actor
from svidok.domain import dates
from svidok.schemas.filters import IncidentFilter
from svidok.services import places as place_service
from svidok.stats.age_bands import band_of
from svidok.storage.models import Place

from .harm_facts_read import HarmFacts

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Filter fields the in-memory columns can apply (others go to SQL).
SUPPORTED = {"date_from", "date_to", "place", "violation_type", "family", "means", "victim_status", "harm",
             "verification_status", "case_id"}


def can_filter(f: IncidentFilter) -> bool:
    """Whether the columns can apply this filter (else the caller runs the SQL)."""
    return not (set(f.model_dump(exclude_none=True)) - SUPPORTED)


def mask(app: Svidok, s: Session, hf: HarmFacts, actor: Actor, f: IncidentFilter | None,
         harms: list[str] | None) -> np.ndarray | None:
    """The rows the actor may see that match the filter and harms (None: every harm); None if the
    filter needs SQL."""
    kw = f.model_dump(exclude_none=True) if f is not None else {}
    if set(kw) - SUPPORTED:
        return None
    c = hf.cols
    if harms is None and not kw.get("harm"):
        m = np.ones(hf.n, dtype=bool)
    else:
        wanted = [h for h in (harms if harms is not None else [kw["harm"]]) if not kw.get("harm") or h == kw["harm"]]
        m = np.isin(c["harm"], [hf.codes["harm"].code(h) for h in wanted])
    if not actor.is_admin:
        conf = hf.codes["confidentiality"]
        outside = (c["case_id"] == 0) & np.isin(c["confidentiality"], [conf.code(x) for x in actor.levels_visible()])
        for case_id, level in actor.grants.items():
            ok = [conf.code(x) for x in LEVELS[: LEVELS.index(level) + 1]]
            outside |= (c["case_id"] == case_id) & np.isin(c["confidentiality"], ok)
        m &= outside
    if kw.get("date_from"):
        m &= c["date_hi"] >= dates.parse(kw["date_from"]).lo.toordinal()
    if kw.get("date_to"):
        m &= c["date_lo"] <= dates.parse(kw["date_to"]).hi.toordinal()
    if kw.get("place") is not None:
        place = place_service.resolve(s, kw["place"])
        inside = s.scalars(select(Place.id).where(Place.path.startswith(place.path))).all()
        m &= np.isin(c["place_id"], np.array(inside, dtype=np.int64))
    for name, col in (("violation_type", "violation_type"), ("means", "means"), ("victim_status", "status"),
                      ("verification_status", "verification_status")):
        if kw.get(name):
            m &= c[col] == hf.codes[col].code(kw[name])
    if kw.get("family"):
        m &= np.isin(c["violation_type"], [hf.codes["violation_type"].code(v) for v in app.vocab.families()[kw["family"]]])
    if kw.get("case_id"):
        m &= c["case_id"] == kw["case_id"]
    return m


def sums(hf: HarmFacts, m: np.ndarray, key: np.ndarray, harm_codes: dict[str, int]) -> dict[str, dict[int, int]]:
    """harm -> {key value -> people} over the masked rows."""
    out: dict[str, dict[int, int]] = {}
    k = key.astype(np.int64)
    for h, code in harm_codes.items():
        sel = m & (hf.cols["harm"] == code)
        if not sel.any():
            out[h] = {}
            continue
        ks, w = k[sel], hf.count[sel]
        off = -int(ks.min()) if ks.min() < 0 else 0
        binned = np.bincount(ks + off, weights=w)
        out[h] = {int(i) - off: int(v) for i, v in enumerate(binned) if v}
    return out


def band_sex_counts(hf: HarmFacts, m: np.ndarray, bands: list) -> dict[tuple[str | None, str | None], int]:
    """People by (band of ``bands``, sex) over the masked rows; None where unknown."""
    lows = np.array([b.lo for b in bands])
    ages = hf.cols["age"]
    idx = np.where(ages >= 0, np.searchsorted(lows, ages, side="right") - 1, -1)
    for code, recorded in enumerate(hf.codes["age_band"].values):
        if recorded is None:
            continue
        fb = band_of(None, bands, recorded)
        idx[(ages < 0) & (hf.cols["age_band"] == code)] = next(i for i, b in enumerate(bands) if b.code == fb) if fb else -1
    sex_values = hf.codes["sex"].values
    out: dict[tuple[str | None, str | None], int] = {}
    key = idx.astype(np.int64) * 1000 + hf.cols["sex"].astype(np.int64)
    ks, w = key[m], hf.count[m]
    if ks.size == 0:
        return out
    uniq, inv = np.unique(ks, return_inverse=True)
    totals = np.bincount(inv, weights=w)
    for k, n in zip(uniq.tolist(), totals.tolist()):
        b, sx = divmod(k + 1000, 1000)
        b -= 1
        sex = sex_values[sx]
        kk = (bands[b].code if b >= 0 else None, sex if sex in ("male", "female") else None)
        out[kk] = out.get(kk, 0) + int(n)
    return out
