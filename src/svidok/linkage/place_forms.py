"""Forms of one town's name read as one: Харків, Харьков, Kharkov, Harkov.

Lists name a Ukrainian town in Ukrainian, in Russian (Харьков, Запорожье, Ирпень,
Алешки) and in Latin letters of either (Kharkiv, Kharkov, Harkov). The place key
already reads the scripts alike, but the Russian form keeps its own vowels:
``kharkov`` beside ``kharkiv``. Two records of one person then disagree on the
place, and a contradiction keeps them apart in the clustering.

Russian and Ukrainian forms of a town's name differ mostly in their vowels (і for
о and е, и for ы, the ending -ая/-а) and in г/х, which Latin h writes alike. So a
place key that is no Ukrainian place's name is read as the key found in the records
with the same consonants, when that key is the only one there that names a place of
the codifier (KATOTTG, in ``svidok/data/gazetteer``), or, when none does, when it is
carried by many times as many records. Two names of the codifier are never read as
one (Попасна and Попасне are two places). A few Russian and Soviet names differ in
their consonants too (Николаев for Миколаїв, Волчанск for Вовчанськ), and Crimea's
towns have Crimean Tatar names (Aqmescit for Сімферополь): they are listed in
``EXONYMS``.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

import duckdb
import pandas as pd

from svidok.linkage.name_keys import _place_key

#: Names of Ukrainian towns whose consonants differ from the Ukrainian name's, or
#: whose vowels stand elsewhere, so that the consonant skeleton cannot bring them
#: together: Russian and Soviet-era names, and the Crimean Tatar names of Crimea's
#: towns (in the 1997 Latin alphabet and in Cyrillic).
EXONYMS = {
    # Russian
    "Николаев": "Миколаїв",
    "Волчанск": "Вовчанськ",
    "Кременчуг": "Кременчук",
    "Днепр": "Дніпро",
    "Белая Церковь": "Біла Церква",
    # Балаклея is also a village of Черкаська область; in lists of the war's victims
    # the Russian name almost always means the town of Харківська область.
    "Балаклея": "Балаклія",
    # Soviet-era
    "Днепропетровск": "Дніпро",
    "Днепродзержинск": "Кам'янське",
    "Кировоград": "Кропивницький",
    "Артемовск": "Бахмут",
    "Красный Лиман": "Лиман",
    "Комсомольск": "Горішні Плавні",
    "Ильичевск": "Чорноморськ",
    # Crimean Tatar
    "Aqmescit": "Сімферополь", "Акъмесджит": "Сімферополь", "Акмесджит": "Сімферополь",
    "Aqyar": "Севастополь", "Акъяр": "Севастополь",
    "Kezlev": "Євпаторія", "Кезлев": "Євпаторія", "Gözleve": "Євпаторія",
    "Kefe": "Феодосія", "Кефе": "Феодосія",
    "Qarasuvbazar": "Білогірськ", "Къарасувбазар": "Білогірськ", "Карасубазар": "Білогірськ",
    "Canköy": "Джанкой",
    "Eski Qırım": "Старий Крим", "Эски Къырым": "Старий Крим",
    "Saq": "Саки", "Сакъ": "Саки",
    "Keriç": "Керч",
    "Ermeni Bazar": "Армянськ", "Эрмени Базар": "Армянськ",
    "Bağçasaray": "Бахчисарай", "Багъчасарай": "Бахчисарай",
    "Sudaq": "Судак", "Сугъдакъ": "Судак",
    "Aluşta": "Алушта",
}

#: The key read as another key with the same consonants is carried by at least this
#: many times as many records, when neither is the name of a place of the codifier.
RATIO = 4
#: ... and is spelt alike (Jaro-Winkler similarity): Eronga is not Orange.
SIMILAR = 0.85

_VOWELS = re.compile(r"[aeiouy]+")
_CONSONANTS = re.compile(r"[^aeiouy ]+")


def _plain(key: str) -> str:
    return key.replace("kh", "g").replace("z", "s")


@lru_cache(maxsize=1 << 16)
def place_skeleton(key: str) -> str:
    """A place key's consonants, with г and х alike (Latin h writes both) and s and z
    alike (Herson is written with either), and where its vowels stand: ``kharkiv`` and
    ``garkov`` both give ``grkv/CVCVC``. Auburn and Burne share their consonants, not
    where the vowels stand."""
    plain = _plain(key)
    return _VOWELS.sub("", plain) + "/" + _VOWELS.sub("V", _CONSONANTS.sub("C", plain))


def _similarity(pairs: list[tuple[str, str]]) -> list[float]:
    """Jaro-Winkler similarity of each pair, as the linkage engine computes it."""
    if not pairs:
        return []
    frame = pd.DataFrame([(_plain(a), _plain(b)) for a, b in pairs], columns=["a", "b"])
    with duckdb.connect() as con:
        con.register("pairs", frame)
        return con.execute("SELECT jaro_winkler_similarity(a, b) FROM pairs").df().iloc[:, 0].tolist()


@lru_cache(maxsize=1)
def codifier_keys() -> frozenset[str]:
    """Place keys of the towns, villages and settlements of the codifier."""
    out: set[str] = set()
    folder = resources.files("svidok").joinpath("data", "gazetteer")
    for name in ("places.csv", "settlements.csv"):
        with folder.joinpath(name).open(encoding="utf-8") as f:
            out.update(_place_key(row["name_uk"]) for row in csv.DictReader(f) if row["level"] == "settlement")
    out.discard("")
    return frozenset(out)


@lru_cache(maxsize=1)
def _exonym_keys() -> dict[str, str]:
    return {_place_key(ru): _place_key(uk) for ru, uk in EXONYMS.items()}


def merged_place_keys(keys: pd.Series) -> pd.Series:
    """``keys`` (place keys, None or "" where there is no place) with each form of a
    town's name read as the key of its Ukrainian name where the records show it (see
    the module docstring)."""
    exonyms = _exonym_keys()
    # Worked out on the distinct keys, then applied to the records in one pass.
    raw = keys[keys.notna() & keys.ne("")].value_counts()
    if raw.empty:
        return keys
    named_as = {k: exonyms.get(k, k) for k in raw.index}
    counts = raw.groupby(raw.index.map(named_as)).sum().sort_values(ascending=False, kind="stable")
    known = codifier_keys()
    groups: dict[str, list[str]] = {}
    for key in counts.index:  # commonest first
        groups.setdefault(place_skeleton(key), []).append(key)
    fix: dict[str, str] = {}
    by_count: list[tuple[str, str]] = []  # (key, the far commoner key) to check for spelling
    for members in groups.values():
        if len(members) < 2:
            continue
        named = [k for k in members if k in known]
        if len(named) == 1:
            fix.update((k, named[0]) for k in members if k not in known)
        elif not named and counts[members[0]] >= RATIO * counts[members[1]]:
            by_count += [(k, members[0]) for k in members[1:]]
        # else: two places of the codifier, or no form clearly the commonest
    fix.update((k, t) for (k, t), sim in zip(by_count, _similarity(by_count)) if sim >= SIMILAR)
    final = {k: fix.get(v, v) for k, v in named_as.items() if fix.get(v, v) != k}
    if not final:
        return keys
    return keys.map(lambda k: final.get(k, k) if isinstance(k, str) else k)
