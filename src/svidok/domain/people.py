"""Rules about people that do not need a database: age bands, derived characteristics."""

from __future__ import annotations

from svidok.domain.vocab import Vocabularies

CHILD_MAX_AGE = 17
OLDER_MIN_AGE = 60


def age_band(vocab: Vocabularies, age: int | None) -> str | None:
    """The age_bands term whose min..max holds ``age``."""
    if age is None:
        return None
    for term in vocab["age_bands"].terms.values():
        lo, hi = term.extra.get("min", 0), term.extra.get("max")
        if age >= lo and (hi is None or age <= hi):
            return term.code
    return None


def characteristics_at_age(codes: list[str], age: int | None) -> list[str]:
    """Add ``child`` / ``older_person`` implied by an age (never remove what a documenter set)."""
    out = list(dict.fromkeys(codes))
    if age is not None:
        if age <= CHILD_MAX_AGE and "child" not in out:
            out.append("child")
        if age >= OLDER_MIN_AGE and "older_person" not in out:
            out.append("older_person")
    return out


def pack(codes: list[str]) -> str:
    """Codes stored as "|a|b|" so that one LIKE '%|a|%' finds them on any engine."""
    return "|" + "".join(f"{c}|" for c in codes)


def unpack(text: str | None) -> list[str]:
    return [c for c in (text or "").split("|") if c]
