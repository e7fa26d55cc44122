"""Capture-pattern tables: how many people were documented by each combination of lists.

A *capture pattern* says, for each list (source), whether a person appears on it.
Multiple systems estimation works on the counts of people per observed pattern; the
all-zero pattern (people on no list) is what the estimators estimate.

Patterns are stored as bit masks: bit ``j`` is set when the person is on list ``j``.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

#: The table holds a count for every one of the 2^J - 1 patterns: 20 lists are a million cells.
MAX_LISTS = 20
#: People documented in one table; counts are whole numbers end to end (int64 arithmetic, with
#: room for the latent-class sampler's cap of 21 times this).
MAX_TOTAL = 10**12


class CountsError(ValueError):
    """Input that cannot be turned into a capture-pattern table, with the reason."""


@dataclass(frozen=True)
class CountsTable:
    """Counts of people per observed capture pattern over ``lists``.

    ``cells[mask - 1]`` is the number of people whose pattern is ``mask``
    (``1 <= mask < 2**J``); unobserved patterns have count 0.
    """

    lists: tuple[str, ...]
    cells: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        j = len(self.lists)
        _check_list_count(j)
        if j < 2:
            raise CountsError(f"need at least two lists to estimate, got {j} ({', '.join(self.lists) or 'none'})")
        if len(set(self.lists)) != j:
            raise CountsError(f"list names must be distinct: {', '.join(self.lists)}")
        cells = np.asarray(self.cells, dtype=np.int64)
        if cells.shape != (2**j - 1,):
            raise CountsError(f"expected {2**j - 1} pattern counts for {j} lists, got {cells.shape}")
        if (cells < 0).any():
            raise CountsError("pattern counts must not be negative")
        object.__setattr__(self, "cells", cells)

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        """Number of distinct people documented on at least one list."""
        return int(self.cells.sum())

    def patterns(self) -> np.ndarray:
        """The 0/1 pattern matrix, one row per non-zero mask (row ``i`` is mask ``i + 1``)."""
        masks = np.arange(1, 2**self.n_lists)
        return ((masks[:, None] >> np.arange(self.n_lists)) & 1).astype(np.int8)

    def list_totals(self) -> dict[str, int]:
        pats = self.patterns()
        return {name: int(self.cells[pats[:, j] == 1].sum()) for j, name in enumerate(self.lists)}

    def isolated_lists(self) -> list[str]:
        """Lists that document someone but share no one with any other list. Nothing in the data
        says how many people such a list missed, so no model has a finite estimate for it."""
        pats = self.patterns()
        shared = pats[(self.cells > 0) & (pats.sum(axis=1) >= 2)].any(axis=0)
        totals = self.list_totals()
        return [name for j, name in enumerate(self.lists) if totals[name] > 0 and not shared[j]]

    def rows(self) -> list[tuple[tuple[int, ...], int]]:
        """(pattern, count) for every observed pattern with a non-zero count."""
        pats = self.patterns()
        return [(tuple(int(v) for v in pats[i]), int(c)) for i, c in enumerate(self.cells) if c > 0]

    def drop_empty_lists(self) -> tuple[CountsTable, list[str]]:
        """Remove lists that document nobody here (they carry no information); names removed."""
        totals = self.list_totals()
        keep = [j for j, name in enumerate(self.lists) if totals[name] > 0]
        dropped = [name for name in self.lists if totals[name] == 0]
        if not dropped:
            return self, []
        return self.collapse(keep), dropped

    def collapse(self, keep: list[int]) -> CountsTable:
        """Marginal table over the lists with indices ``keep`` (people on none of them are dropped
        from the table because they become unobserved for that subset)."""
        pats = self.patterns()[:, keep]
        masks = (pats.astype(np.int64) << np.arange(len(keep))).sum(axis=1)
        cells = np.zeros(2 ** len(keep) - 1, dtype=np.int64)
        for m, c in zip(masks, self.cells, strict=True):
            if m:
                cells[m - 1] += c
        return CountsTable(tuple(self.lists[j] for j in keep), cells)


def _check_list_count(j: int) -> None:
    if j > MAX_LISTS:
        raise CountsError(
            f"{j} lists: at most {MAX_LISTS} are supported (the table has a cell for each of the 2^{j} - 1 "
            "combinations of lists); merge lists that document the same kind of source"
        )


def _check_total(total: int) -> None:
    if total > MAX_TOTAL:
        raise CountsError(f"the counts add up to {total:,} people; at most {MAX_TOTAL:,} are supported")


def table_from_patterns(lists: Iterable[str], rows: Iterable[tuple[Iterable[int], int]]) -> CountsTable:
    """Build a table from (0/1 pattern, count) rows; rows are numbered from 1 in errors."""
    names = tuple(lists)
    _check_list_count(len(names))
    cells = np.zeros(max(2 ** len(names) - 1, 0), dtype=np.int64)
    seen: dict[int, int] = {}
    total = 0
    for i, (pattern, count) in enumerate(rows, start=1):
        bits = tuple(pattern)
        if len(bits) != len(names):
            raise CountsError(f"row {i}: pattern has {len(bits)} values, expected {len(names)}")
        for name, b in zip(names, bits, strict=True):
            if b not in (0, 1):
                raise CountsError(f"row {i}, column {name!r}: {b!r} is not 0 or 1")
        mask = sum(b << j for j, b in enumerate(bits))
        if mask == 0:
            raise CountsError(
                f"row {i}: pattern of all zeros (on no list) — nobody can be counted there; "
                "that number is what the estimate is for. Remove the row."
            )
        if not isinstance(count, int | np.integer) or isinstance(count, bool) or count < 0:
            raise CountsError(f"row {i}, column 'count': {count!r} is not a non-negative whole number")
        count = int(count)
        if count > MAX_TOTAL:
            raise CountsError(f"row {i}, column 'count': {count:,} people; at most {MAX_TOTAL:,} are supported")
        total += count
        _check_total(total)
        if mask in seen:
            raise CountsError(f"row {i}: pattern {''.join(map(str, bits))} repeats row {seen[mask]}")
        seen[mask] = i
        cells[mask - 1] = count
    table = CountsTable(names, cells)
    if table.observed == 0:
        raise CountsError("all counts are zero: there is nothing to estimate from")
    return table


def _parse_count(raw: str, row: int) -> int:
    """A whole number, read exactly (decimal, not floating point: 9007199254740993 stays itself)."""
    text = raw.strip().replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CountsError(f"row {row}, column 'count': {raw!r} is not a number") from None
    if not value.is_finite():
        raise CountsError(f"row {row}, column 'count': {raw!r} is not a whole number")
    if value < 0:
        raise CountsError(f"row {row}, column 'count': {raw!r} is negative")
    if value > MAX_TOTAL:
        raise CountsError(f"row {row}, column 'count': {raw!r} people; at most {MAX_TOTAL:,} are supported")
    if value != value.to_integral_value():
        raise CountsError(f"row {row}, column 'count': {raw!r} is not a whole number")
    return int(value)


def read_counts_csv(path: str | Path) -> CountsTable:
    """Read a counts file: one 0/1 column per list and a ``count`` column, one row per pattern.

    Rows are numbered as data rows (the header is not counted) in error messages.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CountsError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise CountsError(f"{path}: empty file, expected a header with list columns and 'count'")
        header = [h.strip() for h in header]
        if "count" not in header:
            raise CountsError(f"{path}: no 'count' column (columns: {', '.join(header)})")
        if any(not h for h in header):
            raise CountsError(f"{path}: a column has no name")
        ci = header.index("count")
        lists = [h for k, h in enumerate(header) if k != ci]
        _check_list_count(len(lists))
        if len(lists) < 2:
            raise CountsError(f"{path}: need at least two list columns besides 'count', got {len(lists)}")
        rows = []
        for i, rec in enumerate(reader, start=1):
            if not rec or all(not v.strip() for v in rec):
                continue
            if len(rec) != len(header):
                raise CountsError(f"row {i}: {len(rec)} values, expected {len(header)}")
            bits = []
            for k, name in enumerate(header):
                if k == ci:
                    continue
                v = rec[k].strip()
                if v not in ("0", "1"):
                    raise CountsError(f"row {i}, column {name!r}: {rec[k]!r} is not 0 or 1")
                bits.append(int(v))
            rows.append((bits, _parse_count(rec[ci], i)))
    if not rows:
        raise CountsError(f"{path}: no data rows")
    return table_from_patterns(lists, rows)


def table_from_source_sets(people: Iterable[Iterable[str]], lists: Iterable[str] | None = None) -> CountsTable:
    """Tabulate people by the set of sources (lists) that document each of them.

    ``lists`` fixes the list order; by default it is the sorted union of all sources.
    A person with no source is an error (they cannot have been observed).
    """
    sets = [frozenset(p) for p in people]
    names = tuple(lists) if lists is not None else tuple(sorted(set().union(*sets))) if sets else ()
    _check_list_count(len(names))
    index = {n: j for j, n in enumerate(names)}
    cells = np.zeros(max(2 ** len(names) - 1, 0), dtype=np.int64)
    for i, s in enumerate(sets, start=1):
        if not s:
            raise CountsError(f"person {i}: documented by no source")
        unknown = s - index.keys()
        if unknown:
            raise CountsError(f"person {i}: source(s) {', '.join(sorted(unknown))} not among the lists")
        cells[sum(1 << index[n] for n in s) - 1] += 1
    return CountsTable(names, cells)


def stratified_tables(
    people: Iterable[tuple[Hashable, Iterable[str]]], lists: Iterable[str] | None = None
) -> dict[Hashable, CountsTable]:
    """One table per stratum from (stratum, sources of one person) pairs.

    Every stratum uses the same list order (the union over strata unless ``lists`` is given),
    so tables can be compared; lists empty in a stratum are dropped at estimation time with a warning.
    """
    by: dict[Hashable, list[frozenset[str]]] = {}
    for stratum, sources in people:
        by.setdefault(stratum, []).append(frozenset(sources))
    if lists is None:
        lists = sorted(set().union(*(s for v in by.values() for s in v))) if by else []
    names = tuple(lists)
    return {k: table_from_source_sets(v, names) for k, v in by.items()}


def table_from_mapping(lists: Iterable[str], counts: Mapping[str, int]) -> CountsTable:
    """Table from {'101': 7, ...} with pattern strings in list order (handy for published data)."""
    names = tuple(lists)
    return table_from_patterns(names, ((tuple(int(c) for c in k), v) for k, v in counts.items()))
