"""Derived forms of a full name, the ones a reader expects to see: official Ukrainian
Latin, the Russian spelling and its passport romanisation, the common English form,
Crimean Tatar Latin and Cyrillic.

Transliteration comes from ``translitua`` (KMU 2010, Russian passport tables) and the
Ukrainian -> Russian name dictionary from ``names-translator``; the English forms and
the Crimean Tatar alphabet are Svidok's own data files under ``data/names/``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from svidok.domain.names_keys import _TOKEN_RE, _WORD_RE, _clean, _english_by_key, _generated_aliases, name_key
from svidok.domain.names_order import split_full_name
from svidok.domain.names_scripts import (
    crh_cyrillic_to_latin,
    crh_latin_to_cyrillic,
    has_cyrillic,
    looks_crimean_tatar,
    looks_russian,
    looks_ukrainian,
    skeleton,
)


@lru_cache(maxsize=1 << 16)
def _russian_word(word: str, category: str | None) -> str:
    from names_translator._text import normalize_key
    from names_translator.dicts import default_dicts

    pieces = []
    for piece in word.split("-"):  # double-barrelled names are looked up part by part
        found = default_dicts().lookup_key(normalize_key(piece), category, 1) if piece else []
        pieces.append(found[0] if found else piece)
    return "-".join(pieces)


def _to_russian(name: str) -> str:
    parts = split_full_name(name)
    roles = {}
    for part, category in ((parts.family, "last"), (parts.given, "first"), (parts.patronymic, "patronymic")):
        for w in _WORD_RE.findall(part or ""):
            roles[w] = category
    return _WORD_RE.sub(lambda m: _russian_word(m.group(0), roles.get(m.group(0))), _clean(name))


def _reads_russian(text: str) -> bool:
    """Whether Cyrillic ``text`` is spelled the Russian way.

    Letters decide when they can (ы э ё ъ vs і ї є ґ); otherwise the given name
    does: Николай or Григорий is not how a Ukrainian given name is spelled.
    """
    if looks_russian(text):
        return True
    if looks_ukrainian(text):
        return False
    given = split_full_name(text).given
    if not given:
        return False
    word = _WORD_RE.findall(given)[0]
    key = name_key(word)
    # Russian when the word is already the Russian form of a Ukrainian name
    # (Николай for Микола); a name spelled alike in both (Тарас) counts as Ukrainian.
    return skeleton(_clean(word)) == key and key in _generated_aliases()[1]


def _english(name: str, latin_of) -> str | None:
    known = False

    def word(m: re.Match) -> str:
        nonlocal known
        en = _english_by_key().get(name_key(m.group(0)))
        if en:
            known = True
            return en
        return latin_of(m.group(0))

    out = _TOKEN_RE.sub(word, _clean(name))
    return out if known else None


def name_forms(name: str, *, crimean_tatar: bool | None = None) -> dict[str, str]:
    """Derived forms of a full name; only the forms that apply are present.

    Keys: ``as_recorded`` always; ``uk_latin`` (KMU 2010, the official Ukrainian
    romanisation) for Ukrainian Cyrillic; ``ru_cyrillic`` and ``ru_latin`` (Russian
    passport romanisation) for Cyrillic; ``en`` when a token has a common English
    form; ``crh_latin`` and ``crh_cyrillic`` for Crimean Tatar names (detected from
    the letters, or forced with ``crimean_tatar=True``).
    """
    return dict(_name_forms(name, crimean_tatar))


@lru_cache(maxsize=1 << 14)
def _name_forms(name: str, crimean_tatar: bool | None) -> tuple[tuple[str, str], ...]:
    return tuple(_derive_forms(name, crimean_tatar).items())


def _derive_forms(name: str, crimean_tatar: bool | None) -> dict[str, str]:
    from translitua import RussianInternationalPassport, UkrainianKMU, translit

    forms = {"as_recorded": name}
    text = _clean(name).strip()
    if not text:
        return forms
    cyrillic = has_cyrillic(text)
    crh = looks_crimean_tatar(text) if crimean_tatar is None else crimean_tatar
    if crh:
        if cyrillic:
            forms["crh_cyrillic"], forms["crh_latin"] = text, crh_cyrillic_to_latin(text)
        else:
            forms["crh_latin"], forms["crh_cyrillic"] = text, crh_latin_to_cyrillic(text)
    if cyrillic:
        if _reads_russian(text):
            russian, en = text, None  # English forms here are of Ukrainian names
        else:
            forms["uk_latin"] = translit(text, UkrainianKMU)
            russian = _to_russian(text)
            en = _english(text, lambda w: translit(w, UkrainianKMU))
        forms["ru_cyrillic"] = russian
        forms["ru_latin"] = translit(russian, RussianInternationalPassport)
    else:
        en = _english(text, lambda w: w)
    if en and en != forms.get("uk_latin") and en != text:
        forms["en"] = en
    return forms
