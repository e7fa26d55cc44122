"""Patronymics: telling a patronymic (Олександрович, Oleksandrivna, Сергеевич, oğlu)
from other name tokens, and its key, the same in every language and script: the key
of the father's given name and the sex.
"""

from __future__ import annotations

from functools import cache, lru_cache

from svidok.domain.names_keys import _aliases, _folk_rows, _given_keys, _token_skeleton, name_key
from svidok.domain.names_scripts import skeleton

# Patronymic endings as skeletons, so one list serves Cyrillic and Latin:
# -ович/-евич/-ovych, -івна/-ivna, -овна, -ична; Crimean Tatar oğlu/qızı.
_PATRONYMIC_ENDINGS = ("ovich", "evich", "ivna", "ovna", "evna", "ichna", "oglu", "kizi")


@lru_cache(maxsize=1 << 18)
def is_patronymic(token: str) -> bool:
    """True for Олександрович, Oleksandrivna, Сергеевич, Ибраим oğlu-style tokens."""
    sk = _token_skeleton(token)
    return any(sk.endswith(e) and len(sk) > len(e) + 1 for e in _PATRONYMIC_ENDINGS[:6]) or (
        sk in _PATRONYMIC_ENDINGS[6:]
    ) or (sk.endswith("ich") and "~" in patronymic_key(token))  # Ілліч, Кузьмич, Ильич


# Endings of patronymics as skeletons, longest first, with the sex they mark; the
# stem left is the father's given name (Миколайович, Mykolaiovych, Николаевич ->
# "mikola"/"nikola" -> the key of Микола).
_PATRONYMIC_STEMS = (("inichna", "f"), ("levich", "m"), ("levna", "f"), ("iovich", "m"), ("ovich", "m"),
                     ("evich", "m"), ("ichna", "f"), ("ivna", "f"), ("ovna", "f"), ("evna", "f"), ("ich", "m"))
# Сергеевич and Алексеевич lose the й of Сергей, Алексей: try "ei" first.
_STEM_ENDINGS = ("ei", "i", "", "a", "o", "ia")
# Fathers' names that lose a vowel in the Ukrainian patronymic: Яків -> Якович, Яківна
# (Russian Яковлевич keeps it), Лев -> Львович. Without this, "iak" reads as Жак.
_SHORTENED_STEMS = {"iak": "iakov", "lv": "lev"}


@cache
def _folk_forms() -> frozenset[str]:
    return frozenset(skeleton(folk) for folk, _full in _folk_rows())


@lru_cache(maxsize=1 << 18)
def patronymic_key(token: str) -> str:
    """Key of a patronymic that is the same in every language and script: the key of
    the father's given name and the sex ("Миколайович", "Mykolaiovych", "Николаевич"
    -> "nikolai~m"; "Петрівна", "Петровна" -> "petr~f"). A token that does not read
    as a patronymic of a known given name keeps its :func:`name_key`."""
    sk = _token_skeleton(token)
    aliases, given = _aliases(), _given_keys()
    for ending, sex in _PATRONYMIC_STEMS:
        if sk.endswith(ending) and len(sk) > len(ending) + 1:
            stem = sk[: -len(ending)]
            stem = _SHORTENED_STEMS.get(stem, stem)
            # A folk form (Панасович: Панас) stands for its full name (Афанасій), read
            # from there as the Russian patronymic (Афанасьевич) is, before a rarer name
            # that the stem with an ending makes (Панасій).
            stem = next((aliases.get(stem + t, stem + t) for t in _STEM_ENDINGS if stem + t in _folk_forms()), stem)
            for tail in _STEM_ENDINGS:
                key = aliases.get(stem + tail, stem + tail)
                if key in given:
                    return f"{key}~{sex}"
    return name_key(token)


@lru_cache(maxsize=1 << 18)
def _feminine_patronymic(token: str) -> bool:
    return _token_skeleton(token).endswith(("ivna", "ovna", "evna", "ichna", "kizi"))
