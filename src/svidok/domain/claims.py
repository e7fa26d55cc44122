"""Claim categories of the Register of Damage for Ukraine (RD4U) and which documented facts support them.

The categories are data (``svidok/data/claims/rd4u_categories.yaml``, or the file named by
``SVIDOK_CLAIM_CATEGORIES``) with their source and date, so an organisation updates them
as the Register opens new ones. :func:`supported` is pure: given the facts Svidok holds
about one person, the categories they support and the facts behind each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "claims" / "rd4u_categories.yaml"
FACT_KEYS = {"harms", "violation_types", "displacement_kinds", "custody", "forced_labour", "age"}
CLAIMANTS = {"victim", "family"}
#: Relationships a family member may be recorded with (``relationships`` of a category name some).
RELATIONSHIPS = ("parent", "spouse", "civil_partner", "child", "sibling", "grandparent", "grandchild",
                 "legal_guardian", "other")


class CategoriesError(ValueError):
    """The categories file is wrong (the message names the entry)."""


@dataclass(frozen=True)
class Category:
    code: str
    labels: dict[str, str]
    confirmed: bool
    claimant: str
    facts: dict
    form: tuple[str, ...]
    relationships: tuple[str, ...] = ()
    note: str | None = None

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Categories:
    register: str
    source: tuple[str, ...]
    as_of: str
    since: str
    eligibility: dict[str, str]
    categories: tuple[Category, ...]
    checklist: dict[str, dict[str, str]] = field(default_factory=dict)
    relationships: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, code: str) -> Category:
        for c in self.categories:
            if c.code == code:
                return c
        raise KeyError(code)


def load(path: Path | str | None = None) -> Categories:
    """The categories file, checked; CategoriesError naming the entry at fault."""
    path = Path(path) if path else SHIPPED
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CategoriesError(f"{path}: {exc}") from None
    for key in ("register", "source", "as_of", "categories", "checklist"):
        if key not in (data or {}):
            raise CategoriesError(f"{path.name}: missing {key!r}")
    checklist = data["checklist"]
    out, seen = [], set()
    for i, c in enumerate(data["categories"]):
        where = f"{path.name}: categories[{i}] ({c.get('code', '?')})"
        if not c.get("code") or not c.get("en") or not c.get("uk"):
            raise CategoriesError(f"{where}: needs code, en and uk")
        if c["code"] in seen:
            raise CategoriesError(f"{where}: code listed twice")
        seen.add(c["code"])
        if c.get("claimant") not in CLAIMANTS:
            raise CategoriesError(f"{where}: claimant must be one of {sorted(CLAIMANTS)}")
        unknown = set(c.get("facts") or {}) - FACT_KEYS
        if unknown:
            raise CategoriesError(f"{where}: unknown facts {sorted(unknown)} (known: {sorted(FACT_KEYS)})")
        missing = [k for k in c.get("form") or [] if k not in checklist]
        if missing:
            raise CategoriesError(f"{where}: form items {missing} are not in checklist:")
        bad = [r for r in c.get("relationships") or [] if r not in RELATIONSHIPS]
        if bad:
            raise CategoriesError(f"{where}: unknown relationships {bad}")
        out.append(Category(c["code"], {"en": c["en"], "uk": c["uk"]}, bool(c.get("confirmed", False)), c["claimant"],
                            dict(c.get("facts") or {}), tuple(c.get("form") or ()),
                            tuple(c.get("relationships") or ()), c.get("note")))
    return Categories(data["register"], tuple(str(s) for s in data["source"]), str(data["as_of"]),
                      str(data.get("since", "2022-02-24")), dict(data.get("eligibility") or {}), tuple(out), checklist,
                      {k: v for k, v in (data.get("relationships") or {}).items() if k in RELATIONSHIPS})


@dataclass(frozen=True)
class Fact:
    """One documented fact about a person: a victim of an act, a displacement, or a custody episode."""

    kind: str  # "act" | "displacement" | "custody"
    record: str  # e.g. "incident 12", "displacement 3", "custody 5"
    date_lo: str | None  # ISO day, for the Register's start date
    harm: str | None = None
    violation_type: str | None = None
    displacement_kind: str | None = None
    forced_labour: bool = False
    age: int | None = None
    place_id: int | None = None
    incident_id: int | None = None


def _age_ok(rule: str | None, age: int | None) -> bool:
    if rule is None:
        return True
    if age is None:
        return False
    return age < 18 if rule == "child" else age >= 18


def matches(c: Category, f: Fact) -> bool:
    """Whether fact ``f`` supports category ``c`` (any listed fact suffices; the age rule applies to all)."""
    rules = c.facts
    if not rules or not _age_ok(rules.get("age"), f.age):
        return False
    if f.kind == "act":
        return f.harm in rules.get("harms", ()) or f.violation_type in rules.get("violation_types", ())
    if f.kind == "displacement":
        return f.displacement_kind in rules.get("displacement_kinds", ()) or "displaced" in rules.get("harms", ()) \
            and f.displacement_kind in ("internally_displaced", "evacuated")
    if f.kind == "custody":
        return bool(rules.get("custody")) or bool(rules.get("forced_labour")) and f.forced_labour
    return False


def supported(cats: Categories, facts: list[Fact]) -> dict[str, list[Fact]]:
    """Category code -> the facts supporting it, for facts on or after the Register's start date."""
    out: dict[str, list[Fact]] = {}
    for f in facts:
        if f.date_lo is not None and f.date_lo < cats.since:
            continue
        for c in cats.categories:
            if matches(c, f):
                out.setdefault(c.code, []).append(f)
    return out
