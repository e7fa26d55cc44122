"""Rows of one table as tuples in storage form: the cheapest input of the bulk path.

A generator that knows its columns up front (the demo data) appends plain tuples instead
of one dict per row, and declares once the columns that hold the same value on every
row (version, timestamps, creator, most NULLs). The bulk path then writes the tuples as
they are (SQLite ``executemany``, PostgreSQL ``COPY``) with the constants as literals.
"""

from __future__ import annotations

from typing import Any


class Rows(list):
    """A list of tuples, one per row, whose values follow ``columns``.

    Values are in storage form: dates as ISO strings, JSON as text, booleans as 0/1, the
    forms SQLAlchemy's own conversions would store. ``constants`` maps further columns to
    the one value (a Python value, converted by the column's type) every row has.
    """

    __slots__ = ("columns", "constants")

    def __init__(self, columns: tuple[str, ...], constants: dict[str, Any] | None = None):
        super().__init__()
        self.columns = columns
        self.constants = dict(constants or {})

    def first(self, column: str) -> Any:
        """The value of ``column`` on the first row."""
        if column in self.constants:
            return self.constants[column]
        return self[0][self.columns.index(column)]

    def as_dicts(self) -> list[dict]:
        """The rows as dicts (for callers that read rows back; not for the hot path)."""
        return [{**dict(zip(self.columns, t)), **self.constants} for t in self]
