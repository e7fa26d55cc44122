"""Typos in names, mended from the records themselves.

A typo makes a name key that few records have: "Владимр" beside thousands of
"Владимир", "Бурлакоосчук" beside dozens of "Бурлакосчук". Such a record is then
compared only through the blocking rules that ignore that name part, and its name
agrees with no one exactly, so the worth of the name (how many records carry it) is
lost. A key is read as another key when it is one typo (a letter added, dropped,
changed, or two swapped; or г/х written alike in Latin, "Hmarich" for Хмарич) from one
of that key's spellings, that key is carried by many times as many records, and no
other key that near comes close. The same typo of a common name recurs (Юірй for
Юрій, twenty times in 200,000 records), so the bar rises with the typo's own count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

import pandas as pd

#: The key a typo is read as is carried by at least this many records ...
COMMON = 5
#: ... this many times as many as carry the typo (when two records or fewer carry it) ...
RATIO_RARE = 4
#: ... or this many times, when more do (a typo that recurs, or a name of its own) ...
RATIO = 20
#: ... and this many times as many as any other key that near.
RATIO_RUNNER_UP = 4


def _drops(key: str) -> Iterable[str]:
    return (key[:i] + key[i + 1:] for i in range(len(key)))


# Letters that a key writes with two or more (щ as shch, я as ia): one letter each in
# ``compact_key``, so that a typo of one Cyrillic letter (Анярей for Андрей, "aniarei"
# for "andrei") is one typo of the key too. Longest first; keys are lower-case ASCII,
# so the upper-case stand-ins cannot clash (a lone h never occurs: it reads as g).
_COMPACT = (("shch", "Q"), ("dzh", "J"), ("zh", "Z"), ("kh", "X"), ("ts", "C"), ("ch", "H"), ("sh", "W"),
            ("ia", "A"), ("iu", "U"), ("ie", "E"))


@lru_cache(maxsize=1 << 18)
def compact_key(key: str) -> str:
    """A name key with each letter that it writes as two or more as one (see above)."""
    for a, b in _COMPACT:
        key = key.replace(a, b)
    return key


def _one_typo(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one letter added, dropped or changed, or two
    neighbours swapped. (Dropping a letter from each, as the index does, also pairs
    words two typos apart: Tmara and Maria both give "mara".)"""
    if a == b:
        return True
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = next((k for k in range(len(b)) if a[k] != b[k]), len(b))
    if len(a) != len(b):
        return a[i + 1:] == b[i:]
    return a[i + 1:] == b[i + 1:] or (i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
                                      and a[i + 2:] == b[i + 2:])


def _g_kh(key: str) -> Iterable[str]:
    """The key with one г written as х or the reverse: Latin h stands for both."""
    for i in range(len(key)):
        if key.startswith("kh", i):
            yield key[:i] + "g" + key[i + 2:]
        elif key[i] == "g":
            yield key[:i] + "kh" + key[i + 1:]


def mended_keys(keys: pd.Series, *, min_length: int = 5,
                protect: Callable[[str, str], bool] = lambda _key, _form: False,
                spellings: Callable[[str], Iterable[str]] = lambda key: (key,)) -> pd.Series:
    """``keys`` with each key that is one typo from a much commoner one replaced by it
    (see the module docstring). ``spellings`` gives the written forms a key stands for
    (Volodymyr for ``vladimir``): a typo is one from any of them ("Володимри").
    ``protect(key, form)`` keeps a key that a typo from ``form`` would explain (a name of
    its own); keys shorter than ``min_length`` and keys of several words stay."""
    counts = keys.dropna().value_counts()
    common = counts[counts >= COMMON]
    index: dict[str, set[tuple[str, str]]] = {}  # a form or a drop of it -> (form, key)
    exact: dict[str, set[tuple[str, str]]] = {}  # a form -> (form, key)
    for key in common.index:
        if " " in key:
            continue
        for form in spellings(key):
            if len(form) >= min_length - 1:
                exact.setdefault(form, set()).add((form, key))
                index.setdefault(form, set()).add((form, key))
                for d in _drops(form):
                    index.setdefault(d, set()).add((form, key))
                c = compact_key(form)
                if c != form:
                    for d in (c, *_drops(c)):
                        index.setdefault(d, set()).add((form, key))
    fix: dict[str, str] = {}
    top = int(counts.iloc[0]) if len(counts) else 0
    for key, n in counts.items():
        if len(key) < min_length or " " in key or top < max(COMMON, RATIO_RARE * n):
            continue
        near = set(index.get(key, ()))
        for d in _drops(key):
            near.update(index.get(d, ()))
        c = compact_key(key)
        if c != key:
            for d in (c, *_drops(c)):
                near.update(index.get(d, ()))
        near = {(form, k) for form, k in near if _one_typo(key, form) or _one_typo(c, compact_key(form))}
        for v in _g_kh(key):
            near.update(exact.get(v, ()))
        near = {(form, k) for form, k in near if k != key}
        if not near:
            continue
        best_of: dict[str, str] = {}
        for form, k in sorted(near):
            best_of.setdefault(k, form)
        ranked = sorted(best_of, key=lambda k: (-counts[k], k))
        best, runner_up = counts[ranked[0]], (counts[ranked[1]] if len(ranked) > 1 else 0)
        if (best >= (RATIO_RARE if n <= 2 else RATIO) * n and best >= RATIO_RUNNER_UP * runner_up
                and not protect(key, best_of[ranked[0]])):
            fix[key] = ranked[0]
    if not fix:
        return keys
    return keys.map(lambda k: fix.get(k, k) if isinstance(k, str) else k)
