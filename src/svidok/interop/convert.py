"""Turning one spreadsheet row into checked field values, or into the reasons it cannot be.

Every field of a mapping is compiled once into a small reader; readers cache their
answer per distinct cell text (a file of a million rows has a few thousand distinct
places, dates and terms), so validation runs at the speed of reading the file.
Vocabulary messages come from :class:`svidok.core.validation.Checker`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from svidok.core.validation import Checker
from svidok.domain import dates
from svidok.domain.vocab import Vocabularies

from .mapping import FIELDS, PARTS, FieldSpec, Mapping

#: A place reference -> (place id, lat, lon, level); raises ValueError with the reason when unknown.
PlaceLookup = Callable[[str], tuple[int, float | None, float | None, str]]
_TRUE = {"1", "true", "yes", "y", "x", "так", "т", "да", "+"}
_FALSE = {"0", "false", "no", "n", "ні", "н", "нет", "-"}
_TEXT_LIMIT = {"title": 300, "full_name": 300, "family_name": 150, "given_name": 150, "patronymic": 150,
               "group_description": 300, "perpetrator": 300, "pseudonym": 60, "url": 2000, "identity": 300,
               "contact": 300, "address": 300}


class BadValue(ValueError):
    pass


_MISS = object()


@dataclass
class Problem:
    row: int
    field: str
    reason: str
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where} ({self.field}): {self.reason}"


@dataclass
class ParsedRow:
    number: int
    row_key: str
    incident_key: str
    person_key: str | None
    source_key: str | None
    parts: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)


class TermIndex:
    """Codes and their English and Ukrainian labels, case-insensitive, per vocabulary."""

    def __init__(self, vocab: Vocabularies):
        self.vocab = vocab
        self._index: dict[str, dict[str, str]] = {}

    def lookup(self, vocabulary: str, text: str) -> str | None:
        idx = self._index.get(vocabulary)
        if idx is None:
            idx = {}
            for term in self.vocab[vocabulary].terms.values():
                for label in term.labels.values():
                    idx.setdefault(label.strip().lower(), term.code)
            for code in self.vocab[vocabulary].terms:
                idx[code.lower()] = code
            self._index[vocabulary] = idx
        return idx.get(text.strip().lower())

    def unknown(self, vocabulary: str, text: str, field_name: str) -> str:
        c = Checker(self.vocab, None)  # type: ignore[arg-type] - term() needs no session
        c.term(vocabulary, text, field_name)
        return c.errors[0].reason


def parse_date(text: str, formats: list[str]) -> str:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        d = dates.parse(text)
    except dates.DateError as exc:
        raise BadValue(str(exc)) from None
    if d.exact_lo > date.today():
        raise BadValue(f"{text} is in the future")
    return d.to_iso()


class FieldReader:
    """Reads one field from a raw row: column(s) or template, values map, default, kind."""

    def __init__(self, part: str, name: str, spec: FieldSpec, header: dict[str, int], mapping: Mapping,
                 terms: TermIndex, places: PlaceLookup):
        self.part, self.name, self.spec = part, name, spec
        self.kind, self.vocabulary = FIELDS[part][name]
        self.label = f"{part}.{name}"
        self.indexes = [header[c] for c in spec.sources()]
        self.columns = spec.sources()
        self.template = spec.template
        self.template_fields = [(f, header[f]) for _, f, _, _ in string.Formatter().parse(spec.template or "") if f]
        self.values = {str(k).strip().lower(): v for k, v in spec.values.items()}
        self.formats = list(spec.formats or mapping.date_formats)
        self.terms, self.places = terms, places
        self.cache: dict[str, Any] = {}
        # The fast path of RowConverter.convert: one column, no template.
        self.simple = self.template is None and len(self.indexes) == 1 and spec.index is None and spec.otherwise is None
        self.idx = self.indexes[0] if self.indexes else -1
        fallback = spec.value if spec.value is not None else spec.default
        self.fallback = None if fallback is None else str(fallback)
        self.is_text = self.kind in ("text", "secret")
        self.limit = _TEXT_LIMIT.get(name, 100_000)

    def raw(self, row: list[str]) -> tuple[str, str | None]:
        """The cell text and the column it came from."""
        if self.template is not None:
            values = {f: (row[i].strip() if i < len(row) else "") for f, i in self.template_fields}
            if not any(values.values()):
                return "", None
            return self.template.format_map(values).strip(), None
        for col, i in zip(self.columns, self.indexes):
            text = row[i].strip() if i < len(row) else ""
            if text and self.spec.index is not None:
                pieces = text.split(self.spec.split or "|")
                text = pieces[self.spec.index].strip() if self.spec.index < len(pieces) else ""
            if text:
                return text, col
        return "", self.columns[0] if self.columns else None

    def read(self, row: list[str]) -> tuple[Any, str | None, str, bool]:
        """(value, column, text, whether the text came from a cell rather than a default)."""
        if self.kind == "place" and len(self.indexes) > 1:
            return self._first_place(row)
        text, column = self.raw(row)
        if text and self.spec.otherwise is not None and text.lower() not in self.values:
            text = str(self.spec.otherwise)
        from_cell = bool(text)
        if not text:
            if self.spec.value is not None:
                text = str(self.spec.value)
            elif self.spec.default is not None:
                text = str(self.spec.default)
            else:
                return None, column, text, False
        try:
            return self.cache[text], column, text, from_cell
        except KeyError:
            pass
        value = self.convert(text)  # BadValue propagates; bad values are not cached (rare)
        if len(self.cache) < 200_000:
            self.cache[text] = value
        return value, column, text, from_cell

    def _first_place(self, row: list[str]) -> tuple[Any, str | None, str, bool]:
        """Several place columns (village, raion, oblast): the first that the gazetteer knows."""
        first: BadValue | None = None
        for col, i in zip(self.columns, self.indexes):
            text = row[i].strip() if i < len(row) else ""
            if not text:
                continue
            try:
                value = self.cache[text] if text in self.cache else self.convert(text)
            except BadValue as exc:
                first = first or exc
                continue
            self.cache[text] = value
            return value, col, text, True
        if first is not None:
            raise first
        return None, None, "", False

    def _term(self, text: str) -> str:
        mapped = self.values.get(text.lower())
        if mapped is not None:
            text = str(mapped)
        code = self.terms.lookup(self.vocabulary, text)
        if code is None:
            raise BadValue(self.terms.unknown(self.vocabulary, text, self.label))
        return code

    def convert(self, text: str) -> Any:
        k = self.kind
        if k in ("text", "secret"):
            limit = _TEXT_LIMIT.get(self.name, 100_000)
            if len(text) > limit:
                raise BadValue(f"longer than {limit} characters ({len(text)})")
            return text
        if k == "term":
            return self._term(text)
        if k == "terms":
            parts = [p for p in (text.split(self.spec.split) if self.spec.split else [text]) if p.strip()]
            return list(dict.fromkeys(self._term(p.strip()) for p in parts))
        if k == "date":
            return parse_date(text, self.formats)
        if k == "place":
            mapped = self.values.get(text.lower())
            try:
                return self.places(str(mapped) if mapped is not None else text)
            except ValueError as exc:
                raise BadValue(str(exc)) from None
        if k in ("lat", "lon"):
            try:
                v = float(text.replace(",", "."))
            except ValueError:
                raise BadValue(f"{text!r} is not a number") from None
            bound = 90 if k == "lat" else 180
            if not -bound <= v <= bound:
                raise BadValue(f"{v} is outside -{bound}..{bound}")
            return v
        if k in ("age", "count"):
            mapped = self.values.get(text.lower())
            try:
                v = int(float(str(mapped if mapped is not None else text).replace(",", ".")))
            except ValueError:
                raise BadValue(f"{text!r} is not a whole number") from None
            lo, hi = (0, 125) if k == "age" else (0, 1_000_000)  # a count of 0: no victim on that row
            if not lo <= v <= hi:
                raise BadValue(f"{v} is outside {lo}..{hi}")
            return v
        if k == "bool":
            t = str(self.values.get(text.lower(), text)).lower()
            if t in _TRUE:
                return True
            if t in _FALSE:
                return False
            raise BadValue(f"{text!r} is not yes/no (use yes, no, так, ні, 1, 0)")
        raise AssertionError(k)


class RowConverter:
    """Compiled mapping: ``convert(number, raw)`` gives a ParsedRow or the row's problems."""

    def __init__(self, mapping: Mapping, header: list[str], vocab: Vocabularies, places: PlaceLookup):
        index = {h: i for i, h in enumerate(header) if h}
        terms = TermIndex(vocab)
        self.mapping = mapping
        self.readers = [FieldReader(part, name, spec, index, mapping, terms, places)
                        for part in PARTS for name, spec in mapping.part(part).items()]
        self.key_cols = {k: [(c, index[c]) for c in getattr(mapping.keys, k)] for k in ("row", "incident", "person", "source")}
        self.has = {part: bool(mapping.part(part)) for part in PARTS}
        self.parts = [p for p in PARTS if self.has[p]]
        self.skip = [(index[c], {v.strip().lower() for v in vals}) for c, vals in mapping.skip.items()]

    def skipped(self, row: list[str]) -> bool:
        """Whether the mapping leaves this row out on purpose (``skip:``)."""
        return any(i < len(row) and row[i].strip().lower() in vals for i, vals in self.skip)

    @staticmethod
    def _key(row: list[str], cols: list[tuple[str, int]], number: int, problems: list[Problem], what: str) -> str | None:
        if not cols:
            return None
        values = [row[i].strip() if i < len(row) else "" for _, i in cols]
        if not all(values):
            empty = [c for (c, _), v in zip(cols, values) if not v]
            problems.append(Problem(number, f"keys.{what}", f"the {what} key is empty", column=empty[0], value=""))
            return None
        return "|".join(values)

    def convert(self, number: int, row: list[str]) -> tuple[ParsedRow | None, list[Problem]]:
        problems: list[Problem] = []
        parts: dict[str, dict[str, Any]] = {p: {} for p in self.parts}
        person_cells: list[str] = []
        victim_cells = False
        n = len(row)
        miss = _MISS
        for r in self.readers:
            if r.simple:  # inlined: this loop runs for every cell of a million-row file
                text = row[r.idx].strip() if r.idx < n else ""
                from_cell = bool(text)
                if not from_cell:
                    text = r.fallback
                    if text is None:
                        continue
                if r.is_text:
                    if len(text) > r.limit:
                        problems.append(Problem(number, r.label, f"longer than {r.limit} characters ({len(text)})",
                                                column=r.columns[0], value=text[:80]))
                        continue
                    value = text
                else:
                    value = r.cache.get(text, miss)
                    if value is miss:
                        try:
                            value = r.convert(text)
                        except BadValue as exc:
                            problems.append(Problem(number, r.label, str(exc), column=r.columns[0], value=text))
                            victim_cells = victim_cells or r.part == "victim"
                            continue
                        if len(r.cache) < 200_000:
                            r.cache[text] = value
            else:
                try:
                    value, _, text, from_cell = r.read(row)
                except BadValue as exc:
                    text, column = r.raw(row)
                    problems.append(Problem(number, r.label, str(exc), column=column, value=text))
                    victim_cells = victim_cells or r.part == "victim"
                    continue
                if value is None:
                    continue
            parts[r.part][r.name] = value
            if from_cell and r.part == "person":
                person_cells.append(r.name)
            elif from_cell and r.part == "victim":
                victim_cells = True
        # A victim needs at least one cell of its own: constants and defaults alone describe nobody.
        if "victim" in parts and not victim_cells:
            parts.pop("victim")
            problems = [p for p in problems if not p.field.startswith("victim.")]
        # A row names a person only when it has a name; other person cells without one are an error.
        if "person" in parts and "full_name" not in parts["person"]:
            if person_cells and not any(p.field.startswith("person.") for p in problems):
                problems.append(Problem(number, "person.full_name",
                                        f"person fields ({', '.join(person_cells)}) given without the person's name"))
            parts.pop("person")
        for part, required in (("incident", ("title", "date_start")), ("act", ("violation_type",)),
                               ("victim", ("harm",)), ("source", ("kind",))):
            if part in parts and (part != "source" or any(parts["source"].values())):
                for name in required:
                    if name not in parts[part] and not any(p.field == f"{part}.{name}" for p in problems):
                        spec = self.mapping.part(part)[name]
                        problems.append(Problem(number, f"{part}.{name}", "required, but the cell is empty",
                                                column=(spec.sources() or [None])[0], value=""))
        inc = parts.get("incident", {})
        if "date_start" in inc and "date_end" in inc and dates.parse(inc["date_end"]).hi < dates.parse(inc["date_start"]).lo:
            problems.append(Problem(number, "incident.date_end", f"ends ({inc['date_end']}) before it starts ({inc['date_start']})"))
        row_key = self._key(row, self.key_cols["row"], number, problems, "row") if self.key_cols["row"] else f"row:{number}"
        incident_key = self._key(row, self.key_cols["incident"], number, problems, "incident") if self.key_cols["incident"] else row_key
        person_key = source_key = None
        if parts.get("person"):
            person_key = self._key(row, self.key_cols["person"], number, problems, "person") if self.key_cols["person"] else row_key
        else:
            parts.pop("person", None)
        if parts.get("source"):
            source_key = self._key(row, self.key_cols["source"], number, problems, "source") if self.key_cols["source"] else incident_key
        else:
            parts.pop("source", None)
        if "victim" in parts and parts["victim"].get("count") == 0:
            parts.pop("victim")
        if problems:
            return None, problems
        return ParsedRow(number, row_key, incident_key, person_key, source_key, parts), problems
