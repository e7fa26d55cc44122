"""The keys that linkage compares names and places by, from one record's cells.

Family, given name and patronymic keys (``svidok.domain.names`` reads the scripts),
with what linkage reads more loosely than search does: the Russian feminine ending
(Ковальская as Ковальська), the loose family key (Latin h for г or х, the e/i/y
vowels), the coarse sound key, and the rule that keeps a known given name from being
"mended" into a neighbour.
"""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from itertools import chain

from svidok.domain.names import given_key as domain_given_key
from svidok.domain.names import (
    given_name_keys,
    is_given_name,
    name_key,
    name_order,
    name_tokens,
    patronymic_key,
    read_full_name,
    search_keys,
)

#: A list's habit decides the order of its ambiguous names once this many of its names
#: show an order and this share of them show the same one.
HABIT_MIN_NAMES, HABIT_SHARE = 20, 0.8
#: Names read per list to learn its habit: enough to see it, cheap on a million records.
HABIT_SAMPLE = 2000


def list_orders(names: list[str], sources: list[object]) -> dict[object, str]:
    """The order each list (source) writes full names in, where its names show one.

    A list is written one way (a registry "Шевченко Петро Іванович", a news report
    "Петро Шевченко"). Where a name's words do not tell its order ("Олексій Мартин",
    both given names; "Хрцстина Довгалега", a typo), the list's other names do: the
    order most of those that show one show (:func:`svidok.domain.names.name_order`),
    when at least ``HABIT_MIN_NAMES`` show one and ``HABIT_SHARE`` of them agree. The
    first ``HABIT_SAMPLE`` names of each list are read."""
    counts: dict[object, Counter] = {}
    read: Counter = Counter()
    for name, source in zip(names, sources):
        if not name or read[source] >= HABIT_SAMPLE:
            continue
        read[source] += 1
        shown = name_order(name)
        if shown:
            counts.setdefault(source, Counter())[shown] += 1
    habits = {}
    for source, c in counts.items():
        (order, most), total = c.most_common(1)[0], sum(c.values())
        if total >= HABIT_MIN_NAMES and most >= HABIT_SHARE * total:
            habits[source] = order
    return habits


@lru_cache(maxsize=1 << 18)
def _name_features(name: str, family: str, given: str, patronymic: str,
                   order: str | None = None) -> tuple[str, str, str, str, str, str, tuple[str, str] | None]:
    """Keys of the family name, given name and patronymic; the key of another given
    name that a one-word given name may stand for (George: Юрій beside Георгій), or "";
    the key of the given name's first letter ("o" for Олександр), or ""; when the
    given name is an initial ("Витко Р. В."), the initial's key, or ""; and, for a
    two-word name whose order was only guessed, the other reading (family, given), or
    None. ``order`` is the habit of the record's list (:func:`list_orders`), for names
    whose words do not tell."""
    other = None
    if not (family or given or patronymic):
        parts, shown = read_full_name(name, order)
        family, given, patronymic = parts.family or "", parts.given or "", parts.patronymic or ""
        if shown is None and not patronymic and len(name_tokens(family)) == len(name_tokens(given)) == 1 \
                and len(given) > 1:
            other = (given, family)

    def keys(text: str, key=name_key) -> str:
        return " ".join(k for k in map(key, name_tokens(text)) if k)

    given_tokens = name_tokens(given)
    alternative = given_name_keys(given_tokens[0])[1:2] if len(given_tokens) == 1 else ()
    # The first letter of the key, not the key of the first letter: Я, Ю, Є and Latin
    # Ya, Yu, Ye give keys (ia, iu, e, and izhi for Y) that differ by script.
    initial = name_key(given_tokens[0])[:1] if len(given_tokens) == 1 and len(given_tokens[0]) == 1 else ""
    given_key = keys(given, domain_given_key)
    first = given_key[:1] if given_tokens and not initial else ""
    return (keys(family, _family_key), given_key, keys(patronymic, patronymic_key),
            alternative[0] if alternative else "", first, initial, other)


#: Below this many distinct names, reading them in other processes costs more than it saves.
PARALLEL_MIN_NAMES = 100_000


def name_features_of(rows: list[tuple[str, str, str, str, str | None]], workers: int = 1, *,
                     parallel_min: int = PARALLEL_MIN_NAMES) -> list[tuple]:
    """:func:`_name_features` of each row (name, family, given, patronymic, list habit).

    Each distinct row is read once. With ``workers`` > 1 and at least ``parallel_min``
    distinct rows they are read in that many processes: reading a name is pure Python,
    900,000 distinct names took 28 s on one core and 14 s on two. Where processes cannot
    be started (a daemonic parent, no fork), they are read here."""
    distinct = list(dict.fromkeys(rows))
    table = None
    if workers > 1 and len(distinct) >= parallel_min and "fork" in multiprocessing.get_all_start_methods():
        size = -(-len(distinct) // (workers * 4))  # a few chunks per process, so none waits long
        chunks = [distinct[i:i + size] for i in range(0, len(distinct), size)]
        try:
            # Forked, the processes start at once with the name tables loaded; "spawn" would
            # import the caller's main module again in each (it cost more than it saved).
            # They only read names: no engine threads or connections are used in them.
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                table = dict(zip(distinct, chain.from_iterable(pool.map(_features_chunk, chunks))))
        except (OSError, AssertionError, BrokenProcessPool):
            pass  # read here, below
    if table is None:
        table = dict(zip(distinct, _features_chunk(distinct)))
    return [table[row] for row in rows]


def _features_chunk(rows: list[tuple]) -> list[tuple]:
    return [_name_features(*row) for row in rows]


def reread_by_family_names(families: list[str], others: list[tuple[str, str] | None]) -> dict[int, tuple]:
    """Name features to replace, by record position, for names whose order was guessed.

    "Игоь Мороненко", "Влаислав Датан": a typo in the given name and a list's habit can
    put the given name in the family name's place. The records themselves tell: the
    other reading is taken when its family name is a family name of at least two other
    records and the guessed one of none."""
    count = Counter(families)
    out = {}
    for i, other in enumerate(others):
        if other is None:
            continue
        features = _name_features("", other[0], other[1], "")
        if count[features[0]] >= 2 and count[families[i]] <= 1:
            out[i] = features
    return out


def _family_key(token: str) -> str:
    """:func:`name_key` of a family name, with the Russian feminine adjective ending read
    as the Ukrainian one: Ковальская, Kovalskaya as Ковальська (-ая for -а)."""
    key = name_key(token)
    return key[:-2] if key.endswith("aia") and len(key) > 5 else key


# Letters that transliteration tables write differently for one Cyrillic letter, in
# name-key form: Crimean Tatar c for дж (Cemilev read as English gives "tsemilev"), German z/s for ц/з, sh for ж, ch for х; and the Ukrainian/Russian
# vowel alternations (Чорновіл/Черновол, Піддубна/Поддубная), dropped with all vowels.
_SOUND_CLASSES = (("dzh", "s"), ("kh", "x"), ("ch", "x"), ("g", "x"), ("zh", "s"), ("sh", "s"), ("ts", "s"),
                  ("tz", "s"), ("z", "s"), ("c", "s"))
_VOWELS_RE = re.compile(r"[aeiouy]")
_DOUBLED_RE = re.compile(r"(.)\1+")


# ch, sh, zh are letters of their own (upper case marks them), kh, g and a lone h one letter.
_LOOSE_CLASSES = (("ch", "C"), ("sh", "S"), ("zh", "Z"), ("kh", "x"), ("g", "x"), ("h", "x"))
_LOOSE_VOWELS_RE = re.compile(r"[eiy]+")


@lru_cache(maxsize=1 << 18)
def loose_key(key: str) -> str:
    """A name key with what romanisation leaves open made one: Latin h for г or х
    (Homanchuk for Хоманчук, Prihodko for Приходко: kh, g and h alike) and the runs of
    e, i, y that Ukrainian і/и/ий and Russian е/ей/и give (Олійник and Олейник, Oliynik).
    Finer than :func:`sound_key`: the other vowels and consonants stay."""
    s = key
    for a, b in _LOOSE_CLASSES:
        s = s.replace(a, b)
    return _DOUBLED_RE.sub(r"\1", _LOOSE_VOWELS_RE.sub("i", s))


@lru_cache(maxsize=1 << 18)
def sound_key(key: str) -> str:
    """A coarse form of a name key: its consonants, with sibilants merged (s z ts c sh
    zh dzh) and kh/ch/g merged (informal Latin writes х as h, which reads as г). "tsimbal" (Цимбал) and "zimbal" (German Zymbal), "zhuk" and
    "shuk", "chornovil" and "chernovol" agree. Many names share one; it serves for
    blocking and for one comparison level, never alone."""
    out = []
    for token in key.split():
        s = token
        for a, b in _SOUND_CLASSES:
            s = s.replace(a, b)
        out.append(_DOUBLED_RE.sub(r"\1", _VOWELS_RE.sub("", s)) or token)
    return " ".join(out)


def _a_name_of_its_own(key: str, form: str) -> bool:
    """A known given name one letter from another at its start or end is a name of its
    own (Арина/Ірина, Ярослава/Ярослав); inside, it may be a misspelling the name
    dictionary picked up (Владимр). Two letters swapped are a slip, never a name of its
    own: the dictionary holds Иавн beside Иван."""
    if _swapped(key, form):
        return False
    return is_given_name(key) and (key[0] != form[0] or key[-1] != form[-1] or len(key) < 5)


def _swapped(a: str, b: str) -> bool:
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y] if len(a) == len(b) else []
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


# Words that say what kind of place it is or which country, not which place: lists
# write "м. Токмак", "смт Донецьк", "пгт Скадовск", "Pologi, Ukraine", "village of Husarivka".
_PLACE_KIND_WORDS = frozenset("""
    місто міста селище сел село села ще хутір хут пгт смт город гор поселок посёлок пос деревня дер
    станция ст city town village vil settlement urban type smt pgt of the
    україна украина ukraine ukr ua
    """.split())
_PLACE_SEGMENTS_RE = re.compile(r"[,;()\[\]/]")


@lru_cache(maxsize=1 << 16)
def _place_key(place: str) -> str:
    """The key of a place as lists write it: the first part of "м. Токмак, Запорізька
    обл." (the rest names the region or the country), without the words for a kind of
    place ("смт", "village") or the country and without one-letter abbreviations ("м.",
    "г."), the Russian feminine ending read as the Ukrainian one (Новая Каховка as Нова
    Каховка). Falls back to every word when nothing else is left ("Ukraine")."""
    for part in _PLACE_SEGMENTS_RE.split(place):
        words = [w for w in name_tokens(part) if len(w) > 1 and w.lower() not in _PLACE_KIND_WORDS]
        if words:
            return " ".join(k for k in map(_family_key, words) if k)
    return " ".join(search_keys(place))


@lru_cache(maxsize=1 << 16)
def _facility_key(facility: str) -> str:
    """Like a place key, but numbers count: "СІЗО-7" and "SIZO 7" agree, "СІЗО-8" does not."""
    parts = re.findall(r"\d+|[^\W\d_]+", facility)
    return " ".join(p.lstrip("0") or "0" if p.isdigit() else name_key(p) for p in parts).strip()
