"""Synthetic person records with known truth, for the linkage benchmarks.

Every person is invented: names, patronymics and places are drawn from Faker's
uk_UA lists. Each person is reported by one to four sources, each writing the
name in its own way and making its own mistakes:

* ``ua_registry`` - Ukrainian Cyrillic, "Прізвище Ім'я По батькові", full date;
* ``ngo_en``      - Latin, official KMU 2010 or a common English given name,
                    "Given Family", often birth year and month only;
* ``ru_list``     - Russian spelling ("Александр" for "Олександр"), DD.MM.YYYY;
* ``media``       - Latin in an older transliteration (German, BGN, passport
                    tables), age at the time of the event instead of a birth date.

Noise: typos in family or given names, swapped given/family order, missing birth
day or whole date, missing place, the age instead of the date.

About a third of the persons were detained: sources may name the facility
(invented names such as "СІЗО-7") and a first date in custody a few days apart.
Identity document numbers (invented, nine digits) appear mostly in the registry.
"""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pandas as pd
from faker.providers.address.uk_UA import Provider as AddressProvider
from faker.providers.person.uk_UA import Provider as PersonProvider
from names_translator._text import normalize_key
from names_translator.dicts import default_dicts
from translitua import (
    RussianInternationalPassport,
    UkrainianBGN,
    UkrainianGerman,
    UkrainianKMU,
    UkrainianNational1996,
    UkrainianPassport2007,
    translit,
)

from svidok.domain.names import name_forms

SOURCES = ("ua_registry", "ngo_en", "ru_list", "media")
OLD_TABLES = (UkrainianGerman, UkrainianBGN, UkrainianPassport2007, UkrainianNational1996)
EVENT_YEAR = 2022
FACILITIES = [f"{kind}-{n}" for kind in ("СІЗО", "Колонія", "ІТТ") for n in range(1, 41)]


@cache
def _russian(word: str, category: str) -> str:
    found = default_dicts().lookup_key(normalize_key(word), category, 1)
    return found[0] if found else word


@cache
def _english_given(word: str) -> str:
    en = name_forms(word).get("en")
    return en if en else translit(word, UkrainianKMU)


@cache
def _latin(word: str, table_index: int) -> str:
    return translit(word, UkrainianKMU if table_index < 0 else OLD_TABLES[table_index])


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1:]  # deletion
    if kind == 1:
        return word[:i] + word[i] + word[i:]  # doubling
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # transposition
    alphabet = "абвгдежзиклмнопрстуф" if word[i] >= "\u0400" else "abdeiklmnoprstuvy"
    return word[:i] + rng.choice(alphabet) + word[i + 1:]  # substitution


def generate(records: int, seed: int = 7, typo_rate: float = 0.08, swap_rate: float = 0.04) -> pd.DataFrame:
    """About ``records`` records; column ``person_id`` is the truth."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    P = PersonProvider
    cities = list(AddressProvider.city_names)
    counts_p = np.array([0.35, 0.30, 0.22, 0.13])
    n_persons = int(1.05 * records / float((counts_p * np.arange(1, 5)).sum())) + 1
    per_person = nrng.choice(np.arange(1, 5), size=n_persons, p=counts_p)
    rows: list[tuple] = []
    rid = 0
    for pid in range(n_persons):
        male = rng.random() < 0.5
        given = rng.choice(P.first_names_male if male else P.first_names_female)
        family = rng.choice(P.last_names_male if male else P.last_names_female)
        patr = rng.choice(P.middle_names_male if male else P.middle_names_female)
        birth = (rng.randint(1935, 2015), rng.randint(1, 12), rng.randint(1, 28))
        place = rng.choice(cities)
        custody = None
        if rng.random() < 0.3:
            start = 19000 + rng.randrange(900)  # days since 1970: 2022-2024
            custody = (rng.choice(FACILITIES), start)
        document = f"{rng.randrange(10**8, 10**9)}"
        for source in rng.sample(SOURCES, int(per_person[pid])):
            rid += 1
            row = _render(rid, pid, source, male, family, given, patr, birth, place,
                          rng, typo_rate, swap_rate)
            rows.append(row + _custody_and_document(source, custody, document, rng))
            if rid >= records:
                break
        if rid >= records:
            break
    columns = ["record_id", "source", "name", "birth_date", "place", "sex", "age", "age_date",
               "person_id", "facility", "custody_from", "document_id"]
    df = pd.DataFrame(rows, columns=columns)
    return df[[c for c in columns if c != "person_id"] + ["person_id"]]


def _custody_and_document(source, custody, document, rng) -> tuple[str, str, str]:
    facility = custody_from = doc = ""
    if custody and rng.random() < 0.7:
        name, day = custody
        if rng.random() < 0.1:
            name = rng.choice(FACILITIES)  # transferred: this source saw another facility
        facility = name if source in ("ua_registry", "ru_list") else _latin(name, -1)
        if rng.random() < 0.8:
            shift = 0 if source == "ua_registry" else rng.randint(-5, 5)
            custody_from = pd.Timestamp("1970-01-01") + pd.Timedelta(days=day + shift)
            custody_from = custody_from.strftime("%Y-%m-%d")
    share = {"ua_registry": 0.6, "ru_list": 0.2}.get(source, 0.0)
    if rng.random() < share:
        doc = document if rng.random() > 0.05 else document[:-1] + str((int(document[-1]) + 1) % 10)
    return facility, custody_from, doc


def _render(rid, pid, source, male, family, given, patr, birth, place, rng, typo_rate, swap_rate):
    y, m, d = birth
    age = age_date = ""
    sex = ("m" if male else "f") if rng.random() < 0.7 else ""
    if source == "ua_registry":
        f, g, p, pl = family, given, patr, place
        bd = f"{y:04d}-{m:02d}-{d:02d}"
    elif source == "ru_list":
        f, g, p = _russian(family, "last"), _russian(given, "first"), _russian(patr, "patronymic")
        pl = translit(place, RussianInternationalPassport) if rng.random() < 0.2 else _russian(place, "last")
        bd = f"{d:02d}.{m:02d}.{y:04d}"
    elif source == "ngo_en":
        f = _latin(family, -1)
        g = _english_given(given) if rng.random() < 0.5 else _latin(given, -1)
        p, pl = "", _latin(place, -1)
        bd = f"{y:04d}-{m:02d}" if rng.random() < 0.5 else f"{y:04d}"
    else:  # media: older transliterations, age at the event
        t = rng.randrange(len(OLD_TABLES))
        f, g, p, pl = _latin(family, t), _latin(given, t), "", _latin(place, t)
        bd = ""
        age_date = f"{EVENT_YEAR}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        age = str(EVENT_YEAR - y - (1 if rng.random() < 0.5 else 0))
    if rng.random() < typo_rate:
        f = _typo(f, rng)
    if rng.random() < typo_rate / 2:
        g = _typo(g, rng)
    if rng.random() < 0.1:
        bd = bd[:4] if bd and bd[0].isdigit() and "-" in bd else bd  # day and month lost
    if rng.random() < 0.08:
        bd = ""
    if rng.random() < 0.15:
        pl = ""
    latin_order = source in ("ngo_en", "media")
    swapped = rng.random() < swap_rate
    if latin_order != swapped:
        name = " ".join(x for x in (g, p, f) if x)
    else:
        name = " ".join(x for x in (f, g, p) if x)
    return (f"r{rid}", source, name, bd, pl, sex, age, age_date, f"p{pid}")


if __name__ == "__main__":
    print(generate(12, seed=1).to_string())
