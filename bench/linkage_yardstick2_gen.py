"""A second, independent yardstick for person linkage: labelled records of people
listed by five sources, written apart from the linker and from the first yardstick.

    uv run python bench/linkage_yardstick2_gen.py --records 17390 --seed 1 --out /tmp/y2.csv
    uv run python bench/linkage_yardstick.py --file /tmp/y2.csv          # F1 beside the ceiling
    uv run python bench/linkage_yardstick2_errors.py /tmp/y2.csv         # what was missed, what was wrongly joined

Writes the columns a real list has (``record_id, source, name, birth_date, age,
age_date, place, sex``) and the truth columns ``bench/linkage_oracle.py`` reads
(``person_id, truth_name`` "given|family" in Ukrainian, ``truth_birth``,
``truth_place``, ``stated_birth``, ``stated_place``). Beside FILE.csv it writes
FILE.noise.csv (``record_id, noise``): what was done to each record, '+'-joined
tags, kept out of the main file so that no runner hands it to the linker.

The sources (about 2.17 records per person, 17,390 records of 8,000 people):
``ua_registry`` (Ukrainian Cyrillic, "family given patronymic", DD.MM.YYYY),
``ru_list`` (Russian forms, typos, "2 апреля 1990 г."), ``en_ngo`` (Latin: the
official Ukrainian system, informal and Russian-based spellings, some Polish ones,
English given names, "SOROKA Hanna", "April 1990", ages), ``media`` (given first,
diminutives, names run together, ages, places mostly missing) and
``crimea_group`` (Crimean Tatar names in Russian, Ukrainian and Crimean Tatar Latin
spellings, Crimean Tatar place names). About 2 % of a source's records list a
person it already lists.

Noise tags (the ``noise`` column of FILE.noise.csv):
  script: script_uk, script_ru, script_lat; Latin systems lat_official, lat_informal,
    lat_ru, lat_pl, lat_ct (Crimean Tatar Latin, with diacritics), lat_ct_en
  given name: given_ru_form (Russian form differs from the Ukrainian), en_given,
    diminutive, uk_variant (Наталя for Наталія, Анна for Ганна), yo_as_e,
    initials, typo_given, typo_family, typo_first_letter
  order and layout: family_first, patronymic, comma, family_caps, all_caps, lowercase,
    spacing, runtogether, apostrophe (a variant apostrophe, a soft sign or none)
  gender: fem_form (a woman's gendered surname), fem_as_masc (written in the masculine)
  people: crimean_tatar, dup_in_source
  birth: birth_none, birth_full, birth_ym, birth_year, birth_age; fmt_dmy, fmt_iso,
    fmt_my, fmt_ym, fmt_text_uk, fmt_text_ru, fmt_text_en; errors err_swap (day and
    month swapped), err_year (year off by one), err_day (a digit of the day wrong),
    err_age (age counted as a difference of years)
  place: place_none, place_uk, place_ru, place_lat, place_ct, place_decorated
    ("м. Ізюм, Харківська обл."), place_error (another town named)
  sex: sex_none, sex_error

Names are common names combined at random: no real person's data. Deterministic:
one seeded ``random.Random``, no set or hash order anywhere.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkage_yardstick2_tables as T

COLUMNS = ("record_id", "source", "name", "birth_date", "age", "age_date", "place", "sex", "person_id", "truth_name",
           "truth_birth", "truth_place", "stated_birth", "stated_place")
SOURCES = ("ua_registry", "ru_list", "en_ngo", "media", "crimea_group")
PERSONS_PER_RECORD = 8000 / 17390

# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Given:
    uk: str
    ru: str
    en: str
    uk_dims: tuple[str, ...]
    ru_dims: tuple[str, ...]
    weight: float
    uk_variants: tuple[str, ...]


@dataclass(frozen=True)
class CtName:
    ru: str
    uk: str
    ct: str
    en: str
    weight: float


@dataclass(frozen=True)
class Patronymic:
    uk_m: str
    uk_f: str
    ru_m: str
    ru_f: str
    weight: float


@dataclass(frozen=True)
class Place:
    uk: str
    ru: str
    lat: str
    lat_ru: str
    ct: str
    weight: float


def _split(s: str) -> tuple[str, ...]:
    return tuple(x for x in s.split(",") if x)


def _given(block: str) -> list[Given]:
    out = []
    for line in block.strip().splitlines():
        uk, ru, en, ud, rd, w, var = line.split("|")
        out.append(Given(uk, ru, en, _split(ud), _split(rd), float(w), _split(var)))
    return out


def _ct(block: str) -> list[CtName]:
    out = []
    for line in block.strip().splitlines():
        ru, uk, ct, en, w = line.split("|")
        out.append(CtName(ru, uk, ct, en, float(w)))
    return out


MALE = _given(T.MALE)
FEMALE = _given(T.FEMALE)
PATRONYMICS = [Patronymic(*p[1:5], float(p[5])) for p in (line.split("|") for line in T.PATRONYMICS.strip().splitlines())]
CT_PATRONYMICS = [Patronymic(p[3], p[4], p[1], p[2], float(p[5]))
                  for p in (line.split("|") for line in T.CT_PATRONYMICS.strip().splitlines())]


def _tail() -> tuple[list[str], list[float]]:
    """Stem + suffix surnames (Гнатенко, Костюк, Гнатишин, Гнатів), the long tail a list of 300 lacks."""
    head = set(T.SURNAMES.split())
    names: list[str] = []
    weights: list[float] = []
    syllabic = [o.lower().capitalize() + c for o in T.STEM_ONSETS for c in T.STEM_CODAS]
    for stem in T.TAIL_STEMS.split() + syllabic:
        for suf, w in T.TAIL_SUFFIXES.items():
            if (stem[-1] == "к" and suf == "ко") or (stem[-1] == "ч" and suf[0] == "ч") or (stem[-1] in "ьщш" and suf == "як"):
                continue
            if stem in syllabic and len(stem) > 3 and stem[-2] not in "аеиіоуюя" and suf in ("ко", "чак", "ченко"):
                continue
            if stem.endswith("ь"):
                name = stem[:-1] + ("юк" if suf == "ук" else suf)
            else:
                name = stem + suf
            if name not in head and name not in names:
                names.append(name)
                weights.append(w)
    return names, weights


SURNAMES = T.SURNAMES.split()
SURNAME_WEIGHTS = [1.0 / (rank + 10) ** 0.9 for rank in range(len(SURNAMES))]
TAIL, TAIL_WEIGHTS = _tail()
HEAD_SHARE = 0.2  # the 330 common surnames cover a fifth of people (Мельник ~0.4 %); the rest draw from the tail
CT_MALE = _ct(T.CT_MALE)
CT_FEMALE = _ct(T.CT_FEMALE)
CT_SURNAMES = _ct(T.CT_SURNAMES)
PLACES = [Place(*p[:5], float(p[5])) for p in (line.split("|") for line in T.PLACES.strip().splitlines())]
MAINLAND = [p for p in PLACES if not p.ct]
CRIMEA = [p for p in PLACES if p.ct]

# ---------------------------------------------------------------- spelling

APOS = "'’ʼ`"
UK_LAT = {"а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
          "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
          "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
          "ь": "", "ю": "iu", "я": "ia"}
UK_LAT_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
RU_LAT = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
          "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
          "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
          "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g"}
PL_LAT = {"а": "a", "б": "b", "в": "w", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "je", "ж": "ż", "з": "z",
          "и": "y", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
          "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz", "щ": "szcz",
          "ь": "", "ю": "ju", "я": "ja"}
VOWELS = set("аеєиіїоуюяыэё")  # membership tests only


def _case(src: str, out: str) -> str:
    return out[:1].upper() + out[1:] if src[:1].isupper() else out


def _translit(s: str, table: dict[str, str], initial: dict[str, str] | None = None,
              after_vowel: dict[str, str] | None = None) -> str:
    out, prev = [], " "
    for ch in s:
        low = ch.lower()
        if low in APOS:
            prev = ch
            continue
        if low not in table:
            out.append(ch)
            prev = ch
            continue
        start = not prev.isalpha() and prev not in APOS
        if initial and start and low in initial:
            t = initial[low]
        elif after_vowel and (prev.lower() in VOWELS or prev in APOS) and low in after_vowel:
            t = after_vowel[low]
        else:
            t = table[low]
        if low == "г" and table is UK_LAT and prev.lower() == "з":
            t = "gh"
        out.append(t.capitalize() if ch.isupper() else t)
        prev = ch
    return "".join(out)


def uk_official(s: str) -> str:
    """The Ukrainian national system (2010): ye/yi/y/yu/ya only at the start of a word."""
    return _translit(s, UK_LAT, UK_LAT_INITIAL)


def uk_informal(s: str, rng: random.Random) -> str:
    """Spellings people use: Oliynyk, Andriy, Mar'yana, Olexandr, Hrygoriy, Kovalskyy."""
    table = dict(UK_LAT)
    table.update({"й": rng.choice(["y", "y", "i", "j"]), "ю": rng.choice(["yu", "yu", "iu", "ju"]),
                  "я": rng.choice(["ya", "ya", "ia", "ja"]), "є": rng.choice(["ye", "ie", "e"]),
                  "ї": rng.choice(["yi", "i", "ji"]), "х": rng.choice(["kh", "kh", "h"]),
                  "и": rng.choice(["y", "y", "i"]), "ь": rng.choice(["", "", "'"]), "ц": rng.choice(["ts", "ts", "c", "tz"])})
    out = _translit(s, table, UK_LAT_INITIAL)
    if rng.random() < 0.3:
        out = out.replace("ks", "x").replace("Ks", "X")
    if out.endswith("yi") and rng.random() < 0.6:
        out = out[:-2] + rng.choice(["iy", "y", "yy", "ii"])
    return out


def ru_latin(s: str, rng: random.Random) -> str:
    """Russian-based spellings: BGN-like (Gavrilyuk, Aleksandr, Nikolay), passport-like (Nikolai, Iuliia)."""
    table = dict(RU_LAT)
    if rng.random() < 0.35:  # the 2014 passport rules
        table.update({"й": "i", "ю": "iu", "я": "ia", "ъ": "ie"})
    out = _translit(s, table, {"е": "ye"} if rng.random() < 0.5 else None, {"е": "ye"} if rng.random() < 0.3 else None)
    if rng.random() < 0.1:
        out = out.replace("ks", "x")
    if out.endswith("iy") and rng.random() < 0.5:
        out = out[:-2] + rng.choice(["y", "i", "ii"])
    return out


def pl_latin(s: str) -> str:
    """Polish spelling of a Ukrainian name, as Polish media write it (Szewczenko, Hawryluk)."""
    return _translit(s, PL_LAT)


def ru_surname(uk: str) -> str:
    """The Russian spelling of a Ukrainian surname, by rule."""
    if uk in T.RU_SURNAME:
        return T.RU_SURNAME[uk]
    s = uk
    for a, b in (("'я", "ья"), ("'ю", "ью"), ("'є", "ье"), ("'ї", "ьи")):
        s = s.replace(a, b)
    if s.endswith("ський"):
        s = s[:-5] + "ский"
    elif s.endswith("цький"):
        s = s[:-5] + "цкий"
    s = s.replace("ї", "и").replace("і", "и").replace("І", "И").replace("є", "е").replace("Є", "Е").replace("ґ", "г")
    return s


def feminine_uk(m: str) -> str:
    for a, b in (("ський", "ська"), ("цький", "цька"), ("зький", "зька")):
        if m.endswith(a):
            return m[:-len(a)] + b
    if m.endswith("ий") and len(m) > 4:
        return m[:-2] + "а"
    if m.endswith(("ов", "ев", "єв", "ін", "їн")):
        return m + "а"
    return m


def feminine_ru(m: str) -> str:
    for a, b in (("ский", "ская"), ("цкий", "цкая"), ("ый", "ая"), ("ой", "ая")):
        if m.endswith(a):
            return m[:-len(a)] + b
    if m.endswith(("кий", "чий", "гий", "хий", "жий", "ший")):
        return m[:-2] + "ая"
    if m.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return m + "а"
    return m


def feminine_lat(m: str) -> str:
    if m.endswith(("ov", "ev", "in", "yov", "iov")):
        return m + "a"
    return m


def gendered(uk_m: str) -> bool:
    return feminine_uk(uk_m) != uk_m


# ---------------------------------------------------------------- noise helpers

CYR_NEAR = {"и": "іыйе", "і": "иїы", "ы": "иі", "е": "эєи", "є": "е", "э": "е", "а": "оя", "о": "ае", "г": "хґк",
            "х": "гк", "ш": "щ", "щ": "шч", "ц": "чс", "ч": "цщ", "т": "дь", "д": "т", "б": "пв", "п": "бр",
            "з": "с", "с": "зц", "в": "фа", "ф": "в", "л": "дк", "н": "мг", "м": "н", "к": "гл", "р": "пк",
            "й": "и", "я": "аю", "ю": "уя", "у": "юо", "ь": "ъб", "ж": "з"}
LAT_NEAR = {"i": "yje", "y": "iju", "e": "ai", "a": "eo", "o": "au", "k": "ch", "h": "gkj", "g": "hk", "s": "zc",
            "z": "s", "v": "wb", "w": "v", "c": "kz", "u": "oy", "n": "mh", "m": "n", "l": "k", "t": "d", "d": "t",
            "r": "t", "p": "o", "b": "v", "f": "v", "j": "yi"}


def typo(word: str, rng: random.Random, first: bool = False) -> str:
    """One slip of the hand or ear: a letter left out, doubled, swapped with its neighbour or a similar one."""
    if len(word) < 3:
        return word
    pos = 0 if first else rng.randrange(1, len(word))
    op = "sub" if first else rng.choices(["del", "swap", "sub", "dup"], [35, 20, 30, 15])[0]
    ch = word[pos]
    low = ch.lower()
    if op == "del":
        out = word[:pos] + word[pos + 1:]
    elif op == "dup":
        out = word[:pos] + ch + word[pos:]
    elif op == "swap" and pos < len(word) - 1:
        out = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
    else:
        near = CYR_NEAR.get(low) or LAT_NEAR.get(low)
        if not near:
            return word[:pos] + word[pos + 1:] if pos else word
        new = rng.choice(near)
        out = word[:pos] + (new.upper() if ch.isupper() else new) + word[pos + 1:]
    return out if out != word else word[:pos] + word[pos + 1:]


def apostrophe(s: str, script: str, rng: random.Random) -> tuple[str, bool]:
    if "'" not in s:
        return s, False
    if script == "uk":
        mark = rng.choices(["'", "’", "ʼ", "`", "", "ь", "\""], [35, 30, 12, 5, 8, 7, 3])[0]
    else:
        mark = rng.choices(["'", "’", ""], [50, 20, 30])[0]
    return s.replace("'", mark), mark != "'"


def wchoice(rng: random.Random, items: list, weights: list[float]):
    return rng.choices(items, weights)[0]


# ---------------------------------------------------------------- people


@dataclass
class Person:
    pid: str
    sex: str
    ct: bool
    crimea: bool
    given: Given | None
    ct_given: CtName | None
    family_uk: str  # masculine Ukrainian form for Slavic surnames, the table's for Crimean Tatar
    ct_family: CtName | None
    patr: Patronymic
    birth: dt.date
    place: Place

    @property
    def given_uk(self) -> str:
        return self.given.uk if self.given else self.ct_given.uk

    @property
    def surname_uk(self) -> str:
        return feminine_uk(self.family_uk) if self.sex == "f" else self.family_uk


def _birth(rng: random.Random) -> dt.date:
    age = min(88, max(15, int(rng.triangular(15, 80, 34))))
    year = 2023 - age
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randrange(365))


def make_person(i: int, rng: random.Random) -> Person:
    sex = "m" if rng.random() < 0.64 else "f"
    ct = rng.random() < 0.05
    crimea = ct or rng.random() < 0.03
    patr_table = CT_PATRONYMICS if ct and rng.random() < 0.8 else PATRONYMICS
    patr = wchoice(rng, patr_table, [p.weight for p in patr_table])
    place = wchoice(rng, CRIMEA if crimea else MAINLAND, [p.weight for p in (CRIMEA if crimea else MAINLAND)])
    if ct:
        names = CT_MALE if sex == "m" else CT_FEMALE
        g = wchoice(rng, names, [n.weight for n in names])
        f = wchoice(rng, CT_SURNAMES, [n.weight for n in CT_SURNAMES])
        return Person(f"p{i:07d}", sex, True, True, None, g, f.uk, f, patr, _birth(rng), place)
    names = MALE if sex == "m" else FEMALE
    g = wchoice(rng, names, [n.weight for n in names])
    fam = wchoice(rng, SURNAMES, SURNAME_WEIGHTS) if rng.random() < HEAD_SHARE else wchoice(rng, TAIL, TAIL_WEIGHTS)
    return Person(f"p{i:07d}", sex, False, crimea, g, None, fam, None, patr, _birth(rng), place)


# ---------------------------------------------------------------- names in records

SCRIPT = {"ua_registry": (["uk", "ru", "lat"], [93, 5, 2]), "ru_list": (["ru", "uk", "lat"], [85, 12, 3]),
          "en_ngo": (["lat", "uk", "ru"], [95, 3, 2]), "media": (["uk", "ru", "lat"], [55, 35, 10]),
          "crimea_group": (["ru", "lat", "uk"], [55, 30, 15])}
LAT_SYSTEM = {"ua_registry": (["official", "informal"], [80, 20]),
              "ru_list": (["ru", "official"], [70, 30]),
              "en_ngo": (["official", "informal", "ru", "pl"], [45, 20, 30, 5]),
              "media": (["official", "ru", "pl", "informal"], [45, 30, 15, 10]),
              "crimea_group": (["ru", "official"], [60, 40])}
LAYOUT = {"ua_registry": (["FGP", "FG"], [82, 18]),
          "ru_list": (["FGP", "GF", "FG", "GPF", "FI"], [55, 25, 15, 3, 2]),
          "en_ngo": (["GF", "FG", "CAPS", "COMMA", "GPF"], [55, 10, 16, 12, 7]),
          "media": (["GF", "FG", "RUN"], [86, 8, 6]),
          "crimea_group": (["FGP", "GF", "FG"], [45, 45, 10])}
DIMINUTIVE = {"ua_registry": 0.005, "ru_list": 0.02, "en_ngo": 0.02, "media": 0.14, "crimea_group": 0.03}
EN_GIVEN = {"ua_registry": 0.0, "ru_list": 0.0, "en_ngo": 0.28, "media": 0.2, "crimea_group": 0.05}
TYPO_GIVEN = {"ua_registry": 0.015, "ru_list": 0.11, "en_ngo": 0.04, "media": 0.05, "crimea_group": 0.05}
TYPO_FAMILY = {"ua_registry": 0.015, "ru_list": 0.06, "en_ngo": 0.04, "media": 0.04, "crimea_group": 0.05}


def _lat(s_uk: str, s_ru: str, system: str, rng: random.Random) -> str:
    if system == "official":
        return uk_official(s_uk)
    if system == "informal":
        return uk_informal(s_uk, rng)
    if system == "pl":
        return pl_latin(s_uk)
    return ru_latin(s_ru, rng)


def render_name(p: Person, source: str, rng: random.Random, tags: list[str]) -> str:
    script = wchoice(rng, *SCRIPT[source])
    tags.append(f"script_{script}")
    female = p.sex == "f"
    system = ""
    if script == "lat":
        if p.ct:
            system = wchoice(rng, ["ct", "ct_en", "official"], [50, 40, 10] if source == "crimea_group" else [25, 50, 25])
        else:
            system = wchoice(rng, *LAT_SYSTEM[source])
        tags.append(f"lat_{system}")

    # given name
    if p.ct:
        tags.append("crimean_tatar")
        g = p.ct_given
        given = {"uk": g.uk, "ru": g.ru}.get(script) or {"ct": g.ct, "ct_en": g.en}.get(system) or uk_official(g.uk)
    else:
        g = p.given
        if script == "lat" and g.en and rng.random() < EN_GIVEN[source]:
            given = g.en
            tags.append("en_given")
        elif rng.random() < DIMINUTIVE[source] and (g.uk_dims or g.ru_dims):
            dims = (g.ru_dims or g.uk_dims) if script == "ru" or (script == "lat" and system == "ru") else (g.uk_dims or g.ru_dims)
            d = rng.choice(dims)
            given = d if script != "lat" else (ru_latin(d, rng) if system == "ru" else _lat(d, d, system, rng))
            tags.append("diminutive")
        else:
            uk = g.uk
            if g.uk_variants and rng.random() < 0.25:
                uk = rng.choice(g.uk_variants)
                tags.append("uk_variant")
            ru = g.ru
            if "ё" in ru and rng.random() < 0.7 and script in ("ru", "lat"):
                ru = ru.replace("ё", "е")
                if script == "ru" or system == "ru":
                    tags.append("yo_as_e")
            if script in ("ru", "lat") and g.ru != g.uk and (script == "ru" or system == "ru"):
                tags.append("given_ru_form")
            given = {"uk": uk, "ru": ru}.get(script) or _lat(uk, ru, system, rng)

    # family name
    if p.ct:
        f = p.ct_family
        fam = {"uk": f.uk, "ru": f.ru}.get(script) or {"ct": f.ct, "ct_en": f.en}.get(system) or uk_official(f.uk)
        if female:
            fam = feminine_uk(fam) if script == "uk" else feminine_ru(fam) if script == "ru" else feminine_lat(fam)
            tags.append("fem_form")
    else:
        m_uk = p.family_uk
        m_ru = ru_surname(m_uk)
        uk_f = feminine_uk(m_uk) if female else m_uk
        ru_f = feminine_ru(m_ru) if female else m_ru
        if female and gendered(m_uk):
            tags.append("fem_form")
            if script == "lat" and rng.random() < 0.05:
                uk_f, ru_f = m_uk, m_ru
                tags.append("fem_as_masc")
        fam = {"uk": uk_f, "ru": ru_f}.get(script) or _lat(uk_f, ru_f, system, rng)

    # patronymic
    pt = p.patr
    pat_uk, pat_ru = (pt.uk_f, pt.ru_f) if female else (pt.uk_m, pt.ru_m)
    pat = {"uk": pat_uk, "ru": pat_ru}.get(script) or (
        _lat(pat_uk, pat_ru, system, rng) if system in ("official", "informal", "ru", "pl") else ru_latin(pat_ru, rng))

    # typos
    if rng.random() < TYPO_GIVEN[source]:
        first = rng.random() < 0.08
        given = typo(given, rng, first)
        tags.append("typo_given")
        if first:
            tags.append("typo_first_letter")
    if rng.random() < TYPO_FAMILY[source]:
        first = rng.random() < 0.08
        fam = typo(fam, rng, first)
        tags.append("typo_family")
        if first:
            tags.append("typo_first_letter")

    layout = wchoice(rng, *LAYOUT[source])
    if layout == "FGP":
        name = f"{fam} {given} {pat}"
        tags += ["family_first", "patronymic"]
    elif layout == "FG":
        name = f"{fam} {given}"
        tags.append("family_first")
    elif layout == "GPF":
        name = f"{given} {pat} {fam}"
        tags.append("patronymic")
    elif layout == "FI":
        name = f"{fam} {given[:1]}.{'' if rng.random() < 0.5 else ' '}{pat[:1]}."
        tags += ["family_first", "initials"]
    elif layout == "CAPS":
        name = f"{fam.upper()} {given}"
        tags += ["family_first", "family_caps"]
    elif layout == "COMMA":
        name = f"{fam}, {given}"
        tags += ["family_first", "comma"]
    elif layout == "RUN":
        name = f"{given}{fam}"
        tags.append("runtogether")
    else:
        name = f"{given} {fam}"
    if source == "ua_registry" and layout != "FI" and rng.random() < 0.12:
        if rng.random() < 0.4:
            name = name.upper()
            tags.append("all_caps")
        else:
            parts = name.split(" ")
            name = " ".join([parts[0].upper()] + parts[1:])
            tags.append("family_caps")
    r = rng.random()
    if r < 0.01:
        name = name.lower()
        tags.append("lowercase")
    elif r < 0.03:
        name = rng.choice([f" {name}", f"{name} ", name.replace(" ", "  ", 1)])
        tags.append("spacing")
    name, changed = apostrophe(name, script, rng)
    if changed:
        tags.append("apostrophe")
    return name


# ---------------------------------------------------------------- dates, places, sex

MONTHS_UK = "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split()
MONTHS_RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
MONTHS_EN = "January February March April May June July August September October November December".split()
NO_BIRTH = {"ua_registry": 0.04, "ru_list": 0.16, "en_ngo": 0.2, "media": 0.34, "crimea_group": 0.12}
FORMATS = {
    "ua_registry": (["dmy", "iso", "year", "text_uk"], [78, 14, 5, 3]),
    "ru_list": (["text_ru", "dmy", "year", "my", "age"], [30, 42, 18, 5, 5]),
    "en_ngo": (["iso", "text_en", "year", "ym", "age", "dmy"], [46, 14, 18, 5, 11, 6]),
    "media": (["text_uk", "text_ru", "year", "age", "dmy"], [22, 12, 22, 36, 8]),
    "crimea_group": (["dmy", "year", "text_ru", "age", "iso"], [58, 18, 10, 10, 4]),
}


def _valid(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _report_date(p: Person, source: str, rng: random.Random) -> dt.date:
    if p.crimea and rng.random() < 0.6:
        start, days = dt.date(2014, 3, 1), 4200
    else:
        start, days = dt.date(2022, 2, 24), 1340
    return start + dt.timedelta(days=rng.randrange(days))


def render_birth(p: Person, source: str, rng: random.Random, tags: list[str]) -> tuple[str, str, str, str]:
    """(birth_date, age, age_date, stated_birth)."""
    if rng.random() < NO_BIRTH[source]:
        tags.append("birth_none")
        return "", "", "", ""
    fmt = wchoice(rng, *FORMATS[source])
    b = p.birth
    if fmt == "age":
        when = _report_date(p, source, rng)
        age = when.year - b.year - ((when.month, when.day) < (b.month, b.day))
        if age < 1:
            fmt = "year"
        else:
            tags.append("birth_age")
            if rng.random() < 0.12 and when.year - b.year != age:
                age = when.year - b.year
                tags.append("err_age")
            return "", str(age), when.isoformat(), f"age:{age}@{when.isoformat()}"
    y, m, d = b.year, b.month, b.day
    if fmt in ("dmy", "iso", "text_uk", "text_ru"):
        r = rng.random()
        if r < 0.02 and d <= 12 and d != m:
            m, d = d, m
            tags.append("err_swap")
        elif r < 0.035:
            y += rng.choice([-1, 1])
            tags.append("err_year")
        elif r < 0.045:
            cand = [int(str(d)[::-1]) if d >= 10 else d + 10, d + rng.choice([-1, 1]), (d % 10) + 20]
            for nd in cand:
                if nd != d and _valid(y, m, nd):
                    d = nd
                    tags.append("err_day")
                    break
        if not _valid(y, m, d):
            y, m, d = b.year, b.month, b.day
        tags += ["birth_full", f"fmt_{fmt}"]
        stated = f"{y:04d}-{m:02d}-{d:02d}"
        text = {"dmy": f"{d:02d}.{m:02d}.{y}", "iso": stated, "text_uk": f"{d} {MONTHS_UK[m - 1]} {y}",
                "text_ru": f"{d} {MONTHS_RU[m - 1]} {y} г."}[fmt]
        if fmt == "text_ru" and rng.random() < 0.3:
            text = text[:-3]
        return text, "", "", stated
    if fmt in ("my", "ym", "text_en"):
        if rng.random() < 0.015:
            y += rng.choice([-1, 1])
            tags.append("err_year")
        tags += ["birth_ym", f"fmt_{fmt}"]
        text = {"my": f"{m:02d}.{y}", "ym": f"{y}-{m:02d}", "text_en": f"{MONTHS_EN[m - 1]} {y}"}[fmt]
        return text, "", "", f"{y:04d}-{m:02d}"
    if rng.random() < 0.015:
        y += rng.choice([-1, 1])
        tags.append("err_year")
    tags += ["birth_year", "fmt_year"]
    return str(y), "", "", f"{y:04d}"


NO_PLACE = {"ua_registry": 0.15, "ru_list": 0.35, "en_ngo": 0.45, "media": 0.6, "crimea_group": 0.25}


def render_place(p: Person, source: str, name_tags: list[str], rng: random.Random, tags: list[str]) -> tuple[str, str]:
    if rng.random() < NO_PLACE[source]:
        tags.append("place_none")
        return "", ""
    place = p.place
    if rng.random() < 0.015:
        pool = CRIMEA if p.crimea and rng.random() < 0.7 else MAINLAND
        other = wchoice(rng, pool, [q.weight for q in pool])
        if other.uk != place.uk:
            place = other
            tags.append("place_error")
    if "script_lat" in name_tags:
        style = "ct" if place.ct and source == "crimea_group" and rng.random() < 0.5 else \
            wchoice(rng, ["lat", "lat_ru"], [55, 45] if source == "en_ngo" else [40, 60])
    elif "script_ru" in name_tags:
        style = "ct" if place.ct and rng.random() < 0.08 else "ru"
    else:
        style = "uk" if source != "ru_list" or rng.random() < 0.3 else "ru"
    text = getattr(place, style)
    tags.append({"uk": "place_uk", "ru": "place_ru", "lat": "place_lat", "lat_ru": "place_lat", "ct": "place_ct"}[style])
    if style in ("uk", "ru") and rng.random() < 0.25:
        prefix = rng.choice(["м. ", "м.", "смт "]) if style == "uk" else rng.choice(["г. ", "г.", "пгт "])
        text = prefix + text
        ob = T.OBLAST.get(place.uk)
        if ob and style == "uk" and rng.random() < 0.5:
            text += f", {ob} обл."
        tags.append("place_decorated")
    elif style in ("lat", "lat_ru") and rng.random() < 0.1:
        text += rng.choice([", Ukraine", " (Ukraine)", ", UA"])
        tags.append("place_decorated")
    text, _ = apostrophe(text, "uk" if style == "uk" else "x", rng)
    return text, place.uk


SEX_GIVEN = {"ua_registry": 0.97, "ru_list": 0.6, "en_ngo": 0.3, "media": 0.1, "crimea_group": 0.7}


def render_sex(p: Person, source: str, rng: random.Random, tags: list[str]) -> str:
    if rng.random() >= SEX_GIVEN[source]:
        tags.append("sex_none")
        return ""
    if rng.random() < 0.003:
        tags.append("sex_error")
        return "f" if p.sex == "m" else "m"
    return p.sex


# ---------------------------------------------------------------- records


def _source_weights(p: Person) -> list[float]:
    if p.ct:
        return [15, 15, 20, 15, 35]
    if p.crimea:
        return [20, 20, 20, 15, 25]
    return [32, 22, 22, 20, 4]


def _pick_sources(p: Person, k: int, rng: random.Random) -> list[str]:
    weights = _source_weights(p)
    pool = list(SOURCES)
    out = []
    for _ in range(min(k, len(pool))):
        s = wchoice(rng, pool, weights)
        i = pool.index(s)
        out.append(pool.pop(i))
        weights.pop(i)
    return out


def plan(n_records: int, rng: random.Random) -> tuple[list[Person], list[tuple[int, str, bool]]]:
    """The persons and their (person index, source, listed twice by the source) records, exactly n_records of them."""
    n_persons = max(1, round(n_records * PERSONS_PER_RECORD))
    persons = [make_person(i, rng) for i in range(n_persons)]
    slots: list[list[tuple[str, bool]]] = []
    for p in persons:
        k = wchoice(rng, [1, 2, 3, 4, 5], [35, 32, 19, 9, 5])
        srcs = [(s, False) for s in _pick_sources(p, k, rng)]
        srcs += [(s, True) for s, _ in srcs if rng.random() < 0.02]
        slots.append(srcs)
    total = sum(len(s) for s in slots)
    while total > n_records:
        i = rng.randrange(n_persons)
        if len(slots[i]) > 1:
            slots[i].pop()
            total -= 1
    while total < n_records:
        i = rng.randrange(n_persons)
        used = [s for s, _ in slots[i]]
        free = [s for s in SOURCES if s not in used]
        slots[i].append((rng.choice(free), False) if free else (rng.choice(used), True))
        total += 1
    records = [(i, s, dup) for i, srcs in enumerate(slots) for s, dup in srcs]
    rng.shuffle(records)
    return persons, records


def generate(n_records: int, seed: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(seed)
    persons, plan_ = plan(n_records, rng)
    rows, noise = [], []
    for n, (i, source, dup) in enumerate(plan_):
        p = persons[i]
        tags: list[str] = ["dup_in_source"] if dup else []
        name = render_name(p, source, rng, tags)
        birth, age, age_date, stated_birth = render_birth(p, source, rng, tags)
        place, stated_place = render_place(p, source, tags, rng, tags)
        sex = render_sex(p, source, rng, tags)
        rid = f"y2-{n + 1:07d}"
        rows.append({"record_id": rid, "source": source, "name": name, "birth_date": birth, "age": age,
                     "age_date": age_date, "place": place, "sex": sex, "person_id": p.pid,
                     "truth_name": f"{p.given_uk}|{p.surname_uk}", "truth_birth": p.birth.isoformat(),
                     "truth_place": p.place.uk, "stated_birth": stated_birth, "stated_place": stated_place})
        noise.append({"record_id": rid, "noise": "+".join(tags)})
    return rows, noise


def noise_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".noise.csv")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=17_390)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows, noise = generate(args.records, args.seed)
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with open(noise_path(args.out), "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=("record_id", "noise"))
        w.writeheader()
        w.writerows(noise)
    print(f"{len(rows):,} records of {len({r['person_id'] for r in rows}):,} persons -> {args.out} "
          f"(noise tags in {noise_path(args.out)})")


if __name__ == "__main__":
    main()
