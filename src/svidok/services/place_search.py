"""Place suggestions as the user types, in Ukrainian, Russian or Latin, on every engine.

SQLite's ``lower()`` folds ASCII only, and the gazetteer holds no Russian names, so the
search does not happen in SQL: every place's English and Ukrainian names are split into
words keyed by :func:`svidok.domain.names.name_key` (one key for a word in either script:
Буча and Bucha are ``bucha``) and by that key's consonant skeleton (Харьков and Харків are
both ``khrkv``, Запорожье and Запоріжжя ``zprzh``: the Russian and Ukrainian vowels differ,
the consonants do not). Each list is sorted, so a typed prefix is found by bisection. The
index is built once per database and gazetteer version (some 30,000 places: about a second).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.domain.names import name_key, name_tokens
from svidok.storage.models import Place

LEVEL_ORDER = {"country": 0, "oblast": 1, "raion": 2, "hromada": 3, "settlement": 4}
_VOWELS = str.maketrans("", "", "aeiouy'")


def skeleton(key: str) -> str:
    """The key without vowels after its first letter (and without apostrophes)."""
    return key[:1] + key[1:].translate(_VOWELS) if key else ""


@dataclass
class _Index:
    version: tuple
    keys: list[tuple[str, int]]
    skeletons: list[tuple[str, int]]
    rank: dict[int, tuple[int, str]]


_indexes: dict[str, _Index] = {}
_lock = threading.Lock()


def _version(s: Session) -> tuple:
    return tuple(s.execute(select(func.count(Place.id), func.max(Place.id))).one())


def _build(s: Session, version: tuple) -> _Index:
    keys, skels, rank = set(), set(), {}
    for pid, level, en, uk in s.execute(select(Place.id, Place.level, Place.name_en, Place.name_uk)):
        rank[pid] = (LEVEL_ORDER.get(level, 9), en or uk or "")
        for word in {*name_tokens(en or ""), *name_tokens(uk or "")}:
            k = name_key(word)
            if k:
                keys.add((k, pid))
                skels.add((skeleton(k), pid))
    return _Index(version, sorted(keys), sorted(skels), rank)


def _index(s: Session) -> _Index:
    url = str(s.get_bind().url)
    version = _version(s)
    with _lock:
        idx = _indexes.get(url)
        if idx is None or idx.version != version:
            idx = _indexes[url] = _build(s, version)
        return idx


def _prefixed(pairs: list[tuple[str, int]], prefix: str) -> set[int]:
    i = bisect_left(pairs, (prefix, -1))
    out = set()
    while i < len(pairs) and pairs[i][0].startswith(prefix):
        out.add(pairs[i][1])
        i += 1
    return out


def search_ids(s: Session, text: str, limit: int = 20) -> list[int]:
    """Ids of the places every typed word begins a word of, best first: matches by spelling before
    matches by consonants only, then oblasts before raions, hromadas and settlements."""
    words = [name_key(w) for w in name_tokens(text)]
    words = [w for w in words if w]
    if not words:
        return []
    idx = _index(s)
    by_key: set[int] | None = None
    by_skeleton: set[int] | None = None
    for w in words:
        exact = _prefixed(idx.keys, w)
        loose = exact | (_prefixed(idx.skeletons, skeleton(w)) if len(w) >= 3 else set())
        by_key = exact if by_key is None else by_key & exact
        by_skeleton = loose if by_skeleton is None else by_skeleton & loose
    found = sorted(by_key or (), key=lambda p: idx.rank[p])
    found += sorted((by_skeleton or set()) - set(found), key=lambda p: idx.rank[p])
    return found[:limit]
