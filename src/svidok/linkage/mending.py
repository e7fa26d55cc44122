"""Typos in names, mended from the records themselves.

A typo makes a name key that no other record has: "Владимр" beside hundreds of
"Владимир", "Бурлакоосчук" beside dozens of "Бурлакосчук". Such a record is then
compared only through the blocking rules that ignore that name part, and its name
agrees with no one exactly, so the worth of the name (how many records carry it) is
lost. A key that few records carry and that is one typo (a letter added, dropped,
changed, or two swapped) from a key many records carry is read as that key, when
exactly one such key stands out. Keys the name dictionaries know as given names are
never changed: Олеся stays Олеся beside a thousand Олена.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

#: A key carried by at most this many records may be a typo of another.
RARE = 2
#: The key it is read as is carried by at least this many records ...
COMMON = 5
#: ... this many times as many as carry the rare key, and as many times as many as
#: carry any other key one typo away.
RATIO = 4
#: Keys shorter than this are left alone: one letter is too much of a short name.
MIN_LENGTH = 5


def _drops(key: str) -> Iterable[str]:
    return (key[:i] + key[i + 1:] for i in range(len(key)))


def mended_keys(keys: pd.Series, keep: Callable[[str], bool] = lambda _key: False,
                spellings: Callable[[str], Iterable[str]] = lambda key: (key,)) -> pd.Series:
    """``keys`` with each rare key that is one typo from a common one replaced by it
    (see the module docstring); keys ``keep`` says yes to and keys of several words stay.
    ``spellings`` gives the written forms a key stands for (Volodymyr for ``vladimir``):
    a typo is one from any of them ("Володимри")."""
    counts = keys.dropna().value_counts()
    common = counts[counts >= COMMON]
    index: dict[str, set[str]] = {}
    for key in common.index:
        if " " in key:
            continue
        for form in spellings(key):
            if len(form) >= MIN_LENGTH - 1:
                index.setdefault(form, set()).add(key)
                for d in _drops(form):
                    index.setdefault(d, set()).add(key)
    fix: dict[str, str] = {}
    for key, n in counts[counts <= RARE].items():
        if len(key) < MIN_LENGTH or " " in key or keep(key):
            continue
        near = set(index.get(key, ()))
        for d in _drops(key):
            near.update(index.get(d, ()))
        near.discard(key)
        if not near:
            continue
        ranked = sorted(near, key=lambda k: (-counts[k], k))
        best = counts[ranked[0]]
        runner_up = counts[ranked[1]] if len(ranked) > 1 else 0
        if best >= RATIO * n and best >= RATIO * runner_up:
            fix[key] = ranked[0]
    if not fix:
        return keys
    return keys.map(lambda k: fix.get(k, k) if isinstance(k, str) else k)
