"""Name order: a full name split into family name, given name(s) and patronymic,
whichever order the record wrote them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from svidok.domain.names_keys import _WORD_RE, _clean, _given_keys, _unjoin, diminutive_base, is_given_name, name_key
from svidok.domain.names_patronymics import _feminine_patronymic, is_patronymic, patronymic_key
from svidok.domain.names_scripts import has_cyrillic


@cache
def _given_deletes() -> tuple[frozenset[str], frozenset[str]]:
    """(known given-name keys of four letters or more with one letter dropped, those
    keys and their one-letter drops together)."""
    drops = frozenset(k[:i] + k[i + 1:] for k in _given_keys() if len(k) >= 4 for i in range(len(k)))
    return drops, drops | _given_keys()


@lru_cache(maxsize=1 << 18)
def _near_given_name(token: str) -> bool:
    """True when the token is one typo (a letter added, dropped, changed or two swapped)
    from a known given name of four letters or more; only to tell the name order."""
    key = name_key(token)
    if len(key) < 4:
        return False
    drops, both = _given_deletes()
    return key in drops or any(key[:i] + key[i + 1:] in both for i in range(len(key)))


@dataclass(frozen=True)
class NameParts:
    """A full name split into family name, given name(s) and patronymic (None if absent)."""

    family: str | None
    given: str | None
    patronymic: str | None


#: The two orders a list writes full names in (:func:`name_order`).
GIVEN_FIRST, FAMILY_FIRST = "given first", "family first"


def split_full_name(text: str, order: str | None = None) -> NameParts:
    """Split "Прізвище Ім'я По батькові", "Ім'я По батькові Прізвище", "Given Family"
    or "Family, Given Patronymic" into parts.

    The order is read from the patronymic's position, then from the one word written
    in capitals ("SOROKA Hanna"), then from which word is a known given name; a word
    that cannot be placed goes to ``family``. With initials ("Витко Р. В.", "О.
    Шевченко") the one full word is the family name and the first initial the given
    name; a patronymic's initial is dropped. Where the words do not tell (both or
    neither a known given name: "Олексій Мартин", "Хрцстина Довгалега"), ``order``
    decides (``GIVEN_FIRST`` or ``FAMILY_FIRST``: the habit of the list the name
    comes from, see :func:`name_order`); without it Cyrillic names are read family
    first and Latin ones given first.
    """
    return _split(text, order)[0]


def read_full_name(text: str, order: str | None = None) -> tuple[NameParts, str | None]:
    """:func:`split_full_name` and, beside it, the order the name showed by itself
    (:func:`name_order`; None when the order was only guessed)."""
    return _split(text, order)


def name_order(text: str) -> str | None:
    """The order a full name shows by itself (``GIVEN_FIRST`` or ``FAMILY_FIRST``):
    from a patronymic's position, a family name in capitals, a comma, or one word
    that is a known given name and one that is not; None when only a guess could tell.
    A list's habit is the order most of its names show."""
    return _split(text, None)[1]


# A Latin initial of two letters for one Cyrillic letter ("Koval Yu. V.", "Zh."): one letter.
_LATIN_INITIAL_RE = re.compile(r"\b(Yu|Ya|Ye|Yi|Zh|Kh|Ch|Sh|Ts)\.", re.IGNORECASE)


def _split(text: str, order: str | None) -> tuple[NameParts, str | None]:
    """The parts of a full name, and the order its words showed (None if guessed)."""
    text = _LATIN_INITIAL_RE.sub(lambda m: m.group(1)[0] + ".", _unjoin(_clean(text or ""))).strip()
    if "," in text:
        family, _, rest = text.partition(",")
        words = _WORD_RE.findall(rest)
        patr = words[-1] if len(words) > 1 and is_patronymic(words[-1]) else None
        given_words = words[:-1] if patr else words
        return NameParts(family.strip() or None, " ".join(given_words) or None, patr), FAMILY_FIRST
    words = _WORD_RE.findall(text)
    full = [w for w in words if len(w) > 1]
    if full and len(full) < len(words):  # initials: "Витко Р. В.", "О. Шевченко"
        if len(full) == 1:
            return NameParts(full[0], next(w for w in words if len(w) == 1), None), None
        words = full
    n = len(words)
    if n == 0:
        return NameParts(None, None, None), None
    if n == 1:
        w = words[0]
        return (NameParts(None, w, None) if is_given_name(w) else NameParts(w, None, None)), None
    # -ович/-евич are also common family names (Дашкевич), so with only two words
    # just the feminine endings, which no family name has, mark a patronymic.
    patr_at = [i for i, w in enumerate(words) if is_patronymic(w) and (n > 2 or _feminine_patronymic(w))]
    if len(patr_at) > 1:
        # Two words read as patronymics ("Осатп Андреевич Чусович"): the one made from a
        # known given name is, and a woman's (-івна, -овна) before a family name in -ович.
        strong = [i for i in patr_at if "~" in patronymic_key(words[i])]
        patr_at = [i for i in strong if _feminine_patronymic(words[i])] or strong or patr_at
    if n >= 3 and patr_at and patr_at[-1] == n - 1 and not is_given_name(words[0]):
        return NameParts(words[0], " ".join(words[1:-1]), words[-1]), FAMILY_FIRST
    if patr_at and patr_at[0] == 1:
        return NameParts(" ".join(words[2:]) or None, words[0], words[1]), (GIVEN_FIRST if n > 2 else None)
    if n >= 3 and patr_at and patr_at[-1] == n - 1:
        return NameParts(words[0], " ".join(words[1:-1]), words[-1]), None
    capitals = [i for i, w in enumerate(words) if w.isupper()]
    if len(capitals) == 1:  # "SOROKA Hanna", "TARAS Yuliia": lists write the family name in capitals
        i = capitals[0]
        shown = FAMILY_FIRST if i == 0 else GIVEN_FIRST if i == n - 1 else None
        return NameParts(words[i], " ".join(words[:i] + words[i + 1:]), None), shown
    first_given, last_given = is_given_name(words[0]), is_given_name(words[-1])
    known = first_given != last_given  # one known given name and one word that is not: the order shows
    if n == 2 and not (first_given or last_given):
        # A diminutive no table lists ("Борисько Хадзик"): one word made with a common
        # suffix from a known name and the other not tells more than a word one typo from
        # a given name (Хадзик). Only here: family names end in -ко and -ик too.
        first_dim, last_dim = bool(diminutive_base(words[0])), bool(diminutive_base(words[-1]))
        if first_dim != last_dim:
            first_given, last_given = first_dim, last_dim
    if first_given == last_given and n == 2:  # a typo in the given name ("Ігро Заїкосський")
        first_given, last_given = _near_given_name(words[0]), _near_given_name(words[-1])
    if first_given and not last_given:
        return NameParts(" ".join(words[1:]), words[0], None), (GIVEN_FIRST if known else None)
    if last_given and not first_given:
        return NameParts(words[0], " ".join(words[1:]), None), (FAMILY_FIRST if known else None)
    # Both or neither known: the list's habit, else Cyrillic records put the family
    # name first and Latin ones last.
    if order == GIVEN_FIRST or (order is None and not has_cyrillic(text)):
        return NameParts(words[-1], " ".join(words[:-1]), None), None
    return NameParts(words[0], " ".join(words[1:]), None), None
