"""The counted victim rows held in memory as columns, so breakdowns over a million incidents
answer in milliseconds instead of re-joining victims, acts and incidents every time.

The columns are read once with the same SQL the breakdowns use (``victim_filter_base``: one
row per counted victim row of every non-withdrawn incident, with codes for each field) and
reloaded when the data changes (at once for a small database; for a big one, whose load takes
tens of seconds, in a background thread while the previous columns answer, saying when they
were read). "Changed" is read from the highest ids of incidents, acts,
victims and persons and the ledger's sequence number: every edit, withdrawal and merge made
through the services appends to the ledger, and bulk loads add rows with new ids. A write
that bypasses both (hand-edited SQL) is not seen until the process restarts.

Need-to-know and the filters are applied here as masks over the columns; a filter the
columns cannot express (full-text ``q``, ``provision``, ``characteristic``) returns None
and the caller runs the SQL instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.domain import dates
from svidok.schemas.filters import IncidentFilter
from svidok.services import places as place_service
from svidok.services.actors import LEVELS, Actor
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

    def encode(self, values) -> np.ndarray:  # noqa: ANN001
        idx, vals = self.index, self.values
        for v in set(values) - idx.keys():
            idx[v] = len(vals)
            vals.append(v)
        return np.array([idx[v] for v in values], dtype=np.int16)

    def code(self, v: str | None) -> int:
        return self.index.get(v, -1)


@dataclass
class HarmFacts:
    n: int
    count: np.ndarray
    cols: dict[str, np.ndarray]
    codes: dict[str, Codes]
    #: Oblast codes, by the index held in ``cols["oblast"]``.
    oblast_codes: list[str]
    load_seconds: float = 0.0
    loaded_at: datetime | None = None


def data_version(s: Session) -> tuple:
    """Cheap fingerprint of the data: primary-key maxima and the ledger's head hash."""
    maxima = tuple(s.scalar(select(func.max(c))) for c in (Incident.id, Act.id, Victim.id, Person.id))
    head = s.scalar(select(LedgerEntry.entry_hash).order_by(LedgerEntry.seq.desc()).limit(1))
    return (*maxima, head)


#: A load slower than this (a big database) is refreshed in the background while the previous
#: columns keep answering, marked with when they were read; a faster one is redone at once.
SYNC_RELOAD_SECONDS = 2.0
_refreshing: set[str] = set()
MAX_DATABASES = 4


def facts(app, s: Session) -> HarmFacts:  # noqa: ANN001
    """The current columns (see :func:`facts_state`)."""
    return facts_state(app, s)[0]


def facts_state(app, s: Session) -> tuple[HarmFacts, bool]:  # noqa: ANN001
    """(columns, stale): loads them if the data changed since the last load — at once for a small
    database; for a big one the previous columns answer (stale=True) while a thread re-reads them."""
    version = data_version(s)
    key = str(app.db.url)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1], False
    if hit is not None and hit[1].load_seconds > SYNC_RELOAD_SECONDS:
        _refresh_in_background(app, key)
        return hit[1], True
    loaded = _timed_load(app, s)
    _store(key, version, loaded)
    return loaded, False


def _store(key: str, version: tuple, loaded: HarmFacts) -> None:
    with _lock:
        _cache.pop(key, None)
        _cache[key] = (version, loaded)
        while len(_cache) > MAX_DATABASES:  # keep the most recently loaded databases only
            _cache.pop(next(iter(_cache)))


def _timed_load(app, s: Session) -> HarmFacts:  # noqa: ANN001
    t = time.perf_counter()
    hf = _load(app, s)
    hf.load_seconds = time.perf_counter() - t
    hf.loaded_at = datetime.now(timezone.utc)
    return hf


def _refresh_in_background(app, key: str) -> None:  # noqa: ANN001
    with _lock:
        if key in _refreshing:
            return
        _refreshing.add(key)

    def work() -> None:
        try:
            with app.db.session() as s:
                version = data_version(s)
                loaded = _timed_load(app, s)
            _store(key, version, loaded)
        finally:
            with _lock:
                _refreshing.discard(key)

    threading.Thread(target=work, name="svidok-harm-facts", daemon=True).start()


def warm_up(app, min_incidents: int = 100_000) -> None:  # noqa: ANN001
    """Read the columns in a background thread when the database is big (call when a server starts)."""
    with app.db.session() as s:
        biggest = s.scalar(select(func.max(Incident.id))) or 0
    if biggest >= min_incidents:
        _refresh_in_background(app, str(app.db.url))


_COLUMNS = ("count", "harm", "sex", "age", "age_band", "status", "means", "violation_type", "date_lo", "date_hi",
            "place_id", "confidentiality", "case_id", "verification_status", "person_id")
_STRINGS = ("harm", "sex", "age_band", "status", "means", "violation_type", "confidentiality", "verification_status")


def load_statement():  # noqa: ANN201
    """Every victim row of a non-withdrawn act of a non-withdrawn incident (what ``victim_filter_base``
    selects for an administrator with no filter and every harm; the tests hold the two to the same figures)."""
    cols = [Victim.count, Victim.harm, Victim.sex, Victim.age, Victim.age_band, Victim.status, Act.means,
            Act.violation_type, Incident.date_lo, Incident.date_hi, Incident.place_id, Incident.confidentiality,
            Incident.case_id, Incident.verification_status, Victim.person_id]
    return (select(*cols).select_from(Victim).join(Act, Act.id == Victim.act_id)
            .join(Incident, Incident.id == Act.incident_id)
            .where(Act.deleted_at.is_(None), Incident.deleted_at.is_(None)))


def _load(app, s: Session) -> HarmFacts:  # noqa: ANN001
    from .breakdowns import occupation_periods, oblast_map

    # The driver's own rows (no per-value conversion), read in chunks to bound memory.
    sql = str(load_statement().compile(s.get_bind()))
    codes = {name: Codes() for name in _STRINGS}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _COLUMNS}
    for chunk in s.connection().exec_driver_sql(sql).partitions(200_000):
        raw = dict(zip(_COLUMNS, zip(*chunk)))
        for name in _STRINGS:
            parts[name].append(codes[name].encode(raw[name]))
        for name in ("count", "age", "place_id", "case_id", "person_id"):
            parts[name].append(np.array([-1 if v is None else v for v in raw[name]], dtype=np.int64))
        for name in ("date_lo", "date_hi"):
            parts[name].append(np.array([str(v) for v in raw[name]], dtype="datetime64[D]").astype(np.int64))
    cols = {name: (np.concatenate(v) if v else np.zeros(0, dtype=np.int64)) for name, v in parts.items()}
    del parts
    # copies of a person documented by another list, and withdrawn persons, do not count
    gone = np.array(s.scalars(select(Person.id).where(
        (Person.merged_into_id.is_not(None)) | (Person.deleted_at.is_not(None)))).all(), dtype=np.int64)
    keep = ~np.isin(cols["person_id"], gone) if gone.size else np.ones(len(cols["count"]), dtype=bool)
    cols = {k: v[keep] for k, v in cols.items()}
    n = len(cols["count"])
    count = cols.pop("count")
    cols["age"] = cols["age"].astype(np.int32)
    cols["place_id"] = np.where(cols["place_id"] < 0, 0, cols["place_id"])
    cols["case_id"] = np.where(cols["case_id"] < 0, 0, cols["case_id"])
    # days since 1970-01-01 -> proleptic ordinals (date.toordinal), as the filters use
    epoch = date(1970, 1, 1).toordinal()
    lo = (cols["date_lo"] + epoch).astype(np.int64)
    hi = (cols["date_hi"] + epoch).astype(np.int64)
    cols["date_lo"], cols["date_hi"] = lo, hi
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


def can_filter(f: IncidentFilter) -> bool:
    """Whether the columns can apply this filter (else the caller runs the SQL)."""
    return not (set(f.model_dump(exclude_none=True)) - SUPPORTED)


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


def band_sex_counts(hf: HarmFacts, m: np.ndarray, bands: list) -> dict[tuple[str | None, str | None], int]:  # noqa: ANN001
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
