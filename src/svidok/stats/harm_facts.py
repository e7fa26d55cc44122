"""The counted victim rows held in memory as columns, so breakdowns over a million incidents
answer in milliseconds instead of re-joining victims, acts and incidents every time.

The columns are read once with the same SQL the breakdowns use (``victim_filter_base``: one
row per counted victim row of every non-withdrawn incident, with codes for each field) and
reloaded when the data changes. "Changed" is read from the highest ids of incidents, acts,
victims and persons and the ledger's sequence number: every edit, withdrawal and merge made
through the services appends to the ledger, and bulk loads add rows with new ids. A write
that bypasses both (hand-edited SQL) is not seen until the process restarts.

Need-to-know and the filters are applied here as masks over the columns; a filter the
columns cannot express (full-text ``q``, ``provision``, ``characteristic``) returns None
and the caller runs the SQL instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.domain import dates
from svidok.schemas.filters import IncidentFilter
from svidok.services import places as place_service
from svidok.services.actors import LEVELS, SYSTEM, Actor
from svidok.storage.models import Act, Incident, LedgerEntry, Person, Place, Victim

from .age_bands import VOCAB_BANDS, age_group, band_of, parse_bands

#: Filter fields the in-memory columns can apply (others go to SQL).
SUPPORTED = {"date_from", "date_to", "place", "violation_type", "family", "means", "victim_status", "harm",
             "verification_status", "case_id"}
_lock = threading.Lock()
_cache: dict[str, tuple[tuple, HarmFacts]] = {}


class Codes:
    """Strings <-> small integers for one column (index 0 is None)."""

    def __init__(self) -> None:
        self.index: dict[str | None, int] = {None: 0}
        self.values: list[str | None] = [None]

    def encode(self, values: list) -> np.ndarray:
        idx, vals = self.index, self.values
        out = np.empty(len(values), dtype=np.int16)
        for i, v in enumerate(values):
            c = idx.get(v)
            if c is None:
                c = idx[v] = len(vals)
                vals.append(v)
            out[i] = c
        return out

    def code(self, v: str | None) -> int:
        return self.index.get(v, -1)


@dataclass
class HarmFacts:
    n: int
    count: np.ndarray
    cols: dict[str, np.ndarray]
    codes: dict[str, Codes]
    #: Derived keys: fine age band index, broad group, oblast code index, occupation, month.
    oblast_codes: list[str]


def data_version(s: Session) -> tuple:
    """Cheap fingerprint of the data (primary-key maxima and the ledger's head)."""
    return tuple(s.scalar(select(func.max(c))) for c in (Incident.id, Act.id, Victim.id, Person.id, LedgerEntry.seq))


def facts(app, s: Session) -> HarmFacts:  # noqa: ANN001
    """The current columns, loading them if the data changed since the last load."""
    version = data_version(s)
    key = app.db.url if hasattr(app.db, "url") else str(id(app))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        loaded = _load(app, s)
        _cache[key] = (version, loaded)
        return loaded


def _load(app, s: Session) -> HarmFacts:  # noqa: ANN001
    from .breakdowns import occupation_periods, oblast_map, victim_filter_base

    harms = list(app.vocab["harms"].terms) if hasattr(app.vocab["harms"], "terms") else ["killed", "injured"]
    q = victim_filter_base(
        app, s, SYSTEM, None, harms,
        Victim.count, Victim.harm, Victim.sex, Victim.age, Victim.age_band, Victim.status, Act.means,
        Act.violation_type, Incident.date_lo, Incident.date_hi, Incident.place_id, Incident.confidentiality,
        Incident.case_id, Incident.verification_status,
    )
    rows = s.execute(q).all()
    cols_raw = list(zip(*rows)) if rows else [()] * 14
    n = len(rows)
    del rows
    names = ("count", "harm", "sex", "age", "age_band", "status", "means", "violation_type", "date_lo", "date_hi",
             "place_id", "confidentiality", "case_id", "verification_status")
    raw = dict(zip(names, cols_raw))
    codes: dict[str, Codes] = {}
    cols: dict[str, np.ndarray] = {}
    for name in ("harm", "sex", "age_band", "status", "means", "violation_type", "confidentiality",
                 "verification_status"):
        codes[name] = Codes()
        cols[name] = codes[name].encode(list(raw[name]))
    count = np.fromiter(raw["count"], dtype=np.int64, count=n)
    cols["age"] = np.fromiter((-1 if a is None else a for a in raw["age"]), dtype=np.int32, count=n)
    cols["place_id"] = np.fromiter((0 if p is None else p for p in raw["place_id"]), dtype=np.int64, count=n)
    cols["case_id"] = np.fromiter((0 if c is None else c for c in raw["case_id"]), dtype=np.int64, count=n)
    lo = np.fromiter((d.toordinal() for d in raw["date_lo"]), dtype=np.int32, count=n)
    hi = np.fromiter((d.toordinal() for d in raw["date_hi"]), dtype=np.int32, count=n)
    cols["date_lo"], cols["date_hi"] = lo, hi
    del raw, cols_raw
    # fine age band and broad group: by age where known, else by the recorded band
    bands = parse_bands(VOCAB_BANDS)
    lows = np.array([b.lo for b in bands])
    fine = np.where(cols["age"] >= 0, np.searchsorted(lows, cols["age"], side="right") - 1, -1).astype(np.int16)
    group_of = {"child": 0, "adult": 1, "older": 2}
    band_idx = {b.code: i for i, b in enumerate(bands)}
    groups = np.full(n, -1, dtype=np.int8)
    ages = cols["age"]
    groups[(ages >= 0) & (ages < 18)] = 0
    groups[(ages >= 18) & (ages < 60)] = 1
    groups[ages >= 60] = 2
    for code, recorded in enumerate(codes["age_band"].values):
        if recorded is None:
            continue
        sel = (ages < 0) & (cols["age_band"] == code)
        fb = band_of(None, bands, recorded)
        fine[sel] = band_idx[fb] if fb is not None else -1
        g = age_group(None, recorded)
        groups[sel] = group_of.get(g, -1)
    cols["fine_band"], cols["age_group"] = fine, groups
    # oblast of the place
    obl = oblast_map(s)
    oblast_codes = sorted({v[0] for v in obl.values()})
    oc = {c: i for i, c in enumerate(oblast_codes)}
    max_pid = int(max(obl, default=0)) + 1
    lut = np.full(max(max_pid, int(cols["place_id"].max(initial=0)) + 1), -1, dtype=np.int16)
    for pid, v in obl.items():
        lut[pid] = oc[v[0]]
    cols["oblast"] = lut[cols["place_id"]]
    # occupation on the first possible day: 0 not occupied, 1 contested, 2 occupied, -1 no place
    paths = dict(s.execute(select(Place.id, Place.path)).all())
    occ = np.where(cols["place_id"] > 0, 0, -1).astype(np.int8)
    for prefix, status, since, until in occupation_periods(s):
        inside = np.fromiter((pid for pid, p in paths.items() if p.startswith(prefix)), dtype=np.int64)
        sel = np.isin(cols["place_id"], inside) & (lo >= since.toordinal())
        if until is not None:
            sel &= lo <= until.toordinal()
        occ[sel] = np.maximum(occ[sel], 2 if status == "occupied" else 1)
    cols["occupation"] = occ
    # month index (year*12 + month-1) when the dates lie within one month, else -1
    lo_month = _month_index(lo)
    hi_month = _month_index(hi)
    cols["month"] = np.where(lo_month == hi_month, lo_month, -1)
    return HarmFacts(n, count, cols, codes, oblast_codes)


def _month_index(ordinals: np.ndarray) -> np.ndarray:
    days = ordinals.astype("int64") - date(1970, 1, 1).toordinal()
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")  # months since 1970-01
    return months + 1970 * 12


def mask(app, s: Session, hf: HarmFacts, actor: Actor, f: IncidentFilter | None, harms: list[str]) -> np.ndarray | None:  # noqa: ANN001
    """The rows the actor may see that match the filter and harms; None if the filter needs SQL."""
    kw = f.model_dump(exclude_none=True) if f is not None else {}
    if set(kw) - SUPPORTED:
        return None
    c = hf.cols
    m = np.isin(c["harm"], [hf.codes["harm"].code(h) for h in harms if not kw.get("harm") or h == kw["harm"]])
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
