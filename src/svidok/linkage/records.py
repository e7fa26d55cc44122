"""Person records for linkage: reading, checking and deriving the compared features.

A person record is one source's account of one person. The required columns are
``record_id``, ``source`` and ``name``; the optional ones are listed in
:data:`OPTIONAL_COLUMNS`. Problems with a single row never stop the run: they are
collected as :class:`RowIssue` objects, and a row whose name is unusable is kept
out of the comparisons but still reported and still given a cluster of its own.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from svidok.domain import dates
from svidok.domain.names import key_spellings

from .columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from .mending import compact_key, mended_keys
from .name_keys import (
    _a_name_of_its_own,
    _facility_key,
    _place_key,
    list_orders,
    loose_key,
    name_features_of,
    reread_by_family_names,
    sound_key,
)
from .place_forms import merged_place_keys

EARLIEST_BIRTH_YEAR = 1880

_DATE_RES = (
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})[./](\d{4})$"), ("m", "y")),
)
_SEX = {"m": "m", "male": "m", "ч": "m", "м": "m", "чол": "m", "f": "f", "female": "f",
        "ж": "f", "жін": "f", "w": "f"}


class CsvError(ValueError):
    """The whole file cannot be used (encoding, columns, structure); says why."""


@dataclass(frozen=True)
class RowIssue:
    """One problem in one row. ``excluded`` rows are not compared with others."""

    row: int  # 1-based data row (the header is row 0)
    record_id: str
    field: str
    message: str
    excluded: bool = False


@lru_cache(maxsize=1 << 16)
def parse_partial_date(text: str) -> tuple[int, int | None, int | None]:
    """(year, month, day) of a possibly partial date; ValueError says what is wrong."""
    text = text.strip()
    for pattern, order in _DATE_RES:
        m = pattern.match(text)
        if m:
            parts = dict(zip(order, map(int, m.groups())))
            y, mo, d = parts["y"], parts.get("m"), parts.get("d")
            if mo is not None and not 1 <= mo <= 12:
                raise ValueError(f"month {mo} does not exist")
            if d is not None and not 1 <= d <= calendar.monthrange(y, mo)[1]:
                raise ValueError(f"day {d} does not exist in {calendar.month_name[mo]} {y}")
            return y, mo, d
    try:  # month names: "2 квітня 1990", "2 апреля 1990 г.", "April 1990"
        found = dates.parse(text)
    except dates.DateError as e:
        if "is not a date" not in str(e):
            raise ValueError(str(e).split(": ", 1)[-1]) from None  # read, but cannot exist
        raise ValueError("not a date (expected YYYY, YYYY-MM, YYYY-MM-DD, DD.MM.YYYY, MM.YYYY "
                         "or a day, a month name and a year)") from None
    return found.year, found.month, found.day


def decode_csv_bytes(data: bytes, encoding: str | None = None) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1251 Cyrillic.

    Windows-1251 decodes any byte string, so it is accepted only when the result
    reads as Cyrillic text; anything else is an error that names the offset.
    """
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as e:
            raise CsvError(f"cannot read the file as {encoding}: {e}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8_error = e
    text = data.decode("cp1251", errors="replace")
    non_ascii = [c for c in text if ord(c) > 127]
    cyrillic = sum(1 for c in non_ascii if "\u0400" <= c <= "\u04ff")
    if non_ascii and cyrillic / len(non_ascii) >= 0.9:
        return text
    raise CsvError(
        f"the file is not UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
        "and does not read as Windows-1251 Cyrillic either; save it as UTF-8 or pass --encoding"
    )


def read_person_csv(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read a person-records CSV as strings; CsvError for a file that cannot be used.

    A row with more cells than the header is skipped, one with fewer is read with
    the rest empty; either way the row is listed in ``df.attrs["svidok_issues"]``
    (``prepare`` reports them with the others), and ``df.attrs["svidok_rows"]``
    keeps each row's number in the file for every later message.
    """
    data = Path(path).read_bytes()
    text = decode_csv_bytes(data, encoding)
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # a huge cell is reported, not fatal
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("the file is empty (no header row)") from None
    except csv.Error as e:
        raise CsvError(f"the header row is not well-formed CSV: {e}") from None
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    issues: list[RowIssue] = []
    n = 0
    try:
        for cells in reader:
            if not cells:
                continue  # a blank line
            n += 1
            if len(cells) > width:
                issues.append(RowIssue(n, cells[0][:40], "(row)", f"{len(cells)} cells where the header has {width} "
                                       "(an unquoted comma?); the row is skipped", excluded=True))
                continue
            if len(cells) < width:
                missing = ", ".join(header[len(cells):])
                issues.append(RowIssue(n, cells[0][:40], missing, f"{len(cells)} cells where the header has "
                                       f"{width}; {missing} read as empty"))
                cells = cells + [""] * (width - len(cells))
            rows.append(cells)
            numbers.append(n)
    except csv.Error as e:
        raise CsvError(f"row {n + 1} is not well-formed CSV: {e}") from None
    df = check_columns(pd.DataFrame(rows, columns=header, dtype=object) if rows
                       else pd.DataFrame(columns=header, dtype=object))
    df.attrs["svidok_rows"], df.attrs["svidok_issues"] = numbers, issues
    return df


def check_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Normalise column names and fail if a required column is missing."""
    df = df.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise CsvError(
            f"missing required column(s): {', '.join(missing)}; "
            f"found: {', '.join(map(str, df.columns)) or 'none'}"
        )
    return df


def records_frame(records: pd.DataFrame | Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """A DataFrame of string cells ("" for missing) from a DataFrame or dicts."""
    df = records.copy() if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    attrs = dict(df.attrs)
    df = check_columns(df)
    df.attrs.update(attrs)
    for c in df.columns:
        df[c] = df[c].astype("object").where(df[c].notna(), "").astype(str).str.strip()
    return df


MAX_CELL_CHARS = 1000  # names, places and dates are short; a longer cell is a paste gone wrong


def _usable_cells(df: pd.DataFrame, rows_of: list[int],
                  issues: list[RowIssue]) -> tuple[pd.DataFrame, list[int]]:
    """The rows that can be compared, with oversized cells emptied; what was left
    out is added to ``issues``, by row number and column.

    A row without a record_id, or with one an earlier row has, is skipped (its
    cluster could not be reported); any cell over MAX_CELL_CHARS is read as empty.
    """
    long = {c: df.index[df[c].str.len() > MAX_CELL_CHARS] for c in df.columns}
    if any(len(v) for v in long.values()):
        df = df.copy()
        for c, where in long.items():
            for i in where:
                pos = df.index.get_loc(i)
                issues.append(RowIssue(rows_of[pos], df.at[i, "record_id"][:40] if c != "record_id" else "", c,
                                       f"cell of {len(df.at[i, c]):,} characters (more than {MAX_CELL_CHARS:,}); "
                                       "read as empty", excluded=c in ("record_id", "name")))
                df.at[i, c] = ""
    ids = df["record_id"]
    bad = (ids == "") | ids.duplicated(keep="first")
    if bad.any():
        first_row = dict(zip(ids[~bad], (rows_of[k] for k in range(len(df)) if not bad.iloc[k])))
        for k in (k for k in range(len(df)) if bad.iloc[k]):
            rid = ids.iloc[k]
            why = ("no record_id" if not rid else f"record_id {rid!r} is already used by row {first_row.get(rid)}")
            issues.append(RowIssue(rows_of[k], rid, "record_id", f"{why}; the row is skipped", excluded=True))
        keep = ~bad.to_numpy()
        df = df[keep].reset_index(drop=True)
        rows_of = [r for r, ok in zip(rows_of, keep) if ok]
    return df, list(rows_of)


def prepare(records: pd.DataFrame | Iterable[Mapping[str, object]],
            workers: int = 1) -> tuple[pd.DataFrame, list[RowIssue]]:
    """Derived features for every record, and the issues found on the way; names are
    read in ``workers`` processes when there are many (:func:`name_features_of`).

    Columns: unique_id, source, family_key, family_sound, given_key, given_alt (the key of
    another given name the given name may stand for: Юрій for George), given_first (the
    key of the given name's first letter), given_initial (the key of a given name written
    as an initial), patronymic_key,
    name_concat, birth_year/month/day, birth_year_span (1 when the year comes from an
    age: the person was born that year or the one before), birth_date_key, place_key,
    place_sound, sex, facility_key, custody_from, document_id, usable (False when the
    name has no letters).
    """
    df = records_frame(records)
    rows_of = df.attrs.get("svidok_rows") or list(range(1, len(df) + 1))
    issues: list[RowIssue] = list(df.attrs.get("svidok_issues", []))
    df, row_numbers = _usable_cells(df, rows_of, issues)
    ids = df["record_id"]
    col = {c: (df[c].tolist() if c in df.columns else None) for c in OPTIONAL_COLUMNS}
    n = len(df)
    empty = [""] * n
    names = df["name"].tolist()
    sources = df["source"].tolist()
    habits = list_orders(names, sources)
    id_list = ids.tolist()
    name_rows = list(zip(names, col["family_name"] or empty, col["given_name"] or empty, col["patronymic"] or empty,
                         [habits.get(s) for s in sources]))
    fam, giv, pat, giv_alt, giv_first, giv_initial, others = (
        map(list, zip(*name_features_of(name_rows, workers))) if n else ([] for _ in range(7)))
    usable = [bool(f or g or p) for f, g, p in zip(fam, giv, pat)]
    found: list[RowIssue] = [
        RowIssue(row_numbers[i], id_list[i], "name", f"no usable name in {names[i]!r}; "
                 "the record is kept apart, not compared", excluded=True)
        for i, ok in enumerate(usable) if not ok]
    out = _birth_columns(col["birth_date"] or empty, col["age"] or empty, col["age_date"] or empty,
                         row_numbers, id_list, found)
    issues.extend(sorted(found, key=lambda issue: issue.row))  # a row's issues together, in row order
    for i, (f, g, p, alt, first, initial, _) in reread_by_family_names(fam, others).items():
        fam[i], giv[i], pat[i], giv_alt[i], giv_first[i], giv_initial[i] = f, g, p, alt, first, initial
    frame = pd.DataFrame({
        "unique_id": ids.values,
        "source": df["source"].values,
        "family_key": fam, "given_key": giv, "given_alt": giv_alt, "patronymic_key": pat,
        "given_first": giv_first, "given_initial": giv_initial,
        **{k: pd.array(v, dtype="Int64") for k, v in out.items()},
        "usable": usable,
    })
    frame["given_key"] = mended_keys(frame["given_key"], min_length=4, protect=_a_name_of_its_own,
                                     spellings=key_spellings)
    frame["family_key"] = mended_keys(frame["family_key"])
    # The full name as the exact-name level and its worth see it: the family name with
    # what romanisation leaves open made one (Homanchuk = Хоманчук, Oliynik = Олейник).
    frame["name_concat"] = frame["given_key"] + "|" + [loose_key(f) if f else "" for f in frame["family_key"]]
    frame["family_sound"] = [sound_key(f) if f else "" for f in frame["family_key"]]
    # For the one-typo levels: a typo of one Cyrillic letter is one typo here (compact_key).
    frame["family_compact"] = [compact_key(f) if f else "" for f in frame["family_key"]]
    frame["given_compact"] = [compact_key(g) if g else "" for g in frame["given_key"]]
    full = frame["birth_day"].notna()
    frame["birth_date_key"] = None
    frame.loc[full, "birth_date_key"] = (
        frame.loc[full, "birth_year"].astype(str) + "-"
        + frame.loc[full, "birth_month"].astype(str).str.zfill(2) + "-"
        + frame.loc[full, "birth_day"].astype(str).str.zfill(2)
    )
    if col["place"] is not None:
        frame["place_key"] = merged_place_keys(pd.Series([_place_key(p) if p else "" for p in col["place"]])).to_numpy()
        frame["place_sound"] = [sound_key(p) if p else "" for p in frame["place_key"]]
    if col["sex"] is not None:
        frame["sex"] = [_sex(s, row_numbers[i], id_list[i], issues) for i, s in enumerate(col["sex"])]
    if col["facility"] is not None:
        frame["facility_key"] = [_facility_key(p) if p else "" for p in col["facility"]]
    if col["document_id"] is not None:
        frame["document_id"] = [re.sub(r"[\s\-./]", "", d).upper() or None for d in col["document_id"]]
    if col["custody_from"] is not None:
        frame["custody_from"] = [_full_date(v, row_numbers[i], id_list[i], "custody_from", issues)
                                 for i, v in enumerate(col["custody_from"])]
        frame["custody_from"] = pd.to_datetime(frame["custody_from"])
    for c in ("family_key", "family_sound", "given_key", "given_alt", "given_first", "given_initial",
              "patronymic_key", "place_key", "place_sound",
              "facility_key", "name_concat", "family_compact", "given_compact"):
        if c in frame:
            frame[c] = frame[c].replace({"": None, "|": None})
    return frame, issues


def _birth_columns(births: list[str], ages: list[str], age_dates: list[str], row_numbers: list[int],
                   ids: list[str], issues: list[RowIssue]) -> dict[str, list[int | None]]:
    """birth_year, birth_month, birth_day and birth_year_span (0 for a stated year, 1 for
    one computed from an age) of each record; what cannot be read is an issue and unknown."""
    n = len(births)
    out = {k: [None] * n for k in ("birth_year", "birth_month", "birth_day", "birth_year_span")}
    this_year = date.today().year
    for i, birth in enumerate(births):
        y = mo = d = None
        if birth:
            try:
                y, mo, d = parse_partial_date(birth)
                if not EARLIEST_BIRTH_YEAR <= y <= this_year:
                    raise ValueError(f"year {y} is outside {EARLIEST_BIRTH_YEAR}-{this_year}")
            except ValueError as e:
                y = mo = d = None
                issues.append(RowIssue(row_numbers[i], ids[i], "birth_date", f"{birth!r}: {e}; treated as unknown"))
        span = None if y is None else 0
        if y is None and ages[i]:
            y = _birth_year_from_age(ages[i], age_dates[i], row_numbers[i], ids[i], issues)
            span = None if y is None else 1
        if y is not None:
            out["birth_year"][i], out["birth_month"][i], out["birth_day"][i] = y, mo, d
            out["birth_year_span"][i] = span
    return out


def _birth_year_from_age(age: str, when: str, row: int, rid: str, issues: list[RowIssue]) -> int | None:
    try:
        years = int(age)
        if not 0 <= years <= 120:
            raise ValueError(f"age {years} is outside 0-120")
        if not when:
            raise ValueError("age_date is missing, so the birth year cannot be estimated")
        year = parse_partial_date(when)[0] - years  # or the year before, if the birthday was still to come
        if year < EARLIEST_BIRTH_YEAR:
            raise ValueError(f"gives birth year {year}")
        return year
    except ValueError as e:
        issues.append(RowIssue(row, rid, "age", f"{age!r}: {e}; ignored"))
        return None


def _sex(value: str, row: int, rid: str, issues: list[RowIssue]) -> str | None:
    if not value:
        return None
    s = _SEX.get(value.strip().lower().rstrip("."))
    if s is None:
        issues.append(RowIssue(row, rid, "sex", f"{value!r} is not m/f; treated as unknown"))
    return s


def _full_date(value: str, row: int, rid: str, field: str, issues: list[RowIssue]) -> str | None:
    if not value:
        return None
    try:
        y, m, d = parse_partial_date(value)
    except ValueError as e:
        issues.append(RowIssue(row, rid, field, f"{value!r}: {e}; treated as unknown"))
        return None
    return f"{y:04d}-{m or 1:02d}-{d or 1:02d}"  # month/year precision: first day
