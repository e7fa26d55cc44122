"""Age bands: parsing, assigning ages to bands, and the reference population by band and sex."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .counts_table import CountsError

#: The project's age-band vocabulary (src/svidok/data/vocab/age_bands.yaml), as bands.
VOCAB_BANDS = "0-4,5-9,10-14,15-17,18-29,30-44,45-59,60-69,70-79,80+"
#: Children, adults, older people: the groups the advocacy questions are about.
BROAD_BANDS = "0-17,18-59,60+"
SEXES = ("male", "female")
SHIPPED_POPULATION = Path(__file__).resolve().parent.parent / "data" / "population" / "ukraine_2018.csv"


@dataclass(frozen=True)
class AgeBand:
    code: str
    lo: int
    hi: int | None  # inclusive; None = open-ended

    def contains(self, age: int) -> bool:
        return age >= self.lo and (self.hi is None or age <= self.hi)

    def within(self, other: AgeBand) -> bool:
        if self.lo < other.lo:
            return False
        if other.hi is None:
            return True
        return self.hi is not None and self.hi <= other.hi


_BAND = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)|(\+))\s*$")


def parse_bands(spec: str) -> list[AgeBand]:
    """``"0-17,18-59,60+"`` -> bands; they must be contiguous from 0 and end open (``N+``)."""
    bands = []
    for part in spec.split(","):
        m = _BAND.match(part)
        if not m:
            raise CountsError(f"age band {part.strip()!r} is not like '18-59' or '60+'")
        lo = int(m.group(1))
        hi = None if m.group(3) else int(m.group(2))
        if hi is not None and hi < lo:
            raise CountsError(f"age band {part.strip()!r} ends before it starts")
        bands.append(AgeBand(f"{lo}+" if hi is None else f"{lo}-{hi}", lo, hi))
    expect = 0
    for b in bands:
        if b.lo != expect:
            raise CountsError(f"age bands must follow each other from 0: {b.code} should start at {expect}")
        if b.hi is None and b is not bands[-1]:
            raise CountsError(f"only the last band may be open-ended ({b.code})")
        expect = (b.hi or 0) + 1
    if bands[-1].hi is not None:
        raise CountsError(f"the last band must be open-ended, like '{bands[-1].hi + 1}+'")
    return bands


def band_of(age: int | None, bands: list[AgeBand], recorded_band: str | None = None) -> str | None:
    """The band of an age; without an age, of a recorded band that lies wholly inside one band."""
    if age is not None:
        if age < 0:
            return None
        return next(b.code for b in bands if b.contains(age))
    if recorded_band:
        try:
            rb = parse_bands_loose(recorded_band)
        except CountsError:
            return None
        return next((b.code for b in bands if rb.within(b)), None)
    return None


def parse_bands_loose(code: str) -> AgeBand:
    m = _BAND.match(code)
    if not m:
        raise CountsError(f"age band {code!r} is not like '18-59' or '60+'")
    lo, hi = int(m.group(1)), None if m.group(3) else int(m.group(2))
    return AgeBand(code, lo, hi)


def age_group(age: int | None, recorded_band: str | None = None) -> str:
    """'child' (under 18), 'adult' (18-59), 'older' (60 and over) or 'unknown'."""
    code = band_of(age, parse_bands(BROAD_BANDS), recorded_band)
    return {"0-17": "child", "18-59": "adult", "60+": "older"}.get(code or "", "unknown")


@dataclass(frozen=True)
class PopulationTable:
    """Population by single years or bands of age and by sex, with where it comes from."""

    rows: tuple[tuple[AgeBand, str, int], ...]
    source: str

    def by_band(self, bands: list[AgeBand]) -> dict[tuple[str, str], int]:
        """Aggregate to (band, sex); every row must fall wholly inside one band."""
        out = {(b.code, s): 0 for b in bands for s in SEXES}
        for row_band, sex, n in self.rows:
            target = next((b for b in bands if row_band.within(b)), None)
            if target is None:
                raise CountsError(
                    f"population rows for ages {row_band.code} straddle the bands asked for; "
                    "choose bands whose limits match the population table"
                )
            out[(target.code, sex)] += n
        return out


def read_population_csv(path: str | Path | None = None) -> PopulationTable:
    """Read ``age_from,age_to,sex,population`` (empty ``age_to`` = open-ended).

    Without a path, the shipped table for Ukraine (State Statistics Service, 1 January 2018)."""
    if path is None:
        text = SHIPPED_POPULATION.read_text(encoding="utf-8")
        source = "State Statistics Service of Ukraine, resident population on 1 January 2018"
    else:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CountsError(f"cannot read {p}: {exc.strerror}") from None
        source = str(p)
    reader = csv.DictReader(text.splitlines())
    need = {"age_from", "age_to", "sex", "population"}
    if not reader.fieldnames or not need <= set(reader.fieldnames):
        raise CountsError(f"population table needs columns {', '.join(sorted(need))}")
    rows = []
    for i, r in enumerate(reader, start=1):
        try:
            lo = int(r["age_from"])
            hi = int(r["age_to"]) if r["age_to"].strip() else None
            n = int(r["population"])
        except ValueError:
            raise CountsError(f"population row {i}: age_from, age_to and population must be whole numbers") from None
        if r["sex"] not in SEXES:
            raise CountsError(f"population row {i}, column 'sex': {r['sex']!r} is not male or female")
        if n < 0:
            raise CountsError(f"population row {i}: negative population")
        rows.append((AgeBand(f"{lo}+" if hi is None else f"{lo}-{hi}", lo, hi), r["sex"], n))
    if not rows:
        raise CountsError("population table has no rows")
    return PopulationTable(tuple(rows), source)
