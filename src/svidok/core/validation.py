"""Checks that need the vocabularies or the database (Pydantic checks the shapes first)."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.domain import dates
from svidok.domain.vocab import Vocabularies

#: Characters refused in every text field: C0 controls but tab, line feed and carriage return;
#: DEL and C1 controls; bidirectional embeddings, overrides and isolates (U+202A–U+202E,
#: U+2066–U+2069), which make "photo‮gpj.exe" read as "photoexe.jpg" and can reorder a
#: record's words on screen. Marks of direction (U+200E/U+200F) stay: right-to-left names need them.
UNSAFE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
)


def unsafe_character(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None."""
    for ch in text:
        if ch in UNSAFE_CHARACTERS:
            return f"U+{ord(ch):04X}"
    return None


def unsafe_reason(text: str) -> str | None:
    found = unsafe_character(text)
    return None if found is None else (f"contains a control or text-direction character ({found}); "
                                       "remove it and send the text again")


def check_texts(**fields: str | None) -> None:
    """ValidationFailed naming every field whose text holds a refused character."""
    errors = [FieldError(name, reason) for name, value in fields.items()
              if isinstance(value, str) and (reason := unsafe_reason(value))]
    if errors:
        raise ValidationFailed(errors)


def from_pydantic(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    """Pydantic's errors as field errors with dotted paths ("acts[0].victims[1].harm")."""
    out = []
    for err in exc.errors():
        path = prefix
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        out.append(FieldError(path or "body", pydantic_reason(err)))
    return ValidationFailed(out)


def pydantic_reason(err: dict) -> str:
    """One of Pydantic's errors in words the interface translates (the common kinds; others as
    Pydantic says them, "Value error, " dropped)."""
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "missing":
        return M_("required")
    if kind in ("string_too_long", "too_long") and "max_length" in ctx:
        return M_("at most %(max_length)s characters", max_length=ctx["max_length"]) if kind == "string_too_long" \
            else M_("at most %(max_length)s items", max_length=ctx["max_length"])
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return M_("required")
    if kind == "string_too_short" and "min_length" in ctx:
        return M_("at least %(min_length)s characters", min_length=ctx["min_length"])
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return M_("a whole number")
    if kind in ("float_parsing", "float_type"):
        return M_("a number")
    if kind in ("bool_parsing", "bool_type"):
        return M_("true or false")
    bounds = {"greater_than_equal": ("ge", M_("at least %(limit)s")), "less_than_equal": ("le", M_("at most %(limit)s")),
              "greater_than": ("gt", M_("more than %(limit)s")), "less_than": ("lt", M_("less than %(limit)s"))}
    if kind in bounds and bounds[kind][0] in ctx:
        key, said = bounds[kind]
        return M_(said.msgid, limit=ctx[key])
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return M_("must be one of %(items)s", items=ctx["expected"])
    return err["msg"].removeprefix("Value error, ")


#: Records a reference may name ("person 12 not found"), in words the interface translates.
_NAMED = {
    "case": lambda i: M_("case %(id)s", id=i), "custody episode": lambda i: M_("custody episode %(id)s", id=i),
    "incident": lambda i: M_("incident %(id)s", id=i), "intervention": lambda i: M_("intervention %(id)s", id=i),
    "organisation": lambda i: M_("organisation %(id)s", id=i), "person": lambda i: M_("person %(id)s", id=i),
    "source": lambda i: M_("source %(id)s", id=i),
}


class Checker:
    """Collects every problem of one input before anything is written.

    ``actor`` is who writes: a reference to a record they may not see is refused with
    the very words of a reference to a missing one (need-to-know applies to writes).
    """

    def __init__(self, vocab: Vocabularies, session: Session, actor: Actor | None = None):
        self.vocab = vocab
        self.session = session
        self.actor = actor
        self.errors: list[FieldError] = []

    def term(self, vocabulary: str, code: str | None, field: str) -> None:
        if code is not None and code not in self.vocab[vocabulary]:
            known = sorted(self.vocab[vocabulary].terms)
            hint = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
            self.errors.append(FieldError(field, M_("unknown %(vocabulary)s term %(code)r (known: %(hint)s)", vocabulary=vocabulary, code=code, hint=hint)))

    def terms(self, vocabulary: str, codes: list[str], field: str) -> None:
        for i, code in enumerate(codes):
            self.term(vocabulary, code, f"{field}[{i}]")

    def exists(self, model, ident: int | None, field: str, what: str) -> None:
        """``ident`` names a record of ``model`` the actor may see (else: "not found", hidden or missing)."""
        if ident is None:
            return
        if self.actor is None:
            raise TypeError("a reference check needs the actor (Checker(vocab, session, actor))")
        found = select(model.id).where(model.id == ident, access.readable(model, self.actor))
        if self.session.scalar(found) is None:
            named = _NAMED[what](ident) if what in _NAMED else f"{what} {ident}"
            self.errors.append(FieldError(field, M_("%(what)s not found", what=named)))

    def not_future(self, text: str | None, field: str) -> None:
        if text and dates.parse(text).exact_lo > date.today():
            self.errors.append(FieldError(field, M_("%(text)s is in the future", text=text)))

    def order(self, start: str | None, end: str | None, field: str) -> None:
        if start and end and dates.parse(end).hi < dates.parse(start).lo:
            self.errors.append(FieldError(field, M_("ends (%(end)s) before it starts (%(start)s)", end=end, start=start)))

    def add(self, field: str, reason: str) -> None:
        self.errors.append(FieldError(field, reason))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
