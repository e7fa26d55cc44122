"""The declarative mapping file of a spreadsheet import (YAML; see docs/import.md).

A mapping says which column fills which field, how a column's values translate into
vocabulary terms, which date formats to try, what to use when a cell is empty, and
which columns identify a row, an incident, a person and a source (the *source keys*
that make re-runs add nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: What each field of each part is: its kind (how a cell is read) and, for terms, the vocabulary.
FIELDS: dict[str, dict[str, tuple[str, str | None]]] = {
    "incident": {
        "title": ("text", None), "narrative": ("text", None), "narrative_uk": ("text", None),
        "date_start": ("date", None), "date_end": ("date", None), "place": ("place", None),
        "lat": ("lat", None), "lon": ("lon", None), "location_precision": ("term", "location_precision"),
        "verification_status": ("term", "verification_status"), "confidentiality": ("term", "confidentiality"),
    },
    "act": {
        "violation_type": ("term", "violation_types"), "means": ("term", "means"), "description": ("text", None),
        "date_start": ("date", None), "qualifications": ("terms", "legal_provisions"),
        "perpetrator": ("text", None), "perpetrator_mode": ("term", "perpetrator_modes"),
    },
    "victim": {
        "harm": ("term", "harms"), "status": ("term", "person_status"), "sex": ("term", "sex"),
        "age": ("age", None), "count": ("count", None), "group_description": ("text", None),
        "characteristics": ("terms", "victim_characteristics"),
    },
    "person": {
        "full_name": ("text", None), "family_name": ("text", None), "given_name": ("text", None),
        "patronymic": ("text", None), "sex": ("term", "sex"), "birth_date": ("date", None),
        "status": ("term", "person_status"), "life_status": ("term", "life_status"),
        "characteristics": ("terms", "victim_characteristics"), "residence_place": ("place", None),
        "address": ("secret", None), "contact": ("secret", None), "notes": ("text", None),
        "confidentiality": ("term", "confidentiality"),
    },
    "source": {
        "kind": ("term", "source_types"), "description": ("text", None), "pseudonym": ("text", None),
        "reliability": ("term", "source_reliability"), "credibility": ("term", "information_credibility"),
        "url": ("text", None), "identity": ("secret", None), "contact": ("secret", None),
        "consent_contact": ("bool", None), "consent_share_prosecutors": ("bool", None),
        "consent_publish": ("bool", None), "risk": ("term", "source_risks"),
        "confidentiality": ("term", "confidentiality"),
    },
}
#: Fields a part cannot do without (when the part is mapped at all).
REQUIRED = {"incident": ("title", "date_start"), "act": ("violation_type",), "victim": ("harm",),
            "person": ("full_name",), "source": ("kind",)}
PARTS = tuple(FIELDS)


class MappingError(ValueError):
    """The mapping file itself is wrong (the message names the entry)."""


class FieldSpec(BaseModel):
    """Where a field's value comes from: a column, a template over columns, or a constant."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = None
    #: Several columns: the first non-empty one wins (e.g. settlement, then raion, then oblast).
    columns: list[str] | None = None
    #: Python format string over column names, e.g. "{Type} in {Settlement}".
    template: str | None = None
    value: Any = None
    #: Cell text -> vocabulary code (matched case-insensitively, after trimming).
    values: dict[str, Any] = Field(default_factory=dict)
    default: Any = None
    #: With ``values``: what a cell not listed there becomes ("" = left empty) instead of an error.
    otherwise: Any = None
    #: strptime formats tried before Svidok's own date reader.
    formats: list[str] | None = None
    #: Split a cell into several terms (for lists such as characteristics).
    split: str | None = None
    #: With ``split``: take only this piece (0-based), e.g. latitude from "50.0|36.2".
    index: int | None = None

    def sources(self) -> list[str]:
        return ([self.column] if self.column else []) + list(self.columns or [])


class Keys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row: list[str] = Field(default_factory=list)
    incident: list[str] = Field(default_factory=list)
    person: list[str] = Field(default_factory=list)
    source: list[str] = Field(default_factory=list)

    @field_validator("*", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Stored as ``import_source`` on every record: with the keys, what makes re-runs add nothing.
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    format: Literal["csv", "xlsx"] | None = None
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | None = None
    header_row: int = Field(1, ge=1)
    date_formats: list[str] = Field(default_factory=list)
    #: Synthetic test data must say so (it is marked ``synthetic`` in the database).
    synthetic: bool = False
    keys: Keys = Field(default_factory=Keys)
    incident: dict[str, FieldSpec] = Field(default_factory=dict)
    act: dict[str, FieldSpec] = Field(default_factory=dict)
    victim: dict[str, FieldSpec] = Field(default_factory=dict)
    person: dict[str, FieldSpec] = Field(default_factory=dict)
    source: dict[str, FieldSpec] = Field(default_factory=dict)
    #: Rows to leave out (counted, not reported as problems): column -> values, e.g. {event_type: [Protests]}.
    skip: dict[str, list[str]] = Field(default_factory=dict)
    batch_size: int = Field(5000, ge=1, le=100_000)

    @field_validator("incident", "act", "victim", "person", "source", mode="before")
    @classmethod
    def _short_form(cls, v: Any) -> Any:
        # "title: Title" is short for "title: {column: Title}"
        if isinstance(v, dict):
            return {k: ({"column": s} if isinstance(s, str) else s) for k, s in v.items()}
        return v

    def part(self, name: str) -> dict[str, FieldSpec]:
        return getattr(self, name)

    def columns_used(self) -> set[str]:
        used = set(self.keys.row + self.keys.incident + self.keys.person + self.keys.source) | set(self.skip)
        for part in PARTS:
            for spec in self.part(part).values():
                used.update(spec.sources())
                if spec.template:
                    import string

                    used.update(f for _, f, _, _ in string.Formatter().parse(spec.template) if f)
        return used

    def check(self, header: list[str]) -> list[str]:
        """Problems of the mapping against a file's header (empty when it fits)."""
        problems = []
        for part in PARTS:
            fields = self.part(part)
            for name in fields:
                if name not in FIELDS[part]:
                    problems.append(f"{part}.{name}: not a field (known: {', '.join(FIELDS[part])})")
            if fields:
                for req in REQUIRED[part]:
                    if req not in fields:
                        problems.append(f"{part}.{req}: required when '{part}' is mapped")
        if not self.incident:
            problems.append("incident: the mapping must fill at least incident.title and incident.date_start")
        have = set(header)
        for col in sorted(self.columns_used()):
            if col not in have:
                problems.append(f"column {col!r} is not in the file (columns: {', '.join(h for h in header if h)})")
        return problems


def load(path: Path | str) -> Mapping:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path.name}: cannot read the mapping: {exc}") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path.name}: a mapping is a YAML object (name:, keys:, incident:, …)")
    data.setdefault("name", path.stem)
    return parse(data, path.name)


def parse(data: dict, origin: str = "mapping") -> Mapping:
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise MappingError(f"{origin}: " + "; ".join(lines)) from None


def _line_of(node: Any, loc: tuple) -> int | None:
    """The line (1-based) of the entry at ``loc`` (keys and list indexes) in a composed YAML tree:
    as deep as the path goes, so an error inside an entry points at that entry."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if hit is None:
                break
            line = next(k.start_mark.line + 1 for k, v in node.value if v is hit)
            node = hit
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def check_text(text: str, name: str = "mapping") -> tuple[Mapping | None, list[dict]]:
    """A mapping written or edited by hand, checked without a file: (the mapping or None, problems).

    Each problem is ``{"line", "entry", "reason"}``: the line of the YAML text (1-based, or None),
    the entry ("incident.date_start") and what is wrong, for a person to correct in a text box.
    Structural problems that need no file (a part without its required fields) are included."""
    try:
        data = yaml.safe_load(text)
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = " ".join(str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x) or str(exc)
        return None, [{"line": mark.line + 1 if mark else None, "entry": "", "reason": f"not valid YAML: {reason}"}]
    if not isinstance(data, dict):
        return None, [{"line": 1, "entry": "", "reason": "a mapping is a YAML object (name:, keys:, incident:, …)"}]
    data.setdefault("name", name)
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        return None, [{"line": _line_of(tree, tuple(e["loc"])), "entry": ".".join(str(p) for p in e["loc"]),
                       "reason": e["msg"]} for e in exc.errors()]
    structural = [p for p in mapping.check(sorted(mapping.columns_used())) if not p.startswith("column ")]
    problems = []
    for p in structural:
        entry, _, reason = p.partition(": ")
        problems.append({"line": _line_of(tree, tuple(entry.split("."))), "entry": entry, "reason": reason})
    return (None if problems else mapping), problems
