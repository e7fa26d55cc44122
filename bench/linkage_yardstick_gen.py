"""An independent yardstick for person linkage: labelled records from five sources.

Written apart from the linker: it imports nothing of svidok and none of the
libraries the linker's name code uses; its name forms, transliteration and date
formats are its own (tables in ``linkage_yardstick_tables.py``). It writes a CSV
that ``svidok link`` reads, plus truth columns that the linker never sees:

    uv run python bench/linkage_yardstick_gen.py --records 20000 --out /tmp/yard.csv

Truth columns: ``person_id``; ``truth_name`` (the person's own given|family name);
``truth_birth`` and ``truth_place`` (the person's); ``stated_birth`` and
``stated_place`` (what this record says, in canonical form, errors included:
``1990-04-02``, ``1990-04``, ``1990``, ``age:32@2022-05-14`` or empty).

The five sources and what each does to a name:

* ``ua_registry``: Ukrainian Cyrillic, "Прізвище Ім'я По батькові", ISO or 02.04.1990;
* ``ru_list``: Russian spellings (Александр, Олейник, Ковальская), typos on top of
  them, Russian diminutives, "2 апреля 1990 г.";
* ``en_ngo``: Latin: English given names (Nicholas, Helen), KMU 2010 or a
  transliteration of the Russian spelling (Gavrilyuk), either name order,
  "SOROKA Hanna", partial dates;
* ``media``: "Ім'я Прізвище", diminutives (Сашко, Коля), names run together
  (ПетроДорошенко), an age at the date of the report, "2 квітня 1990";
* ``crimea_rights``: Crimean Tatar names in the 1997 Latin alphabet (Cemilev,
  Çelebiyev) or Russian Cyrillic; others in informal Latin with apostrophes
  (Mar'yana) and patronymics (Petrovych), surname first.

Proportions follow real lists: many namesakes (Zipf-distributed names), about a
fifth of records without any birth information, places often missing, one to
five sources per person.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import linkage_yardstick_tables as T

SOURCES = ("ua_registry", "ru_list", "en_ngo", "media", "crimea_rights")
COLUMNS = ("record_id", "source", "name", "birth_date", "age", "age_date", "place", "sex",
           "person_id", "truth_name", "truth_birth", "truth_place", "stated_birth", "stated_place")

# --- transliteration, written for the yardstick ------------------------------------

_KMU = dict(zip("абвгґдежзиіклмнопрстуфхцчшщ",
                "a b v h g d e zh z y i k l m n o p r s t u f kh ts ch sh shch".split()))
_KMU_START = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_KMU_INSIDE = {"є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia"}
_RU_BASE = dict(zip("абвгдзиклмнопрстуфхцчшщ",
                    "a b v g d z i k l m n o p r s t u f kh ts ch sh shch".split()))
_RU_SYSTEMS = {
    # ICAO 9303 (Russian passports since 2013)
    "icao": {"е": "e", "ё": "e", "ж": "zh", "й": "i", "ъ": "ie", "ы": "y", "ь": "", "э": "e",
             "ю": "iu", "я": "ia"},
    # BGN/PCGN
    "bgn": {"е": "e", "ё": "ë", "ж": "zh", "й": "y", "ъ": "", "ы": "y", "ь": "'", "э": "e",
            "ю": "yu", "я": "ya"},
    # what people type
    "informal": {"е": "e", "ё": "yo", "ж": "zh", "й": "y", "ъ": "", "ы": "y", "ь": "", "э": "e",
                 "ю": "yu", "я": "ya", "х": "h", "щ": "sch"},
}
_UK_INFORMAL = {**_KMU, "и": "i", "й": "y", "ї": "yi", "є": "ye", "ю": "yu", "я": "ya", "х": "h",
                "щ": "sch", "'": "'", "ь": ""}


def _cap(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def kmu(text: str) -> str:
    """Official Ukrainian romanisation (KMU resolution 55 of 2010)."""
    out = []
    for word in text.split(" "):
        low, res, i = word.lower(), [], 0
        while i < len(low):
            c = low[i]
            if c == "з" and low[i + 1:i + 2] == "г":
                res.append("zgh")
                i += 2
                continue
            start = i == 0 or low[i - 1] in "-"
            if c in _KMU_START:
                res.append(_KMU_START[c] if start else _KMU_INSIDE[c])
            elif c in "ь'’":
                pass
            else:
                res.append(_KMU.get(c, c))
            i += 1
        out.append(_cap("".join(res), word))
    return " ".join(out)


def ru_latin(text: str, system: str) -> str:
    table = {**_RU_BASE, **_RU_SYSTEMS[system]}
    out = []
    for word in text.split(" "):
        low = word.lower()
        res = []
        for i, c in enumerate(low):
            if system == "bgn" and c == "е" and (i == 0 or low[i - 1] in "аеёиоуыэюяйъь"):
                res.append("ye")
            else:
                res.append(table.get(c, c))
        out.append(_cap("".join(res), word))
    return " ".join(out)


def uk_informal(text: str) -> str:
    return " ".join(_cap("".join(_UK_INFORMAL.get(c, c) for c in w.lower()), w) for w in text.split(" "))


def russify(uk: str) -> str:
    """The Russian spelling of a Ukrainian family name by the regular correspondences."""
    s = uk
    for a, b in (("ський", "ский"), ("цький", "цкий"), ("ська", "ская"), ("цька", "цкая"), ("ій", "ий")):
        s = s.replace(a, b)
    for a, b in (("і", "и"), ("І", "И"), ("ї", "и"), ("Ї", "И"), ("є", "е"), ("Є", "Е"), ("'", "ь")):
        s = s.replace(a, b)
    return s


def feminine(uk: str, ru: str) -> tuple[str, str]:
    for m_uk, f_uk, m_ru, f_ru in (("ський", "ська", "ский", "ская"), ("цький", "цька", "цкий", "цкая"),
                                   ("ний", "на", "ный", "ная"), ("ов", "ова", "ов", "ова"),
                                   ("ів", "ова", "ов", "ова"), ("ін", "іна", "ин", "ина"),
                                   ("ин", "ина", "ын", "ына"), ("єв", "єва", "ев", "ева"),
                                   ("ьов", "ьова", "ьёв", "ьёва"), ("йов", "йова", "ьёв", "ьёва")):
        if uk.endswith(m_uk) and ru.endswith(m_ru):
            return uk[: -len(m_uk)] + f_uk, ru[: -len(m_ru)] + f_ru
    return uk, ru


_CYR_LOWER = "абвгдеєжзиіїйклмнопрстуфхцчшщьюя"
_LAT_LOWER = "abcdefghijklmnoprstuvyz"


def typo(word: str, rng: random.Random) -> str:
    """One keyboard or hearing slip: a letter dropped, doubled, swapped or replaced."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    alphabet = _CYR_LOWER if any("а" <= c <= "я" for c in word.lower()) else _LAT_LOWER
    if kind < 0.35:
        return word[:i] + word[i + 1:]
    if kind < 0.55:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.7:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(alphabet) + word[i + 1:]


# --- the population --------------------------------------------------------------

class Zipf:
    """Draws indices 0..n-1 with weight 1/(k+1)**s: a few names are very common."""

    def __init__(self, n: int, s: float) -> None:
        self.cum = list(itertools.accumulate(1 / (k + 1) ** s for k in range(n)))

    def __call__(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])


@dataclass
class Person:
    pid: str
    sex: str
    crh: bool
    given: list[str]  # uk, ru, en/Latin, ...
    dims_uk: list[str]
    dims_ru: list[str]
    family_uk: str
    family_ru: str
    family_lat: str  # Crimean Tatar Latin, "" for others
    family_en: str
    patr: list[str] | None  # uk, ru
    birth: date
    place: int


def _families(rng: random.Random) -> list[tuple[str, str]]:
    fixed = [(uk, ru) for uk, ru in T.rows(T.FAMILY_FIXED)]
    seen = {uk for uk, _ in fixed}
    tail = []
    for root, infix, end in itertools.product(T.FAMILY_ROOTS, T.FAMILY_INFIXES, T.FAMILY_ENDINGS):
        if root.endswith(("ь", "'")) and end[:1] in ("", "у", "е", "і", "а", "о"):
            continue  # Довгаль + ук is written Довгалюк; leave such joins out
        uk = root + infix + end
        if uk not in seen:
            seen.add(uk)
            tail.append((uk, russify(uk)))
    rng.shuffle(tail)
    return fixed + tail


class Population:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.given_m = T.rows(T.GIVEN_M)
        self.given_f = T.rows(T.GIVEN_F)
        self.crh_given = T.rows(T.GIVEN_CRH)
        self.crh_family = T.rows(T.CRH_FAMILY)
        self.families = _families(rng)
        self.patronymics = T.rows(T.PATRONYMICS)
        self.places = T.rows(T.PLACES)
        self.crimea = [i for i, p in enumerate(self.places) if p[2] == "1"]
        self.mainland = [i for i, p in enumerate(self.places) if p[2] == "0"]
        self.z_given_m = Zipf(len(self.given_m), 0.55)
        self.z_given_f = Zipf(len(self.given_f), 0.55)
        self.z_family = Zipf(len(self.families), 0.5)
        self.z_patr = Zipf(len(self.patronymics) - 3, 0.8)
        self.z_place = Zipf(len(self.mainland), 0.6)

    def person(self, pid: str, rng: random.Random) -> Person:
        crh = rng.random() < 0.05
        sex = "m" if rng.random() < 0.7 else "f"
        birth = date(1935, 1, 1) + timedelta(days=rng.randrange(int(365.25 * 73)))
        if crh:
            pool = [g for g in self.crh_given if g[4] == sex]
            g = rng.choice(pool)
            given, dims_uk, dims_ru = [g[0], g[1], g[2], g[3]], [], []
            fam = rng.choice(self.crh_family)
            f_uk, f_ru, f_lat, f_en = fam
            if sex == "f":
                f_uk, f_ru, f_lat, f_en = f_uk + "а", f_ru + "а", f_lat + "a", f_en + "a"
            patr = self.patronymics[-3:][rng.randrange(3)] if rng.random() < 0.6 else \
                self.patronymics[self.z_patr(rng)]
            place = rng.choice(self.crimea) if rng.random() < 0.85 else self.mainland[self.z_place(rng)]
        else:
            table, z = (self.given_m, self.z_given_m) if sex == "m" else (self.given_f, self.z_given_f)
            g = table[z(rng)]
            given = [g[0], g[1], g[2]]
            dims_uk = [d for d in g[3].split(",") if d]
            dims_ru = [d for d in g[4].split(",") if d]
            f_uk, f_ru = self.families[self.z_family(rng)]
            if sex == "f":
                f_uk, f_ru = feminine(f_uk, f_ru)
            f_lat, f_en = "", ""
            patr = self.patronymics[self.z_patr(rng)]
            place = self.mainland[self.z_place(rng)] if rng.random() < 0.97 else rng.choice(self.crimea)
        p_uk, p_ru = (patr[1], patr[3]) if sex == "m" else (patr[2], patr[4])
        return Person(pid, sex, crh, given, dims_uk, dims_ru, f_uk, f_ru, f_lat, f_en, [p_uk, p_ru],
                      birth, place)


# --- what each source writes -----------------------------------------------------

# birth information: (style, weight) per source; "none" leaves it out.
DATE_STYLES = {
    "ua_registry": (("none", 10), ("iso", 55), ("dmy", 35)),
    "ru_list": (("none", 15), ("dmy", 45), ("ru_words", 30), ("year", 10)),
    "en_ngo": (("none", 20), ("iso", 55), ("year_month", 15), ("year", 10)),
    "media": (("none", 25), ("age", 40), ("uk_words", 25), ("year", 10)),
    "crimea_rights": (("none", 20), ("dmy", 55), ("uk_words", 15), ("iso", 10)),
}
PLACE_SHARE = {"ua_registry": 0.75, "ru_list": 0.55, "en_ngo": 0.5, "media": 0.5, "crimea_rights": 0.55}
SOURCE_WEIGHT = {"ua_registry": 25, "ru_list": 20, "en_ngo": 20, "media": 20, "crimea_rights": 15}
SOURCES_PER_PERSON = (38, 33, 18, 8, 3)  # weights of 1..5 sources
EVENTS = (date(2022, 2, 24), date(2024, 12, 31))


def _pick(options, rng: random.Random):
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _with_errors(d: date, rng: random.Random) -> date:
    r = rng.random()
    try:
        if r < 0.008:
            return d.replace(day=min(28, max(1, d.day + rng.choice((-1, 1, 10)))))
        if r < 0.012 and d.day <= 12:
            return d.replace(month=d.day, day=d.month)
        if r < 0.02:
            return d.replace(year=d.year + rng.choice((-1, 1)))
    except ValueError:
        pass
    return d


def birth_fields(p: Person, source: str, rng: random.Random) -> tuple[str, str, str, str]:
    """(birth_date, age, age_date, stated) for one record."""
    style = _pick(DATE_STYLES[source], rng)
    if style == "none":
        return "", "", "", ""
    d = _with_errors(p.birth, rng)
    if style == "age":
        when = EVENTS[0] + timedelta(days=rng.randrange((EVENTS[1] - EVENTS[0]).days))
        age = when.year - d.year - ((when.month, when.day) < (d.month, d.day))
        shown = when.isoformat() if rng.random() < 0.6 else when.strftime("%d.%m.%Y")
        return "", str(age), shown, f"age:{age}@{when.isoformat()}"
    if style == "year":
        return str(d.year), "", "", str(d.year)
    if style == "year_month":
        return f"{d.year}-{d.month:02d}", "", "", f"{d.year}-{d.month:02d}"
    text = {
        "iso": d.isoformat(),
        "dmy": d.strftime("%d.%m.%Y"),
        "uk_words": f"{d.day} {T.UK_MONTHS[d.month - 1]} {d.year}",
        "ru_words": f"{d.day} {T.RU_MONTHS[d.month - 1]} {d.year} г." if rng.random() < 0.7
        else f"{d.day} {T.RU_MONTHS[d.month - 1]} {d.year}",
    }[style]
    return text, "", "", d.isoformat()


def _maybe_typo(word: str, rate: float, rng: random.Random) -> str:
    return typo(word, rng) if rng.random() < rate else word


def _order(family: str, given: str, patr: str, style: str) -> str:
    parts = {"FGP": (family, given, patr), "GPF": (given, patr, family), "GF": (given, family),
             "FG": (family, given)}[style]
    return " ".join(x for x in parts if x)


def name_of(p: Person, source: str, rng: random.Random) -> str:
    r = rng.random
    uk_g, ru_g = p.given[0], p.given[1]
    patr_uk, patr_ru = p.patr or ("", "")
    if source == "ua_registry":
        g, f = _maybe_typo(uk_g, 0.02, rng), _maybe_typo(p.family_uk, 0.02, rng)
        patr = patr_uk if r() < 0.85 else ""
        return _order(f, g, patr, _pick((("FGP", 85), ("GPF", 10), ("FG", 5)), rng))
    if source == "ru_list":
        g = rng.choice(p.dims_ru) if p.dims_ru and r() < 0.06 else ru_g
        g, f = _maybe_typo(g, 0.12, rng), _maybe_typo(p.family_ru, 0.08, rng)
        return _order(f, g, patr_ru if r() < 0.7 else "", "FGP")
    if source == "en_ngo":
        if p.crh:
            g = p.given[3] if r() < 0.6 else p.given[2]
            f = p.family_en if r() < 0.6 else p.family_lat
        else:
            en = p.given[2]
            mode = r()
            if en and mode < 0.45:
                g = en
            elif mode < 0.75:
                g = kmu(uk_g)
            else:
                g = ru_latin(ru_g, rng.choice(("icao", "bgn", "informal")))
            fm = r()
            f = kmu(p.family_uk) if fm < 0.6 else (
                ru_latin(p.family_ru, rng.choice(("icao", "bgn", "informal"))) if fm < 0.85
                else uk_informal(p.family_uk))
        g, f = _maybe_typo(g, 0.04, rng), _maybe_typo(f, 0.04, rng)
        style = _pick((("GF", 65), ("FG", 35)), rng)
        if style == "FG" and r() < 0.6:
            f = f.upper()  # "SOROKA Hanna"
        patr = kmu(patr_uk) if r() < 0.1 else ""
        return _order(f, g, patr, "GPF" if style == "GF" else "FGP")
    if source == "media":
        g = rng.choice(p.dims_uk) if p.dims_uk and r() < 0.25 else uk_g
        g, f = _maybe_typo(g, 0.03, rng), _maybe_typo(p.family_uk, 0.03, rng)
        if r() < 0.08:
            return g + f  # "ПетроДорошенко"
        return _order(f, g, "", "GF" if r() < 0.85 else "FG")
    # crimea_rights
    if p.crh:
        if r() < 0.55:
            return _order(p.family_lat, p.given[2], "", "GF" if r() < 0.5 else "FG")
        return _order(_maybe_typo(p.family_ru, 0.03, rng), p.given[1], patr_ru, "FGP")
    if r() < 0.5:
        return _order(_maybe_typo(p.family_uk, 0.03, rng), uk_g, patr_uk, "FGP")
    return _order(uk_informal(p.family_uk), uk_informal(uk_g), uk_informal(patr_uk), "FGP")


def place_of(p: Person, source: str, pop: Population, rng: random.Random) -> str:
    if rng.random() >= PLACE_SHARE[source]:
        return ""
    uk, ru, _ = pop.places[p.place]
    if source == "ru_list":
        return ru
    if source == "en_ngo":
        return kmu(uk) if rng.random() < 0.7 else ru_latin(ru, "informal")
    return uk


def _sources_for(p: Person, rng: random.Random) -> list[str]:
    k = rng.choices(range(1, 6), SOURCES_PER_PERSON)[0]
    weights = dict(SOURCE_WEIGHT)
    if p.crh:
        weights["crimea_rights"] = 45
    chosen: list[str] = []
    pool = list(SOURCES)
    for _ in range(k):
        s = rng.choices(pool, [weights[x] for x in pool])[0]
        pool.remove(s)
        chosen.append(s)
    if rng.random() < 0.04:
        chosen.append(chosen[0])  # the same source lists the person twice
    return chosen


def generate(n_records: int, seed: int = 2026) -> list[dict[str, str]]:
    """``n_records`` labelled records (see the module docstring), the same for a seed."""
    rng = random.Random(seed)
    pop = Population(seed)
    rows: list[dict[str, str]] = []
    n_person = 0
    while len(rows) < n_records:
        n_person += 1
        p = pop.person(f"P{n_person:07d}", rng)
        for source in _sources_for(p, rng):
            birth, age, age_date, stated = birth_fields(p, source, rng)
            place = place_of(p, source, pop, rng)
            rows.append({
                "source": source, "name": name_of(p, source, rng), "birth_date": birth, "age": age,
                "age_date": age_date, "place": place,
                "sex": p.sex if source in ("ua_registry", "en_ngo") and rng.random() < 0.8 else "",
                "person_id": p.pid, "truth_name": f"{p.given[0]}|{p.family_uk}",
                "truth_birth": p.birth.isoformat(), "truth_place": str(p.place),
                "stated_birth": stated, "stated_place": str(p.place) if place else "",
            })
    rows = rows[:n_records]
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        row["record_id"] = f"r{i + 1:07d}"
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    rows = generate(args.records, args.seed)
    write(rows, args.out)
    persons = len({r["person_id"] for r in rows})
    no_birth = sum(1 for r in rows if not r["stated_birth"]) / len(rows)
    no_place = sum(1 for r in rows if not r["place"]) / len(rows)
    print(f"{len(rows):,} records of {persons:,} persons written to {args.out}; "
          f"without birth information {no_birth:.1%}, without place {no_place:.1%}")


if __name__ == "__main__":
    main()
