"""Person names across scripts: search keys, derived forms, patronymics.

A person is documented by Ukrainian, Russian, Crimean Tatar and English-language
sources, so one name reaches Svidok as "Олександр", "Александр", "Oleksandr" or
"Alexander". Two things are derived here:

* ``search_keys`` / ``name_key``: one lowercase ASCII key per name token, equal for
  spellings of the same name in any of those scripts (used for search and blocking);
* ``name_forms``: the forms a reader expects to see (official Ukrainian Latin, the
  Russian spelling, the common English form, Crimean Tatar Latin and Cyrillic).

Transliteration comes from ``translitua`` (KMU 2010, Russian passport tables) and the
Ukrainian -> Russian name dictionary from ``names-translator``; the English forms and
the Crimean Tatar alphabet are Svidok's own data files under ``data/names/``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from svidok.domain.names_scripts import (
    APOSTROPHES,
    crh_cyrillic_to_latin,
    crh_latin_to_cyrillic,
    has_cyrillic,
    looks_crimean_tatar,
    looks_russian,
    looks_ukrainian,
    read_names_data,
    skeleton,
)

__all__ = [
    "NameParts",
    "given_name_keys",
    "is_given_name",
    "key_spellings",
    "is_patronymic",
    "name_forms",
    "name_key",
    "name_tokens",
    "patronymic_key",
    "search_keys",
    "split_full_name",
]

_TOKEN_RE = re.compile(rf"[^\W\d_]+(?:[{re.escape(APOSTROPHES)}][^\W\d_]+)*")
_WORD_RE = re.compile(rf"[^\W\d_]+(?:[-{re.escape(APOSTROPHES)}][^\W\d_]+)*")
# Patronymic endings as skeletons, so one list serves Cyrillic and Latin:
# -ович/-евич/-ovych, -івна/-ivna, -овна, -ична; Crimean Tatar oğlu/qızı.
_PATRONYMIC_ENDINGS = ("ovich", "evich", "ivna", "ovna", "evna", "ichna", "oglu", "kizi")


def _clean(text: str) -> str:
    # Stress marks (Олекса́ндр) are common in transcribed testimony; NFC merges й, ї.
    if "\u0301" not in text and unicodedata.is_normalized("NFC", text):
        return text  # the usual case, checked without building new strings
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).replace("\u0301", ""))


# A lower-case letter followed by a capital: two names run together ("ПетроДорошенко").
_JOINED_RE = re.compile(r"([a-zа-яёіїєґçğışöüñâ])([A-ZА-ЯЁІЇЄҐÇĞİŞÖÜÑÂ])")


def _unjoin(text: str) -> str:
    return _JOINED_RE.sub(r"\1 \2", text)


def name_tokens(text: str) -> list[str]:
    """Name tokens of ``text``: runs of letters (apostrophes inside kept); hyphens split;
    names written together ("ПетроДорошенко") split at the capital."""
    return _TOKEN_RE.findall(_unjoin(_clean(text))) if text else []


@cache
def _generated_aliases() -> tuple[dict[str, str], frozenset[str]]:
    """(alias -> canonical, canonical keys that a Ukrainian spelling differs from)."""
    aliases: dict[str, str] = {}
    russian_forms: set[str] = set()
    for line in read_names_data("given_name_aliases.tsv").splitlines():
        if line and not line.startswith("#"):
            alias, canonical, pass_no = line.split("\t")
            aliases[alias] = canonical
            if pass_no == "1":
                russian_forms.add(canonical)
    return aliases, frozenset(russian_forms)


@cache
def _aliases() -> dict[str, str]:
    aliases = dict(_generated_aliases()[0])
    for uk, en, variants in _english_rows():
        target = aliases.get(skeleton(uk), skeleton(uk))
        for form in [en, *variants]:
            if (v := skeleton(form)) and v != target:
                aliases[v] = target  # curated English forms override generated ones
    for short, full in _diminutive_rows():
        target = aliases.get(skeleton(full), skeleton(full))
        if (v := skeleton(short)) and v != target:
            aliases[v] = target  # Сашко, Саша, Sasha -> the key of Олександр
    _add_diminutive_romanisations(aliases)
    for typed, name in _plain_latin_rows():
        target = aliases.get(skeleton(name), skeleton(name))
        if (v := skeleton(typed)) and v != target:
            aliases[v] = target  # Celebi -> Челебі, Cemilev -> Джемілєв
    for form, names in _ambiguous_rows():
        target = aliases.get(skeleton(names[0]), skeleton(names[0]))
        # A form that is itself one of the other names (Jan, Ян) would take that name over.
        if (v := skeleton(form)) and v != target and v not in {skeleton(n) for n in names[1:]}:
            aliases[v] = target  # George -> Георгій (and Юрій: see given_name_keys)
    # A generated alias may point at a spelling the tables above now send elsewhere
    # (Aliosha -> Алёша, itself a diminutive of Олексій): follow it to the end.
    for v, target in aliases.items():
        seen = {v}
        while target in aliases and target not in seen:
            seen.add(target)
            target = aliases[target]
        aliases[v] = target
    return aliases


def _add_diminutive_romanisations(aliases: dict[str, str]) -> None:
    """Alias the romanisations of each diminutive that its skeleton does not cover:
    ё and ьо written yo/io/jo (Санёк, Саньок -> Sanyok, Sanjok). names_build does the
    same for full names from the same translitua tables. A spelling that is already
    an alias or some given name's key keeps its meaning."""
    from translitua import ALL_RUSSIAN, ALL_UKRAINIAN, translit

    given = _given_keys_raw()
    for short, full in _diminutive_rows():
        target = aliases.get(skeleton(full), skeleton(full))
        for table in (*ALL_UKRAINIAN, *ALL_RUSSIAN):
            v = skeleton(translit(short, table))
            if v and v != target and v not in aliases and v not in given:
                aliases[v] = target


@cache
def _given_keys_raw() -> frozenset[str]:
    lines = read_names_data("given_name_keys.txt").splitlines()
    return frozenset(k for k in lines if k and not k.startswith("#"))


@cache
def _ambiguous_rows() -> list[tuple[str, list[str]]]:
    """Spellings that stand for more than one given name (George: Георгій or Юрій)."""
    rows = []
    for line in read_names_data("given_name_ambiguous.tsv").splitlines():
        if line.strip() and not line.startswith("#"):
            form, names = line.split("\t")[:2]
            rows.append((form.strip(), [n.strip() for n in names.split(",") if n.strip()]))
    return rows


@cache
def _ambiguous_keys() -> dict[str, tuple[str, ...]]:
    """Skeleton of an ambiguous spelling -> the keys of every name it may stand for."""
    aliases = _aliases()
    out: dict[str, tuple[str, ...]] = {}
    for form, names in _ambiguous_rows():
        keys = tuple(dict.fromkeys(aliases.get(skeleton(n), skeleton(n)) for n in names))
        if len(keys) > 1:
            out[skeleton(form)] = keys
    return out


@cache
def _plain_latin_rows() -> list[tuple[str, str]]:
    """Crimean Tatar names typed without ç, ş (and with c for дж), and the names they stand for."""
    rows = []
    for line in read_names_data("crh_plain_latin.tsv").splitlines():
        if line.strip() and not line.startswith("#"):
            typed, name = line.split("\t")[:2]
            rows.append((typed.strip(), name.strip()))
            if typed.strip().endswith(("ev", "ov", "in")):  # Cemileva, Cubarova: a woman's family name
                rows.append((typed.strip() + "a", name.strip() + "а"))
    return rows


@cache
def _diminutive_rows() -> list[tuple[str, str]]:
    rows = []
    for line in read_names_data("given_name_diminutives.tsv").splitlines():
        if line.strip() and not line.startswith("#"):
            short, full = line.split("\t")[:2]
            rows.append((short.strip(), full.strip()))
    return rows


@cache
def _english_rows() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in read_names_data("en_given_names.tsv").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        uk, en, *rest = line.split("\t")
        variants = [v.strip() for v in (rest[0] if rest else "").split(",") if v.strip()]
        rows.append((uk, en, variants))
    return rows


@cache
def _english_by_key() -> dict[str, str]:
    return {name_key(uk): en for uk, en, _ in _english_rows()}


@cache
def _given_keys() -> frozenset[str]:
    return _given_keys_raw() | frozenset(name_key(uk) for uk, _, _ in _english_rows())


@lru_cache(maxsize=1 << 20)
def name_key(token: str) -> str:
    """Canonical key of one name token ("" for a token without letters).

    "Oleksandr", "Олександр", "Александр", "Alexander" -> "aleksandr";
    "Григорій", "Hryhorii", "Grigoriy" -> "grigori"; "Шевченко", "Schewtschenko" ->
    "shevchenko". The key of a given name or patronymic is its Russian-form skeleton.
    """
    sk = _token_skeleton(token)
    return _aliases().get(sk, sk)


@lru_cache(maxsize=1 << 16)
def given_name_keys(token: str) -> tuple[str, ...]:
    """Keys of every given name the token may stand for, its :func:`name_key` first.

    One key for most tokens; more for a spelling that two names share (George for
    Георгій and Юрій, Alex for Олександр and Олексій, Саша for Олександр and
    Олександра; ``data/names/given_name_ambiguous.tsv``). The names themselves keep
    their own keys: Георгій and Юрій do not agree, each agrees with George.
    """
    keys = _ambiguous_keys().get(_token_skeleton(token))
    return keys if keys else (name_key(token),)


def search_keys(text: str) -> list[str]:
    """One key per name token of ``text``, in order (tokens without letters skipped)."""
    return [k for k in map(name_key, name_tokens(text)) if k]


@lru_cache(maxsize=1 << 20)
def _token_skeleton(token: str) -> str:
    return skeleton(_clean(token))


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
            for tail in _STEM_ENDINGS:
                key = aliases.get(stem + tail, stem + tail)
                if key in given:
                    return f"{key}~{sex}"
    return name_key(token)


@lru_cache(maxsize=1 << 18)
def _feminine_patronymic(token: str) -> bool:
    return _token_skeleton(token).endswith(("ivna", "ovna", "evna", "ichna", "kizi"))


@cache
def _spellings_by_key() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for spelling, key in _aliases().items():
        out.setdefault(key, []).append(spelling)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def key_spellings(key: str) -> tuple[str, ...]:
    """The skeletons of the spellings that :func:`name_key` reads as ``key`` (Volodymyr,
    Wolodymyr, Владимир for ``vladimir``), the key itself first."""
    return (key, *(s for s in _spellings_by_key().get(key, ()) if s != key))


def is_given_name(token: str) -> bool:
    """True when the token is a given name known to the name dictionaries."""
    return name_key(token) in _given_keys()


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


def split_full_name(text: str) -> NameParts:
    """Split "Прізвище Ім'я По батькові", "Ім'я По батькові Прізвище", "Given Family"
    or "Family, Given Patronymic" into parts.

    The order is read from the patronymic's position, then from the one word written
    in capitals ("SOROKA Hanna"), then from which word is a known given name; a word
    that cannot be placed goes to ``family``. With initials ("Витко Р. В.", "О.
    Шевченко") the one full word is the family name and the first initial the given
    name; a patronymic's initial is dropped.
    """
    text = _unjoin(_clean(text or "")).strip()
    if "," in text:
        family, _, rest = text.partition(",")
        words = _WORD_RE.findall(rest)
        patr = words[-1] if len(words) > 1 and is_patronymic(words[-1]) else None
        given_words = words[:-1] if patr else words
        return NameParts(family.strip() or None, " ".join(given_words) or None, patr)
    words = _WORD_RE.findall(text)
    full = [w for w in words if len(w) > 1]
    if full and len(full) < len(words):  # initials: "Витко Р. В.", "О. Шевченко"
        if len(full) == 1:
            return NameParts(full[0], next(w for w in words if len(w) == 1), None)
        words = full
    n = len(words)
    if n == 0:
        return NameParts(None, None, None)
    if n == 1:
        w = words[0]
        return NameParts(None, w, None) if is_given_name(w) else NameParts(w, None, None)
    # -ович/-евич are also common family names (Дашкевич), so with only two words
    # just the feminine endings, which no family name has, mark a patronymic.
    patr_at = [i for i, w in enumerate(words) if is_patronymic(w) and (n > 2 or _feminine_patronymic(w))]
    if n >= 3 and patr_at and patr_at[-1] == n - 1 and not is_given_name(words[0]):
        return NameParts(words[0], " ".join(words[1:-1]), words[-1])
    if patr_at and patr_at[0] == 1:
        return NameParts(" ".join(words[2:]) or None, words[0], words[1])
    if n >= 3 and patr_at and patr_at[-1] == n - 1:
        return NameParts(words[0], " ".join(words[1:-1]), words[-1])
    capitals = [i for i, w in enumerate(words) if w.isupper()]
    if len(capitals) == 1:  # "SOROKA Hanna", "TARAS Yuliia": lists write the family name in capitals
        i = capitals[0]
        return NameParts(words[i], " ".join(words[:i] + words[i + 1:]), None)
    first_given, last_given = is_given_name(words[0]), is_given_name(words[-1])
    if first_given == last_given and n == 2:  # a typo in the given name ("Ігро Заїкосський")
        first_given, last_given = _near_given_name(words[0]), _near_given_name(words[-1])
    if first_given and not last_given:
        return NameParts(" ".join(words[1:]), words[0], None)
    if last_given and not first_given:
        return NameParts(words[0], " ".join(words[1:]), None)
    # Both or neither known: Cyrillic records put the family name first, Latin ones last.
    if has_cyrillic(text):
        return NameParts(words[0], " ".join(words[1:]), None)
    return NameParts(words[-1], " ".join(words[:-1]), None)


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
