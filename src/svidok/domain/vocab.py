"""Vocabularies: versioned YAML files with English and Ukrainian labels.

The shipped files live in ``svidok/data/vocab``; a deployment adds folders
(``SVIDOK_VOCAB_DIRS``) whose files add terms to, or relabel terms of, a vocabulary
without code changes. Codes are stable; labels may change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "vocab"


class UnknownTerm(ValueError):
    """A code that is not in its vocabulary."""

    def __init__(self, vocabulary: str, code: str, known: Iterable[str]):
        known = sorted(known)
        hint = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
        super().__init__(f"unknown {vocabulary} term {code!r} (known: {hint})")
        self.vocabulary = vocabulary
        self.code = code


@dataclass(frozen=True)
class Term:
    code: str
    labels: dict[str, str]
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.code


@dataclass
class Vocabulary:
    name: str
    version: int
    terms: dict[str, Term]
    description: dict[str, str] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    def check(self, code: str) -> str:
        if code not in self.terms:
            raise UnknownTerm(self.name, code, self.terms)
        return code


class Vocabularies:
    """All vocabularies of an installation, by name."""

    def __init__(self, vocabularies: dict[str, Vocabulary]):
        self._v = vocabularies

    def __getitem__(self, name: str) -> Vocabulary:
        try:
            return self._v[name]
        except KeyError:
            raise KeyError(f"no vocabulary named {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._v

    def names(self) -> list[str]:
        return sorted(self._v)

    def check(self, name: str, code: str) -> str:
        return self[name].check(code)

    def label(self, name: str, code: str | None, lang: str = "en") -> str:
        if code is None:
            return ""
        term = self._v.get(name, Vocabulary(name, 0, {})).terms.get(code)
        return term.label(lang) if term else code

    def violation_types_for_provision(self, provision: str) -> list[str]:
        """Violation types that may qualify under a legal provision."""
        return [t.code for t in self["violation_types"].terms.values() if provision in t.extra.get("provisions", ())]

    def families(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for t in self["violation_types"].terms.values():
            out.setdefault(t.extra.get("family", "other"), []).append(t.code)
        return out


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or "terms" not in data:
        raise ValueError(f"{path}: not a vocabulary file (needs 'vocabulary' and 'terms')")
    return data


def load(extra_dirs: Iterable[Path] = ()) -> Vocabularies:
    """Load the shipped vocabularies, then the deployment's additions in order."""
    vocabs: dict[str, Vocabulary] = {}
    for folder in [SHIPPED_DIR, *map(Path, extra_dirs)]:
        for path in sorted(folder.glob("*.yaml")):
            data = _read(path)
            name = data.get("vocabulary") or path.stem
            vocab = vocabs.setdefault(
                name, Vocabulary(name, int(data.get("version", 1)), {}, data.get("description") or {})
            )
            vocab.version = max(vocab.version, int(data.get("version", 1)))
            for raw in data["terms"]:
                code = str(raw["code"])
                labels = {k: v for k, v in raw.items() if k in ("en", "uk") and v}
                extra = {k: v for k, v in raw.items() if k not in ("code", "en", "uk")}
                if code in vocab.terms:  # a deployment relabels or extends a shipped term
                    old = vocab.terms[code]
                    labels = {**old.labels, **labels}
                    extra = {**old.extra, **extra}
                vocab.terms[code] = Term(code, labels, extra)
    return Vocabularies(vocabs)
