"""Reading the counted victim rows into the in-memory columns (one narrow integer query: SQLite cursor or binary COPY)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import String, select, text
from sqlalchemy.orm import Session

from svidok.core.actors import LEVELS
from svidok.stats.age_bands import VOCAB_BANDS, age_group, band_of, parse_bands
from svidok.storage.models import Place

from .places import oblast_of, occupation_periods

if TYPE_CHECKING:
    from svidok.app import Svidok


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


def load(app: Svidok, s: Session) -> HarmFacts:
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
