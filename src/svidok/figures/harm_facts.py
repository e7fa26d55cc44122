"""The counted victim rows held in memory as columns, so breakdowns and a brief's victim figures
over a million incidents answer in milliseconds instead of re-joining victims, acts and incidents
every time.

The rows are those of ``victim_filter_base`` (the reports' ``_victim_base``) for an administrator
with no filter: every victim row of a non-withdrawn act of a non-withdrawn incident, except the
rows of person records merged into another (a person documented by several lists counts once)
or withdrawn. They are read with one narrow query that returns only integers: each string field
is turned into a small code by a ``CASE`` over the values expected (the vocabulary's terms; a
value outside them is looked up once with ``SELECT DISTINCT`` and the read is repeated), the
codes packed into one integer and the two dates into another. SQLite's rows go straight from the
driver's cursor into NumPy arrays in chunks; PostgreSQL sends them with a binary ``COPY``, parsed
by NumPy without a Python object per row. 1.6 million rows (the 1,000,000-incident benchmark)
take about 7 s on SQLite and 6 s on PostgreSQL (2 s of it here), in 90 MB of columns.

The columns are reloaded when the data changes. "Changed" is read from the highest ids of
incidents, acts, victims and persons and the ledger's newest entry: every edit, withdrawal
and merge made through the services appends to the ledger, and bulk loads add rows with new ids.
A write that bypasses both (hand-edited SQL) is not seen until the process restarts. Breakdowns
(:func:`facts_state`) reload at once on a small database; on a big one the previous columns
answer, saying when they were read, while a background thread re-reads them. Briefs
(:func:`facts_current`) always get columns of the data as it is, reading them at once if needed;
one read runs at a time per database, and a caller arriving during a read waits for it.

Need-to-know and the filters are applied here as masks over the columns; a filter the
columns cannot express (full-text ``q``, ``provision``, ``characteristic``) returns None
and the caller runs the SQL instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import String, func, select, text
from sqlalchemy.orm import Session

from svidok.core.actors import LEVELS, Actor
from svidok.domain import dates
from svidok.schemas.filters import IncidentFilter
from svidok.services import places as place_service
from svidok.stats.age_bands import VOCAB_BANDS, age_group, band_of, parse_bands
from svidok.storage.models import Act, Incident, LedgerEntry, Person, Place, Victim

from .places import oblast_of, occupation_periods

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Filter fields the in-memory columns can apply (others go to SQL).
SUPPORTED = {"date_from", "date_to", "place", "violation_type", "family", "means", "victim_status", "harm",
             "verification_status", "case_id"}
_lock = threading.Lock()
_cache: dict[str, tuple[tuple, HarmFacts]] = {}


class Codes:
    """Strings <-> small integers for one column (index 0 is None)."""

    def __init__(self, values: list[str] | None = None) -> None:
        self.values: list[str | None] = [None, *(values or [])]
        self.index: dict[str | None, int] = {v: i for i, v in enumerate(self.values)}

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
_load_locks: dict[str, threading.Lock] = {}
MAX_DATABASES = 4


def facts(app: Svidok, s: Session) -> HarmFacts:
    """The current columns (see :func:`facts_state`)."""
    return facts_state(app, s)[0]


def facts_state(app: Svidok, s: Session) -> tuple[HarmFacts, bool]:
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
    return _load_version(app, s, key, version), False


def facts_current(app: Svidok, s: Session) -> HarmFacts:
    """Columns of the data as ``s`` sees it now — never stale: read at once if the data changed
    (after waiting for a read already running), for figures that must agree with the SQL."""
    return _load_version(app, s, str(app.db.url), data_version(s))


def _load_version(app: Svidok, s: Session, key: str, version: tuple) -> HarmFacts:
    """The columns of ``version``: from the cache, or read now (one read per database at a time)."""
    with _lock:
        load_lock = _load_locks.setdefault(key, threading.Lock())
    with load_lock:
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] == version:  # read by whoever held the lock before us
            return hit[1]
        loaded = _timed_load(app, s)
        _store(key, version, loaded)
        return loaded


def _store(key: str, version: tuple, loaded: HarmFacts) -> None:
    with _lock:
        _cache.pop(key, None)
        _cache[key] = (version, loaded)
        while len(_cache) > MAX_DATABASES:  # keep the most recently loaded databases only
            _cache.pop(next(iter(_cache)))


def _timed_load(app: Svidok, s: Session) -> HarmFacts:
    t = time.perf_counter()
    hf = _load(app, s)
    hf.load_seconds = time.perf_counter() - t
    hf.loaded_at = datetime.now(UTC)
    return hf


def _refresh_in_background(app: Svidok, key: str) -> None:
    with _lock:
        if key in _refreshing:
            return
        _refreshing.add(key)

    def work() -> None:
        try:
            with app.db.session() as s:
                _load_version(app, s, key, data_version(s))
        finally:
            with _lock:
                _refreshing.discard(key)

    threading.Thread(target=work, name="svidok-harm-facts", daemon=True).start()


def warm_up(app: Svidok, min_incidents: int = 100_000) -> None:
    """Read the columns in a background thread when the database is big (call when a server starts)."""
    with app.db.session() as s:
        biggest = s.scalar(select(func.max(Incident.id))) or 0
    if biggest >= min_incidents:
        _refresh_in_background(app, str(app.db.url))


# -- reading the columns ------------------------------------------------------------------
#: String columns read as codes: name -> (column in the load query, vocabulary of the values expected).
_CODED = {
    "harm": ("v.harm", "harms"), "sex": ("v.sex", "sex"), "status": ("v.status", "person_status"),
    "age_band": ("v.age_band", "age_bands"), "means": ("a.means", "means"),
    "violation_type": ("a.violation_type", "violation_types"), "confidentiality": ("i.confidentiality", None),
    "verification_status": ("i.verification_status", "verification_status"),
}
_NULLABLE = {"age_band", "means"}
_TABLES = {"v": "victims", "a": "acts", "i": "incidents"}
#: Values met in a database beyond its vocabularies (a withdrawn term in old records): url -> column -> values.
_extra_values: dict[str, dict[str, list[str]]] = {}
#: Integer columns of the load query, before the packed codes.
_INTS = ("incident_id", "dates", "place_id", "case_id", "count", "age")
_DATE_BITS = 22  # proleptic ordinals up to 9999-12-31 (3,652,059) fit in 22 bits
_WORD_BITS = 62
_CHUNK = 65_536


@dataclass
class _Field:
    name: str
    values: list[str]
    word: int
    shift: int
    bits: int

    @property
    def other(self) -> int:
        """The code of a value outside ``values`` (all bits set)."""
        return (1 << self.bits) - 1


def _fields(app: Svidok, key: str) -> list[_Field]:
    """Where each coded column sits in the packed integers: 0 None, 1.. its values, all-ones anything else."""
    out, word, shift = [], 0, 0
    for name, (_, vocab) in _CODED.items():
        values = list(LEVELS) if vocab is None else list(app.vocab[vocab].terms)
        values += [v for v in _extra_values.get(key, {}).get(name, []) if v not in values]
        bits = (len(values) + 1).bit_length()
        if shift + bits > _WORD_BITS:
            word, shift = word + 1, 0
        out.append(_Field(name, values, word, shift, bits))
        shift += bits
    return out


def _load_sql(dialect, fields: list[_Field]) -> str:
    """One row per counted victim row, all BIGINT: incident, dates, place, case, count, age, packed codes."""
    quote = String().literal_processor(dialect)
    if dialect.name == "sqlite":
        def ordinal(col: str) -> str:
            return f"CAST(julianday({col}) - 1721424.5 AS INTEGER)"
    else:
        def ordinal(col: str) -> str:
            return f"({col} - DATE '0001-01-01' + 1)"

    bigint = "" if dialect.name == "sqlite" else "::bigint"  # SQLite's integers are 64-bit already
    words: dict[int, list[str]] = {}
    for f in fields:
        col = _CODED[f.name][0]
        whens = " ".join(f"WHEN {quote(v)} THEN {i}" for i, v in enumerate(f.values, 1))
        other = f"CASE WHEN {col} IS NULL THEN 0 ELSE {f.other} END" if f.name in _NULLABLE else str(f.other)
        words.setdefault(f.word, []).append(f"(CASE {col} {whens} ELSE {other} END) * {1 << f.shift}{bigint}")
    cols = [
        "CAST(i.id AS BIGINT)",
        f"CAST({ordinal('i.date_lo')} AS BIGINT) * {1 << _DATE_BITS} + {ordinal('i.date_hi')}",
        "CAST(COALESCE(i.place_id, 0) AS BIGINT)", "CAST(COALESCE(i.case_id, 0) AS BIGINT)",
        "CAST(v.count AS BIGINT)", "CAST(COALESCE(v.age, -1) AS BIGINT)",
        *(" + ".join(parts) for _, parts in sorted(words.items())),
    ]
    return (
        f"SELECT {', '.join(cols)} FROM victims v JOIN acts a ON a.id = v.act_id JOIN incidents i ON i.id = a.incident_id "
        "WHERE a.deleted_at IS NULL AND i.deleted_at IS NULL AND i.merged_into_id IS NULL AND NOT EXISTS (SELECT 1 FROM persons p "
        "WHERE p.id = v.person_id AND (p.merged_into_id IS NOT NULL OR p.deleted_at IS NOT NULL))"
    )


class _Grow:
    """A (rows, k) int64 array filled chunk by chunk, doubling when full."""

    def __init__(self, k: int) -> None:
        self.a = np.empty((_CHUNK, k), dtype=np.int64)
        self.n = 0

    def add(self, chunk: np.ndarray) -> None:
        if self.n + len(chunk) > len(self.a):
            bigger = np.empty((max(2 * len(self.a), self.n + len(chunk)), self.a.shape[1]), dtype=np.int64)
            bigger[: self.n] = self.a[: self.n]
            self.a = bigger
        self.a[self.n: self.n + len(chunk)] = chunk
        self.n += len(chunk)

    def result(self) -> np.ndarray:
        return self.a[: self.n]


def _read_sqlite(dbapi, sql: str, k: int) -> np.ndarray:
    """Rows from the driver's cursor, a chunk at a time, into one array."""
    out = _Grow(k)
    cur = dbapi.cursor()
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(_CHUNK):
            out.add(np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * k).reshape(len(rows), k))
    finally:
        cur.close()
    return out.result()


_PGCOPY = b"PGCOPY\n\xff\r\n\x00"


def _read_postgresql(dbapi, sql: str, k: int) -> np.ndarray:
    """COPY … TO STDOUT (FORMAT binary): every field a non-null BIGINT, so each tuple is
    2 + 12·k bytes (field count, then length and value per field, big-endian)."""
    rec = np.dtype([("nf", ">i2"), *[(n, t) for j in range(k) for n, t in ((f"l{j}", ">i4"), (f"f{j}", ">i8"))]])
    out = _Grow(k)
    buf = bytearray()

    def parse(final: bool) -> None:
        whole = len(buf) // rec.itemsize
        if final:  # the trailer: a field count of -1
            if buf[-2:] != b"\xff\xff":
                raise RuntimeError("harm_facts: unexpected end of the COPY stream")
            whole = (len(buf) - 2) // rec.itemsize
        if not whole:
            return
        recs = np.frombuffer(bytes(buf[: whole * rec.itemsize]), dtype=rec)
        if (recs["nf"] != k).any() or any((recs[f"l{j}"] != 8).any() for j in range(k)):
            raise RuntimeError("harm_facts: the COPY stream is not the expected BIGINT columns")
        out.add(np.stack([recs[f"f{j}"].astype(np.int64) for j in range(k)], axis=1))
        del buf[: whole * rec.itemsize]

    with dbapi.cursor() as cur:
        # The long CASE lists would have the JIT compile for seconds; the hashes of the joins fit in memory.
        saved = cur.execute("SELECT current_setting('jit'), current_setting('work_mem')").fetchone()
        cur.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '128MB', true)")
        with cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)") as copy:
            _stream(copy, buf, parse)
        # (after an error the transaction rolls back, and the settings with it)
        cur.execute("SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)", saved)
    parse(final=True)
    return out.result()


def _stream(copy, buf: bytearray, parse) -> None:
    """Feed the COPY blocks into ``buf`` past the header, parsing every few megabytes."""
    header = None
    for block in copy:
        buf += block
        if header is None:
            if len(buf) < 19:
                continue
            if bytes(buf[:11]) != _PGCOPY:
                raise RuntimeError("harm_facts: not a binary COPY stream")
            extension = int.from_bytes(buf[15:19], "big")
            if len(buf) < 19 + extension:
                continue
            header = 19 + extension
            del buf[:header]
        if len(buf) >= 8 << 20:
            parse(final=False)


def _read(app: Svidok, s: Session) -> tuple[np.ndarray, list[_Field]]:
    """The raw integer columns; a code outside the expected values is looked up and the read repeated."""
    key = str(app.db.url)
    dialect = s.get_bind().dialect
    dbapi = s.connection().connection.dbapi_connection
    for _ in range(5):
        fields = _fields(app, key)
        k = len(_INTS) + 1 + max(f.word for f in fields)
        sql = _load_sql(dialect, fields)
        raw = _read_sqlite(dbapi, sql, k) if dialect.name == "sqlite" else _read_postgresql(dbapi, sql, k)
        unexpected = [f for f in fields
                      if (((raw[:, len(_INTS) + f.word] >> f.shift) & f.other) == f.other).any()]
        if not unexpected:
            return raw, fields
        for f in unexpected:  # values beyond the vocabulary: learn them once for this database
            col = _CODED[f.name][0]
            table, column = _TABLES[col[0]], col.split(".")[1]
            seen = s.execute(text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")).scalars()
            known = _extra_values.setdefault(key, {}).setdefault(f.name, [])
            known += sorted(v for v in seen if v not in f.values and v not in known)
    raise RuntimeError("harm_facts: the values of the victim columns kept changing while being read")


def _narrow(a: np.ndarray) -> np.ndarray:
    """A copy, as int32 when the values fit (ids usually do)."""
    if a.size and (a.min() < np.iinfo(np.int32).min or a.max() > np.iinfo(np.int32).max):
        return a.copy()
    return a.astype(np.int32)


def _load(app: Svidok, s: Session) -> HarmFacts:
    raw, fields = _read(app, s)
    n = len(raw)
    cols: dict[str, np.ndarray] = {}
    cols["incident_id"] = _narrow(raw[:, 0])
    lo = (raw[:, 1] >> _DATE_BITS).astype(np.int32)
    hi = (raw[:, 1] & ((1 << _DATE_BITS) - 1)).astype(np.int32)
    cols["date_lo"], cols["date_hi"] = lo, hi
    cols["place_id"] = _narrow(raw[:, 2])
    cols["case_id"] = _narrow(raw[:, 3])
    count = raw[:, 4].copy()
    cols["age"] = raw[:, 5].astype(np.int32)
    codes: dict[str, Codes] = {}
    for f in fields:
        cols[f.name] = ((raw[:, len(_INTS) + f.word] >> f.shift) & f.other).astype(np.int16)
        codes[f.name] = Codes(f.values)
    del raw
    # fine age band and broad group: by age where known, else by the recorded band
    bands = parse_bands(VOCAB_BANDS)
    lows = np.array([b.lo for b in bands])
    group_of = {"child": 0, "adult": 1, "older": 2}
    band_idx = {b.code: i for i, b in enumerate(bands)}
    recorded_fine = np.full(len(codes["age_band"].values), -1, dtype=np.int16)
    recorded_group = np.full(len(codes["age_band"].values), -1, dtype=np.int8)
    for code, recorded in enumerate(codes["age_band"].values):
        if recorded is not None:
            fb = band_of(None, bands, recorded)
            recorded_fine[code] = band_idx[fb] if fb is not None else -1
            recorded_group[code] = group_of.get(age_group(None, recorded), -1)
    ages, unknown_age = cols["age"], cols["age"] < 0
    cols["fine_band"] = np.where(unknown_age, recorded_fine[cols["age_band"]],
                                 np.searchsorted(lows, ages, side="right") - 1).astype(np.int16)
    cols["age_group"] = np.where(unknown_age, recorded_group[cols["age_band"]],
                                 np.where(ages < 18, 0, np.where(ages < 60, 1, 2))).astype(np.int8)
    # oblast and occupation of the place, through tables indexed by the place's position among all places
    paths = dict(s.execute(select(Place.id, Place.path)).all())
    ids = np.array(sorted(paths), dtype=np.int64)
    pos = np.searchsorted(ids, cols["place_id"]).clip(0, max(len(ids) - 1, 0))
    known = (cols["place_id"] > 0) & (ids[pos] == cols["place_id"]) if len(ids) else np.zeros(n, dtype=bool)
    obl = oblast_of(s)
    oblast_codes = sorted({v[0] for v in obl.values()})
    oc = {c: i for i, c in enumerate(oblast_codes)}
    lut = np.array([oc[obl[pid][0]] if pid in obl else -1 for pid in ids.tolist()] or [-1], dtype=np.int16)
    cols["oblast"] = np.where(known, lut[pos], -1).astype(np.int16)
    cols["occupation"] = _occupation(s, ids, paths, pos, known, lo)
    # month index (year*12 + month-1) when the dates lie within one month, else -1
    first = int(min(lo.min(), hi.min())) if n else 0
    months = _month_index(np.arange(first, int(max(lo.max(), hi.max())) + 1 if n else 1))  # by day
    lo_month, hi_month = months[lo - first], months[hi - first]
    cols["month"] = np.where(lo_month == hi_month, lo_month, -1).astype(np.int32)
    return HarmFacts(n, count, cols, codes, oblast_codes)


def _occupation(s: Session, ids: np.ndarray, paths: dict[int, str], pos: np.ndarray, known: np.ndarray,
               lo: np.ndarray) -> np.ndarray:
    """Occupation on the first possible day: 0 not occupied, 1 contested, 2 occupied, -1 no place.

    The periods' first days and the days after their last cut time into segments in which no
    place changes status: a (place, segment) table is filled from the periods, then looked up."""
    periods = occupation_periods(s)
    edges = np.array(sorted({since.toordinal() for _, _, since, _ in periods}
                            | {until.toordinal() + 1 for *_, until in periods if until is not None}), dtype=np.int64)
    table = np.zeros((max(len(ids), 1), len(edges) + 1), dtype=np.int8)
    for prefix, status, since, until in periods:
        inside = np.searchsorted(ids, [pid for pid, p in paths.items() if p.startswith(prefix)])[:, None]
        first = int(np.searchsorted(edges, since.toordinal(), side="right"))
        last = int(np.searchsorted(edges, until.toordinal() + 1, side="right")) if until is not None else len(edges) + 1
        segments = np.arange(first, last)[None, :]
        table[inside, segments] = np.maximum(table[inside, segments], 2 if status == "occupied" else 1)
    return np.where(known, table[pos, np.searchsorted(edges, lo, side="right")], -1).astype(np.int8)


def _month_index(ordinals: np.ndarray) -> np.ndarray:
    days = ordinals.astype("int64") - date(1970, 1, 1).toordinal()
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")  # months since 1970-01
    return months + 1970 * 12


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
