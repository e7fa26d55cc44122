"""An independent generator of incident reports where one attack is reported by several sources.

Written apart from the finder (svidok.linkage.incident_duplicates): it imports nothing of
Svidok and knows nothing of its blocking or weights. It draws attacks (events) and then
the reports sources made of them, with what real reports get wrong:

* dates: most exact; some a day off; some known only to the month; some a 2-3 day span;
* places: a point near where it happened (tens of metres to 3 km off), the settlement's
  centre only, or the settlement without coordinates;
* the violation type changes within its family for one report in five; the means is
  missing or different for some; victim counts differ; named victims are kept by some
  reports only;
* titles in Ukrainian, Russian or English, with the settlement's name in that script;
* many attacks in a few big cities, several of the same type on the same day (the
  namesakes of incidents: different attacks that look alike); a bigger set adds
  synthetic villages (about 50 attacks each), not more attacks per day in the cities.

Each report carries ``event``: reports of one event are one incident (the truth).
"""

from __future__ import annotations

import calendar
import math
import random
from datetime import date, timedelta

# (uk, ru, en, lat, lon, weight): real settlements; every event is synthetic.
SETTLEMENTS = [
    ("Харків", "Харьков", "Kharkiv", 49.9935, 36.2304, 30), ("Херсон", "Херсон", "Kherson", 46.6354, 32.6169, 15),
    ("Запоріжжя", "Запорожье", "Zaporizhzhia", 47.8388, 35.1396, 12),
    ("Миколаїв", "Николаев", "Mykolaiv", 46.9750, 31.9946, 8), ("Одеса", "Одесса", "Odesa", 46.4825, 30.7233, 6),
    ("Київ", "Киев", "Kyiv", 50.4501, 30.5234, 6), ("Дніпро", "Днепр", "Dnipro", 48.4647, 35.0462, 5),
    ("Краматорськ", "Краматорск", "Kramatorsk", 48.7389, 37.5848, 5),
    ("Слов'янськ", "Славянск", "Sloviansk", 48.8526, 37.6064, 4), ("Бахмут", "Бахмут", "Bakhmut", 48.5947, 38.0003, 4),
    ("Авдіївка", "Авдеевка", "Avdiivka", 48.1395, 37.7425, 3), ("Куп'янськ", "Купянск", "Kupiansk", 49.7106, 37.6150, 3),
    ("Чернігів", "Чернигов", "Chernihiv", 51.4982, 31.2893, 3), ("Суми", "Сумы", "Sumy", 50.9077, 34.7981, 3),
    ("Нікополь", "Никополь", "Nikopol", 47.5667, 34.3949, 3), ("Ізюм", "Изюм", "Izium", 49.2127, 37.2563, 2),
    ("Маріуполь", "Мариуполь", "Mariupol", 47.0971, 37.5434, 2), ("Буча", "Буча", "Bucha", 50.5486, 30.2120, 1),
    ("Ірпінь", "Ирпень", "Irpin", 50.5218, 30.2506, 1), ("Вугледар", "Угледар", "Vuhledar", 47.7797, 37.2485, 1),
    ("Оріхів", "Орехов", "Orikhiv", 47.5676, 35.7852, 1), ("Гуляйполе", "Гуляйполе", "Huliaipole", 47.6626, 36.2556, 1),
    ("Костянтинівка", "Константиновка", "Kostiantynivka", 48.5277, 37.7069, 2),
    ("Покровськ", "Покровск", "Pokrovsk", 48.2826, 37.1755, 2), ("Вовчанськ", "Волчанск", "Vovchansk", 50.2908, 36.9410, 1),
]
# place ids of the settlements, as a gazetteer would give them
PLACE_ID = {s[2]: 1000 + i for i, s in enumerate(SETTLEMENTS)}

# (type, family, usual means): families let a report name a related type
TYPES = [("attack_on_civilians", "attack", "artillery"), ("attack_on_civilian_objects", "attack", "artillery"),
         ("killing_of_civilians", "attack", "missile"), ("indiscriminate_attack", "attack", "mlrs"),
         ("attack_on_medical", "protected", "missile"), ("attack_on_education", "protected", "artillery"),
         ("attack_on_energy", "infrastructure", "drone"), ("attack_on_transport", "infrastructure", "drone")]
MEANS = ["artillery", "missile", "mlrs", "drone", "aerial_bomb", "small_arms"]
# what was hit, by language
OBJECTS = [("ринок", "рынок", "market"), ("школа", "школа", "school"), ("лікарня", "больница", "hospital"),
           ("житловий будинок", "жилой дом", "apartment building"), ("зупинка", "остановка", "bus stop"),
           ("вокзал", "вокзал", "railway station"), ("підстанція", "подстанция", "power substation"),
           ("церква", "церковь", "church"), ("супермаркет", "супермаркет", "supermarket"),
           ("гуртожиток", "общежитие", "dormitory")]
VERBS = {"artillery": ("Обстріл", "Обстрел", "Shelling of"), "missile": ("Ракетний удар по", "Ракетный удар по",
                                                                         "Missile strike on"),
         "mlrs": ("Обстріл з РСЗВ:", "Обстрел из РСЗО:", "MLRS attack on"),
         "drone": ("Атака дрона на", "Атака дрона на", "Drone attack on"),
         "aerial_bomb": ("Авіаудар по", "Авиаудар по", "Air strike on"),
         "small_arms": ("Обстріл зі стрілецької зброї:", "Обстрел из стрелкового оружия:", "Gunfire at")}
PREP = ("у", "в", "in")
START, END = date(2022, 2, 24), date(2025, 12, 31)


def _offset(lat: float, lon: float, km: float, rng: random.Random) -> tuple[float, float]:
    """A point ``km`` away in a random direction."""
    a = rng.uniform(0, 2 * math.pi)
    return lat + km * math.cos(a) / 111.0, lon + km * math.sin(a) / (111.0 * math.cos(math.radians(lat)))


#: Attacks in the named cities, whatever the size: a bigger set adds villages, not more
#: attacks per day in Kharkiv (which would be a different war, not a bigger register).
CITY_EVENTS = 13_300
EVENTS_PER_VILLAGE = 50


def _villages(n: int, rng: random.Random) -> list[tuple]:
    """Synthetic villages across the south and east (their names carry no words)."""
    out = []
    for k in range(n):
        lat, lon = rng.uniform(46.3, 51.5), rng.uniform(30.0, 40.0)
        out.append((f"с. {k}", f"с. {k}", f"v. {k}", lat, lon, 1, f"village-{k}"))
    return out


def events(n: int, rng: random.Random) -> list[dict]:
    """``n`` attacks: where, when, what, the victims."""
    weights = [s[5] for s in SETTLEMENTS]
    villages = _villages(max(0, n - CITY_EVENTS) // EVENTS_PER_VILLAGE, rng)
    city_share = min(1.0, CITY_EVENTS / n) if villages else 1.0
    days = (END - START).days
    out = []
    for e in range(n):
        s = rng.choices(SETTLEMENTS, weights)[0] if rng.random() < city_share else rng.choice(villages)
        spread = 4.0 if s[5] >= 8 else 1.5  # big cities are wider
        lat, lon = _offset(s[3], s[4], abs(rng.gauss(0, spread)), rng)
        vt, fam, means = rng.choice(TYPES)
        if rng.random() < 0.3:
            means = rng.choice(MEANS)
        killed = int(rng.expovariate(0.5))
        named = [rng.randrange(1, 50 * n + 10) for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))]
        out.append({"event": e, "settlement": s, "day": START + timedelta(days=rng.randrange(days)), "lat": lat,
                    "lon": lon, "type": vt, "family": fam, "means": means, "victims": killed + len(named),
                    "named": named, "object": rng.randrange(len(OBJECTS))})
    return out


def _report(ev: dict, source: int, rng: random.Random) -> dict:
    s = ev["settlement"]
    r = rng.random()
    if r < 0.70:
        lo = hi = ev["day"]
    elif r < 0.85:
        lo = hi = ev["day"] + timedelta(days=rng.choice((-1, 1)))
    elif r < 0.95:
        lo = ev["day"].replace(day=1)
        hi = ev["day"].replace(day=calendar.monthrange(ev["day"].year, ev["day"].month)[1])
    else:
        lo, hi = ev["day"] - timedelta(days=rng.randrange(2)), ev["day"] + timedelta(days=rng.randrange(1, 3))
    r = rng.random()
    if r < 0.50:
        lat, lon = _offset(ev["lat"], ev["lon"], abs(rng.gauss(0, 0.2)), rng)
    elif r < 0.80:
        lat, lon = _offset(ev["lat"], ev["lon"], rng.uniform(1, 3), rng)
    elif r < 0.95:
        lat, lon = s[3], s[4]
    else:
        lat = lon = None
    vt = ev["type"]
    if rng.random() < 0.2:
        vt = rng.choice([t for t, f, _ in TYPES if f == ev["family"]])
    r = rng.random()
    means = ev["means"] if r < 0.7 else None if r < 0.9 else rng.choice(MEANS)
    lang = rng.choices((0, 1, 2), (5, 3, 2))[0]
    verb = VERBS[ev["means"]][lang]
    title = f"{verb} {OBJECTS[ev['object']][lang]} {PREP[lang]} {s[lang]}"
    victims = max(0, ev["victims"] + rng.choice((0, 0, 0, -1, 1, 2)))
    named = [p for p in ev["named"] if rng.random() < 0.6]
    place = 100_000 + int(s[6].split("-")[1]) if len(s) > 6 else PLACE_ID[s[2]]
    return {"event": ev["event"], "date_lo": lo, "date_hi": hi, "lat": lat, "lon": lon, "place_id": place,
            "types": [vt], "means": [means] if means else [], "persons": named, "victims": victims,
            "sources": [source], "title": title}


def reports(n_reports: int, seed: int = 20261205) -> list[dict]:
    """About ``n_reports`` reports (ids 1…) of fewer events, shuffled as lists arrive."""
    rng = random.Random(seed)
    n_events = max(1, int(n_reports / 1.6))
    sources = max(20, n_reports // 40)
    out = []
    for ev in events(n_events, rng):
        k = rng.choices((1, 2, 3, 4), (60, 25, 10, 5))[0]
        # Big outlets report much (more than any block takes): source 1..5 are them.
        chosen = rng.sample(range(1, sources + 1), k) if rng.random() < 0.7 else [rng.randrange(1, 6)] * k
        out.extend(_report(ev, src, rng) for src in chosen)
        if len(out) >= n_reports:
            break
    rng.shuffle(out)
    for i, r in enumerate(out, 1):
        r["id"] = i
    return out


def true_pairs(rows: list[dict]) -> set[tuple[int, int]]:
    """Pairs of reports of one event (lower id first)."""
    by_event: dict[int, list[int]] = {}
    for r in rows:
        by_event.setdefault(r["event"], []).append(r["id"])
    return {(min(a, b), max(a, b)) for ids in by_event.values() for i, a in enumerate(ids) for b in ids[i + 1:]}
