"""Scripts of person names: detection, Crimean Tatar Latin <-> Cyrillic, and the
phonetic skeleton that makes spellings of one name in several scripts compare equal.

The skeleton is not a transliteration anyone would print: it is a matching key.
It merges letters that transliteration systems disagree on (Ukrainian г = h,
Russian г = g; и/і/ы/й = i/y/j; щ = shch/sch/shh/ŝ; German w = v; ...), so that
"Шевченко", "Shevchenko", "Schewtschenko" and "Ševčenko" give one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
RUSSIAN_LETTERS = frozenset("ыэёъЫЭЁЪ")
# Letters of the Crimean Tatar Latin alphabet that English, Ukrainian and Russian
# romanisations never use; ö and ü are left out because German spellings use them.
CRH_LATIN_MARKERS = frozenset("çğıñşqÇĞIÑŞQ") - {"I"}
CRH_CYRILLIC_DIGRAPHS = ("къ", "гъ", "нъ", "оь", "уь")

APOSTROPHES = "'’ʼ`ʹ′\u02bb\u2018"

# Broad Cyrillic -> Latin used only on the way to the skeleton: it covers the
# Ukrainian, Russian and Crimean Tatar Cyrillic alphabets at once.
_CYR_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e",
    "є": "ie", "ё": "e", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}
_CYR_TABLE = str.maketrans({**_CYR_TO_LATIN, **{a: "" for a in APOSTROPHES}})

# Latin letters with diacritics used by ISO 9, scholarly, Czech/Polish-style and
# Crimean Tatar spellings, mapped before the remaining marks are stripped.
_DIACRITICS = {
    "č": "ch", "ć": "ch", "ç": "ch", "š": "sh", "ś": "sh", "ş": "sh", "ž": "zh",
    "ź": "zh", "ż": "zh", "ŝ": "shch", "ř": "rzh", "ğ": "g", "ǵ": "g", "ı": "i",
    "ñ": "n", "ń": "n", "ö": "o", "ü": "u", "û": "iu", "â": "ia", "ê": "ie",
    "ë": "e", "ł": "l", "ß": "ss", "ə": "a", "æ": "ae", "ø": "o",
}
_LATIN_TABLE = str.maketrans({**_DIACRITICS, **{a: "" for a in APOSTROPHES}})

# Ordered longest first: the regex alternation takes the first that matches.
# Upper-case placeholders keep digraphs apart from the lone letters merged later.
_RULES = [
    ("schtsch", "S"), ("shtsch", "S"), ("shch", "S"), ("szcz", "S"), ("shh", "S"),
    ("tsch", "C"), ("sch", "S"), ("tch", "C"), ("sh", "S"), ("sz", "S"),
    ("ch", "C"), ("cz", "C"), ("zh", "Z"), ("kh", "X"), ("ts", "T"), ("tz", "T"),
    ("ck", "k"), ("ph", "f"), ("th", "t"), ("gh", "g"), ("c", "T"), ("x", "ks"),
    ("q", "k"), ("w", "v"), ("h", "g"), ("j", "i"), ("y", "i"),
]
_RULE_MAP = dict(_RULES)
_RULE_RE = re.compile("|".join(re.escape(p) for p, _ in _RULES))
_RUNS_RE = re.compile(r"(.)\1+")
_EXPAND = str.maketrans({"S": "sh", "C": "ch", "Z": "zh", "X": "kh", "T": "ts"})
_NON_LETTER_RE = re.compile(r"[^a-z]")


def has_cyrillic(text: str) -> bool:
    return CYRILLIC_RE.search(text) is not None


def looks_ukrainian(text: str) -> bool:
    """Cyrillic with a letter only Ukrainian uses (і ї є ґ) or an apostrophe."""
    return any(c in UKRAINIAN_LETTERS for c in text) or (
        has_cyrillic(text) and any(a in text for a in APOSTROPHES)
    )


def looks_russian(text: str) -> bool:
    return any(c in RUSSIAN_LETTERS for c in text) and not looks_ukrainian(text)


def looks_crimean_tatar(text: str) -> bool:
    """Crimean Tatar Latin letters (ç ğ ı ñ ş q) or Cyrillic digraphs (къ гъ нъ оь уь)."""
    if any(c in CRH_LATIN_MARKERS for c in text):
        return True
    low = text.lower()
    return any(d in low for d in CRH_CYRILLIC_DIGRAPHS)


def read_names_data(filename: str) -> str:
    """Text of a mapping file shipped in ``svidok/data/names/``."""
    return resources.files("svidok").joinpath("data", "names", filename).read_text("utf-8")


@cache
def _crh_tables() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(latin -> cyrillic, cyrillic -> latin) pairs from data/names/crh_alphabet.tsv,
    longest first so digraphs win."""
    text = read_names_data("crh_alphabet.tsv")
    lat2cyr: list[tuple[str, str]] = []
    cyr2lat: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        latin, cyrillic, direction = (line.split("\t") + ["both"])[:3]
        if direction in ("both", "to_cyrillic"):
            lat2cyr.append((latin, cyrillic))
        if direction in ("both", "to_latin"):
            cyr2lat.append((cyrillic, latin))
    lat2cyr.sort(key=lambda p: -len(p[0]))
    cyr2lat.sort(key=lambda p: -len(p[0]))
    return lat2cyr, cyr2lat


def _convert_word(word: str, pairs: list[tuple[str, str]], *, initial_e: str | None) -> str:
    out: list[str] = []
    i, low = 0, word.lower()
    while i < len(word):
        for src, dst in pairs:
            if low.startswith(src, i):
                if initial_e is not None and src == "e" and i == 0:
                    dst = initial_e  # word-initial e is э in Crimean Tatar Cyrillic
                upper = word[i].isupper()
                out.append(dst[:1].upper() + dst[1:] if upper else dst)
                i += len(src)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def crh_latin_to_cyrillic(text: str) -> str:
    """Crimean Tatar Latin (1997 alphabet) to Cyrillic, letter by letter.

    Simplified: ö/ü become ё/ю rather than the о..ь / у..ь spelling of the
    first syllable that careful Cyrillic orthography uses.
    """
    lat2cyr, _ = _crh_tables()
    # Capital dotless I is ı's capital in this alphabet, İ is i's; a text that has
    # no ı at all was most likely typed on a keyboard without İ.
    text = text.replace("İ", "И").replace("I", "Ы" if "ı" in text else "И")
    return re.sub(r"\w+", lambda m: _convert_word(m.group(0), lat2cyr, initial_e="э"), text)


def crh_cyrillic_to_latin(text: str) -> str:
    """Crimean Tatar Cyrillic to the Latin alphabet, letter by letter."""
    _, cyr2lat = _crh_tables()
    return re.sub(r"\w+", lambda m: _convert_word(m.group(0), cyr2lat, initial_e=None), text)


def skeleton(token: str) -> str:
    """Matching key of one name token: lowercase ASCII letters, script-independent."""
    if not token:
        return ""
    crh_latin = not has_cyrillic(token) and any(c in CRH_LATIN_MARKERS for c in token)
    s = token.lower()
    if has_cyrillic(s):
        s = s.translate(_CYR_TABLE)
    if crh_latin:
        s = s.replace("c", "dzh")  # Crimean Tatar c is дж; ç is handled below
    s = s.translate(_LATIN_TABLE)
    s = unicodedata.normalize("NFKD", s)
    s = _NON_LETTER_RE.sub("", "".join(c for c in s if not unicodedata.combining(c)))
    s = _RULE_RE.sub(lambda m: _RULE_MAP[m.group(0)], s)
    s = _RUNS_RE.sub(r"\1", s)
    s = s.replace("ie", "e")  # є = ie/ye/je; and Сергієнко ~ Сергиенко
    if s.endswith("oi") and len(s) > 3:
        s = s[:-2] + "i"  # adjective surnames: Лісовий ~ Лисовой
    return s.translate(_EXPAND)
