"""Partial and approximate dates ("1957", "March 2022", "around 5 Apr 2022").

A :class:`PartialDate` is an interval of days: a year-only date covers every day of
that year, so queries compare intervals (``lo``/``hi``), never a fake 1 January.
Approximate dates widen the interval by one unit of their precision on each side.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

PRECISIONS = ("day", "month", "year")

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("jan", "january", "січ", "січня", "січень", "янв", "января", "январь"),
            ("feb", "february", "лют", "лютого", "лютий", "фев", "февраля", "февраль"),
            ("mar", "march", "бер", "березня", "березень", "мар", "марта", "март"),
            ("apr", "april", "кві", "квітня", "квітень", "апр", "апреля", "апрель"),
            ("may", "трав", "травня", "травень", "мая", "май"),
            ("jun", "june", "чер", "червня", "червень", "июн", "июня", "июнь"),
            ("jul", "july", "лип", "липня", "липень", "июл", "июля", "июль"),
            ("aug", "august", "сер", "серпня", "серпень", "авг", "августа", "август"),
            ("sep", "sept", "september", "вер", "вересня", "вересень", "сен", "сент", "сентября", "сентябрь"),
            ("oct", "october", "жов", "жовтня", "жовтень", "окт", "октября", "октябрь"),
            ("nov", "november", "лис", "листопада", "листопад", "ноя", "нояб", "ноября", "ноябрь"),
            ("dec", "december", "гру", "грудня", "грудень", "дек", "декабря", "декабрь"),
        ]
    )
    for name in names
}
_APPROX = re.compile(r"^(~|c\.|ca\.|circa|around|about|approx\.?|approximately|близько|приблизно)\s*", re.I)
# "2 квітня 1990 р.", "2 апреля 1990 г.", "1990 року", "1990 года": the year word goes.
_YEAR_WORD = re.compile(r"\s*(?:р\.|р|г\.|г|року|рік|года|год)\s*$", re.I)
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_WORDS = re.compile(r"^(?:(\d{1,2})\s+)?([^\W\d_]+)\.?,?\s+(\d{4})$")
_WORDS_MDY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")


class DateError(ValueError):
    """A date that cannot be read or cannot exist; the message says why."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to a precision of a day, a month or a year, maybe approximately."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise DateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"month {self.month} does not exist")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]  # type: ignore[arg-type]
            if not 1 <= self.day <= last:
                raise DateError(f"day {self.day} does not exist in {self.year:04d}-{self.month:02d}")

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def exact_lo(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def exact_hi(self) -> date:
        if self.day:
            return date(self.year, self.month, self.day)  # type: ignore[arg-type]
        if self.month:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, 12, 31)

    @property
    def lo(self) -> date:
        """First day the date can be (widened by one unit if approximate)."""
        if not self.approximate:
            return self.exact_lo
        return _shift(self.exact_lo, self.precision, -1)

    @property
    def hi(self) -> date:
        """Last day the date can be (widened by one unit if approximate)."""
        if not self.approximate:
            return self.exact_hi
        return _shift(self.exact_hi, self.precision, +1)

    def overlaps(self, lo: date, hi: date) -> bool:
        return self.lo <= hi and self.hi >= lo

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return ("~" if self.approximate else "") + text

    def to_iso(self) -> str:
        """Canonical text form, e.g. ``1957``, ``2022-03``, ``~2022-04-05``; ``parse`` reads it back."""
        return str(self)


def _shift(d: date, precision: str, sign: int) -> date:
    if precision == "day":
        return d + timedelta(days=7 * sign)
    if precision == "month":
        return d + timedelta(days=31 * sign)
    try:
        return d.replace(year=d.year + sign)
    except ValueError:  # 29 February
        return d.replace(year=d.year + sign, day=28)


def parse(text: str | date | PartialDate) -> PartialDate:
    """Read a partial date; raises :class:`DateError` naming what is wrong.

    Accepts ISO (``2022``, ``2022-03``, ``2022-03-05``), ``05.03.2022``, ``March 2022``,
    ``5 Apr 2022``, ``Apr 5, 2022``, Ukrainian and Russian month names ("2 квітня 1990 р.",
    "2 апреля 1990 г."), and a prefix ``~``,
    ``around``, ``about``, ``c.``, ``близько`` marking it approximate.
    """
    if isinstance(text, PartialDate):
        return text
    if isinstance(text, date):
        return PartialDate(text.year, text.month, text.day)
    if not isinstance(text, str):
        raise DateError(f"expected a date as text, got {type(text).__name__}")
    s = text.strip()
    if not s:
        raise DateError("empty date")
    approximate = False
    m = _APPROX.match(s)
    if m:
        approximate = True
        s = s[m.end() :].strip()
    if s.endswith("?"):
        approximate = True
        s = s[:-1].strip()
    s = _YEAR_WORD.sub("", s) if s[-1:].isalpha() or s.endswith(".") else s
    try:
        if m := _ISO.match(s):
            y, mo, d = m.groups()
            return PartialDate(int(y), int(mo) if mo else None, int(d) if d else None, approximate)
        if m := _DMY.match(s):
            d, mo, y = m.groups()
            return PartialDate(int(y), int(mo), int(d), approximate)
        if m := _WORDS.match(s):
            d, name, y = m.groups()
            return PartialDate(int(y), _month(name, text), int(d) if d else None, approximate)
        if m := _WORDS_MDY.match(s):
            name, d, y = m.groups()
            return PartialDate(int(y), _month(name, text), int(d), approximate)
    except DateError as exc:
        raise DateError(f"{text!r}: {exc}") from None
    raise DateError(f"{text!r} is not a date (use e.g. 2022, 2022-03, 2022-03-05, 'March 2022', '~2022-04-05')")


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name.lower().rstrip("."))
    if month is None:
        raise DateError(f"unknown month {name!r}")
    return month


def parse_optional(text: str | date | PartialDate | None) -> PartialDate | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse(text)


def age_on(birth: PartialDate, on: date) -> tuple[int, int]:
    """Youngest and oldest possible age in whole years on a given day."""

    def years(b: date) -> int:
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    return years(birth.hi), years(birth.lo)
