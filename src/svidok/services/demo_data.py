"""Deterministic synthetic demo data (every record is marked ``synthetic``).

Names come from Faker's ``uk_UA`` lists with their Latin and Russian spellings; places
are real places of the gazetteer; dates run from 2014 (Crimea, Donbas) and mostly from
24 Feb 2022; victims' ages are skewed the way monitoring reports describe (older people
and children present). The generator yields batches of plain rows with ids assigned
up front, so the bulk loader can insert them without round trips.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from faker.providers.person.uk_UA import Provider as UkNames
from sqlalchemy import func, select

from svidok.domain import names, people
from svidok.domain.vocab import Vocabularies
from svidok.storage.models import CustodyEpisode, Displacement, HazardArea, Incident, Person, Place, Source

from . import row_commitments
from .demo_scenarios import FACILITY_OUTCOMES, FRONTLINE_PREFIXES, HOST_COUNTRIES, OCCUPIED_PREFIXES, SCENARIOS
from .incidents import search_text
from .rowsets import Rows

if TYPE_CHECKING:
    from svidok.app import Svidok

FULL_INVASION = date(2022, 2, 24)
#: The lists a synthetic victim may be documented by (``persons.import_source``), each with the
#: chance it documents a given victim, independently: people on several lists are the overlaps
#: multiple systems estimation needs (``svidok estimate --from-db``).
DEMO_LISTS = (("demo:hotline", 0.55), ("demo:ngo-list", 0.35), ("demo:media", 0.25), ("demo:exchange-list", 0.15))
#: How each list spells names (forms from ``names.name_forms``; None = as recorded in Ukrainian).
_LIST_SPELLING = {"demo:hotline": None, "demo:ngo-list": None, "demo:media": "uk_latin", "demo:exchange-list": "ru_cyrillic"}
TABLES = ("persons", "person_names", "person_name_keys", "sources", "incidents", "acts", "victims",
          "qualifications", "perpetrators", "incident_sources", "custody_episodes", "proofs_of_life",
          "displacements", "hazard_areas", "hazard_casualties")


@dataclass
class Batch:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in TABLES})
    incidents: int = 0
    #: Table -> its tuples packed for the ledger commitment (``row_commitments.pre_seal``).
    sealed: dict = field(default_factory=dict)


#: Column order of the tuples the generator appends (``services.rowsets.Rows``), per table,
#: and the values every row of that table shares (besides the audit columns of records).
_LAYOUT: dict[str, tuple[tuple[str, ...], dict]] = {
    "incidents": (("id", "confidentiality", "title", "title_i18n", "narrative", "narrative_i18n", "date_start", "date_lo", "date_hi",
                   "place_id", "lat", "lon", "verification_status", "search_text"),
                  {"import_source": None, "date_end": None, "location_precision": "settlement"}),
    "sources": (("id", "kind", "pseudonym", "reliability", "credibility", "consent_contact",
                 "consent_share_prosecutors", "consent_publish"),
                {"import_source": None, "confidentiality": "confidential", "description": "Synthetic source",
                 "identity_protected": True, "identity_enc": None, "contact_enc": None, "url": None, "risk": None}),
    "incident_sources": (("incident_id", "source_id"), {"note": None}),
    "acts": (("id", "incident_id", "violation_type", "means"),
             {"import_source": None, "description": None, "date_start": None}),
    "qualifications": (("id", "act_id", "provision"), {"note": None}),
    "perpetrators": (("id", "act_id"), {"organisation_id": None, "person_id": None,
                                        "description": "Russian armed forces (unit unknown)", "mode": "direct_perpetrator"}),
    "persons": (("id", "import_source", "full_name", "family_name", "given_name", "patronymic", "sex", "birth_date",
                 "birth_lo", "birth_hi", "age_band", "status", "characteristics", "merged_into_id", "life_status"),
                {"confidentiality": "restricted", "residence_place_id": None,
                 "address_enc": None, "contact_enc": None, "notes": None}),
    "person_names": (("id", "person_id", "name", "script", "lang"), {"kind": "as_recorded"}),
    "person_name_keys": (("id", "person_id", "key"), {}),
    "victims": (("id", "act_id", "person_id", "count", "group_description", "harm", "status", "sex", "age",
                 "age_band", "characteristics"), {}),
    "hazard_areas": (("id", "name", "place_id", "lat", "lon", "contamination", "status", "date_reported"),
                     {"import_source": None, "confidentiality": "public", "geometry": None, "date_cleared": None,
                      "notes": None}),
    "hazard_casualties": (("hazard_id", "incident_id"), {}),
    "custody_episodes": (("id", "person_id", "authority", "facility_place_id", "date_from", "date_from_lo", "date_to",
                          "date_to_hi", "acknowledged", "monitor_access", "incommunicado", "charges", "court",
                          "forced_labour", "outcome", "last_proof_of_life"),
                         {"import_source": None, "confidentiality": "confidential", "authority_org_id": None,
                          "transferred_from_id": None, "sentence": None, "fair_trial_concerns": None, "notes": None}),
    "proofs_of_life": (("id", "episode_id", "kind", "date", "date_lo", "date_hi"), {"note": None}),
    "displacements": (("id", "person_id", "kind", "from_place_id", "to_country", "date", "date_lo", "date_hi",
                       "protection_status"),
                      {"import_source": None, "confidentiality": "restricted", "group_count": 1, "to_place_id": None,
                       "notes": None}),
}
#: Tables whose rows are versioned records (they carry the audit columns).
_RECORDS = ("incidents", "sources", "acts", "persons", "hazard_areas", "custody_episodes", "displacements")
_IN_CASES = tuple(t for t in _RECORDS if t != "acts")  # records that can belong to a case


def _flag(value: bool | None) -> int | None:
    """A boolean in storage form (0/1), None kept."""
    return None if value is None else int(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class IdCounter:
    def __init__(self, start: dict[str, int]):
        self.next = dict(start)

    def __call__(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


class DemoGenerator:
    """Generates ``size`` incidents in batches; the same seed gives the same data."""

    def __init__(self, vocab: Vocabularies, places: list[tuple], facilities: list[tuple], start_ids: dict[str, int],
                 seed: int = 2022, today: date | None = None):
        self.vocab = vocab
        self.rnd = random.Random(seed)
        self.ids = IdCounter(start_ids)
        self.today = today or date(2026, 10, 31)
        self.now = datetime(2026, 11, 1, tzinfo=UTC)
        ua = [p for p in places if p[2] == "UA"]
        self.places = ua
        self.occupied = [p for p in ua if p[1].startswith(OCCUPIED_PREFIXES)] or ua
        self.frontline = [p for p in ua if p[1].startswith(FRONTLINE_PREFIXES)] or ua
        self.facilities = facilities or ua
        self.scenarios = list(SCENARIOS)
        self.cum_weights = list(__import__("itertools").accumulate(s.weight for s in SCENARIOS))
        self._band = {age: people.age_band(vocab, age) for age in range(0, 126)}
        self._title_keys: dict[tuple[str, str], str] = {}
        self.male = [n for n in UkNames.first_names_male if len(n) > 2]
        self.female = [n for n in UkNames.first_names_female if len(n) > 2]
        self.last = [n for n in UkNames.last_names if len(n) > 2]
        self.patr_m = list(UkNames.middle_names_male)
        self.patr_f = list(UkNames.middle_names_female)
        self.outcomes = [o for o, _ in FACILITY_OUTCOMES]
        self.outcome_w = [w for _, w in FACILITY_OUTCOMES]
        self._forms: dict[str, dict[str, str]] = {}
        self._recent_sources: list[int] = []

    # -- small pieces -------------------------------------------------------------
    def _new_batch(self) -> Batch:
        audit = {"version": 1, "created_at": self.now, "updated_at": self.now, "created_by": "demo",
                 "synthetic": True, "deleted_at": None, "deleted_reason": None, "source_key": None}
        rows = {t: Rows(cols, {**(audit if t in _RECORDS else {}), **({"case_id": None} if t in _IN_CASES else {}),
                               **const}) for t, (cols, const) in _LAYOUT.items()}
        return Batch(rows={t: rows[t] for t in TABLES})

    def _date(self, occupied: bool) -> tuple[str, date, date]:
        r = self.rnd.random()
        if r < 0.08 or (occupied and r < 0.15):
            start, end = date(2014, 2, 20), date(2022, 2, 23)
        else:
            start, end = FULL_INVASION, self.today
        d = start + timedelta(days=self.rnd.randrange((end - start).days + 1))
        p = self.rnd.random()
        if p < 0.75:
            return d.isoformat(), d, d
        if p < 0.90:
            lo = d.replace(day=1)
            hi = (lo + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return lo.isoformat()[:7], lo, hi
        if p < 0.95:
            return f"~{d.isoformat()}", d - timedelta(days=7), d + timedelta(days=7)
        return str(d.year), date(d.year, 1, 1), date(d.year, 12, 31)

    def _age(self, child: bool) -> int:
        if child:
            return self.rnd.randrange(0, 18)
        r = self.rnd.random()
        if r < 0.09:
            return self.rnd.randrange(0, 18)
        if r < 0.55:
            return self.rnd.randrange(18, 60)
        return min(100, 60 + int(self.rnd.expovariate(1 / 11)))

    def _forms_of(self, full: str) -> dict[str, str]:
        forms = self._forms.get(full)
        if forms is None:
            forms = self._forms[full] = names.name_forms(full)
        return forms

    def _person(self, b: Batch, incident_day: date, child: bool, status: str, life: str) -> tuple[int, dict]:
        sex = "male" if (status == "prisoner_of_war" or self.rnd.random() < 0.55) else "female"
        given = self.rnd.choice(self.male if sex == "male" else self.female)
        family = self.rnd.choice(self.last)
        patr = self.rnd.choice(self.patr_m if sex == "male" else self.patr_f)
        if sex == "female" and family.endswith(("ський", "цький")):
            family = family[:-2] + "а"
        age = self._age(child) if status != "prisoner_of_war" else self.rnd.randrange(19, 56)
        full = f"{family} {given} {patr}"
        pid = self.ids("persons")
        birth_year = incident_day.year - age - (1 if self.rnd.random() < 0.5 else 0)
        r = self.rnd.random()
        if r < 0.6:
            bd = date(birth_year, self.rnd.randrange(1, 13), self.rnd.randrange(1, 29))
            birth, lo, hi = bd.isoformat(), bd, bd
        elif r < 0.85:
            birth, lo, hi = str(birth_year), date(birth_year, 1, 1), date(birth_year, 12, 31)
        else:
            birth, lo, hi = None, None, None
        chars = people.characteristics_at_age([], age)
        if self.rnd.random() < 0.02:
            chars.append("journalist")
        if self.rnd.random() < 0.03:
            chars.append("person_with_disability")
        lists: list[str] = []
        while not lists:  # documented by at least one list (those on none are the undocumented)
            lists = [name for name, p in DEMO_LISTS if self.rnd.random() < p]
        b.rows["persons"].append((pid, lists[0], full, family, given, patr, sex, birth, _iso(lo), _iso(hi),
                                  None if birth else self._band[age], status, people.pack(chars), None, life))
        recorded = [(full, "Cyrl", "uk")]  # the first is persons.full_name; person_names keeps the others
        if self.rnd.random() < 0.3:
            kind = "ru_cyrillic" if self.rnd.random() < 0.5 else "uk_latin"
            g, f = self._forms_of(given).get(kind), self._forms_of(family).get(kind)
            alt = f"{g} {f}" if g and f else None
            if alt:
                recorded.append((alt, "Cyrl" if alt[0] >= "\u0400" else "Latn", "ru" if alt[0] >= "\u0400" else None))
        keys: set[str] = set()
        for i, (text, script, lang) in enumerate(recorded):
            keys.update(names.search_keys(text))
            if i == 0:
                continue
            b.rows["person_names"].append((self.ids("person_names"), pid, text, script, lang))
        for k in keys:
            b.rows["person_name_keys"].append((self.ids("person_name_keys"), pid, k))
        return pid, {"sex": sex, "age": age, "chars": chars, "lists": lists, "given": given, "family": family,
                     "patronymic": patr, "full": full, "birth_year": birth_year, "status": status, "life": life}

    # -- incidents -------------------------------------------------------------------
    def batches(self, size: int, batch_size: int = 5000) -> Iterator[Batch]:
        done = 0
        while done < size:
            b = self._new_batch()
            n = min(batch_size, size - done)
            for _ in range(n):
                self._incident(b)
            b.incidents = n
            done += n
            row_commitments.pre_seal(b)
            yield b

    def _incident(self, b: Batch) -> None:
        rnd = self.rnd
        sc = rnd.choices(self.scenarios, cum_weights=self.cum_weights)[0]
        pool = self.occupied if sc.occupied else (self.frontline if rnd.random() < 0.8 else self.places)
        place = rnd.choice(pool)
        pid_, code, _, name_en, name_uk, lat, lon = place
        text, lo, hi = self._date(sc.occupied)
        iid = self.ids("incidents")
        title = sc.title_en.format(place=name_en)
        narrative = (f"Synthetic record. {title} on {text}. Witnesses describe the event; "
                     f"the documenter recorded victims and sources.")
        title_uk = sc.title_uk.format(place=name_uk)
        narrative_uk = (f"Синтетичний запис. {title_uk}. Дата: {text}. Свідки описують подію; документувальник "
                        f"записав потерпілих і джерела.")
        confidentiality = rnd.choices(("public", "restricted", "confidential"), (30, 60, 10))[0]
        b.rows["incidents"].append((
            iid, confidentiality, title, json.dumps({"uk": title_uk}, ensure_ascii=False), narrative,
            json.dumps({"uk": narrative_uk}, ensure_ascii=False),
            text, lo.isoformat(), hi.isoformat(), pid_,
            round(lat + rnd.uniform(-0.05, 0.05), 5) if lat is not None else None,
            round(lon + rnd.uniform(-0.05, 0.05), 5) if lon is not None else None,
            rnd.choices(("unverified", "partially_verified", "verified"), (40, 35, 25))[0],
            self._search_text(title, name_uk, title_uk)))
        # A source (a witness, a channel) usually speaks to several incidents.
        if self._recent_sources and rnd.random() < 0.7:
            src = rnd.choice(self._recent_sources)
        else:
            src = self._source(b)
        b.rows["incident_sources"].append((iid, src))
        acts = [sc.violation_type] + ([sc.second_act] if sc.second_act and rnd.random() < 0.4 else [])
        day = lo
        for k, vt in enumerate(acts):
            aid = self.ids("acts")
            means = rnd.choice(sc.means)
            b.rows["acts"].append((aid, iid, vt, means))
            if k == 0 and rnd.random() < 0.3:
                provisions = self.vocab["violation_types"].terms[vt].extra.get("provisions") or []
                if provisions:
                    b.rows["qualifications"].append((self.ids("qualifications"), aid, rnd.choice(provisions)))
            if k > 0:
                continue
            b.rows["perpetrators"].append((self.ids("perpetrators"), aid))
            self._victims(b, sc, aid, day, iid, place)

    def _source(self, b: Batch) -> int:
        rnd = self.rnd
        src = self.ids("sources")
        b.rows["sources"].append((
            src, rnd.choice(("witness", "victim", "relative", "media", "open_source_post", "hotline")),
            f"SRC-{src:06d}", rnd.choice("ABCDEF"), rnd.choice("123456"),
            int(rnd.random() < 0.7), int(rnd.random() < 0.5), int(rnd.random() < 0.2)))
        self._recent_sources = (self._recent_sources + [src])[-50:]
        return src

    def _search_text(self, title: str, name_uk: str, title_uk: str) -> str:
        key = (title, name_uk)  # the Ukrainian title follows from the same scenario and place
        text = self._title_keys.get(key)
        if text is None:
            # The service's keys of a title and its translation, with the place's Ukrainian name
            # (the narrative, all template, is left out of the demo's full-text index).
            text = self._title_keys[key] = search_text(title, None, {"place": name_uk, "title_uk": title_uk})
        return text

    def _victims(self, b: Batch, sc, aid: int, day: date, iid: int, place: tuple) -> None:
        rnd = self.rnd
        n_persons = 1 if sc.custody else rnd.choice((0, 1, 1, 2, 3))
        for _ in range(n_persons):
            # A victim killed here is dead on their person record, as the victim form makes it.
            person_id, p = self._person(b, day, sc.child_victims, sc.victim_status,
                                        "dead" if sc.harm == "killed" else "unknown")
            chars = people.pack(p["chars"])
            b.rows["victims"].append((self.ids("victims"), aid, person_id, 1, None, sc.harm, sc.victim_status, p["sex"],
                                      p["age"], self._band[p["age"]], chars))
            # The same person as the other lists recorded them: their own person record (spelt their
            # way), already linked to the first one, and their own victim row for the same act.
            for other in p["lists"][1:]:
                dup = self.ids("persons")
                kind = _LIST_SPELLING[other]
                forms_g, forms_f = self._forms_of(p["given"]), self._forms_of(p["family"])
                g, f = (forms_g.get(kind), forms_f.get(kind)) if kind else (p["given"], p["family"])
                spelt = f"{g} {f}" if g and f else p["full"]
                year = p["birth_year"]
                b.rows["persons"].append((dup, other, spelt, f or p["family"], g or p["given"], None, p["sex"], str(year),
                                          f"{year:04d}-01-01", f"{year:04d}-12-31", None, p["status"], chars, person_id,
                                          p["life"]))
                for k in set(names.search_keys(spelt)):
                    b.rows["person_name_keys"].append((self.ids("person_name_keys"), dup, k))
                b.rows["victims"].append((self.ids("victims"), aid, dup, 1, None, sc.harm, sc.victim_status, p["sex"],
                                          p["age"], self._band[p["age"]], chars))
            if sc.custody:
                self._custody(b, person_id, day, sc)
            if sc.displacement:
                self._displacement(b, person_id, day, place)
        if not sc.custody and rnd.random() < 0.35:
            b.rows["victims"].append((self.ids("victims"), aid, None, rnd.randrange(2, 15),
                                      "residents (names not yet known)", sc.harm, sc.victim_status, "unknown", None, None,
                                      people.pack(["child"]) if sc.child_victims else "|"))
        if sc.hazard and rnd.random() < 0.5:
            hid = self.ids("hazard_areas")
            b.rows["hazard_areas"].append((
                hid, f"Contaminated area near {place[3]}", place[0], (place[5] or 48.5) + rnd.uniform(-0.1, 0.1),
                (place[6] or 35) + rnd.uniform(-0.1, 0.1),
                "cluster_submunition" if "cluster" in sc.violation_type else rnd.choice(("ap_mine", "at_mine", "uxo")),
                rnd.choices(("suspected", "confirmed", "cleared"), (50, 35, 15))[0], day.isoformat()))
            b.rows["hazard_casualties"].append((hid, iid))

    def _custody(self, b: Batch, person_id: int, day: date, sc) -> None:
        rnd = self.rnd
        eid = self.ids("custody_episodes")
        outcome = rnd.choices(self.outcomes, self.outcome_w)[0]
        ended = None if outcome in ("in_custody", "unknown") else day + timedelta(days=rnd.randrange(20, 900))
        if ended and ended > self.today:
            ended, outcome = None, "in_custody"
        acknowledged = None if rnd.random() < 0.3 else rnd.random() < (0.2 if sc.violation_type == "enforced_disappearance" else 0.6)
        pols = []
        if rnd.random() < 0.6:
            d = day
            for _ in range(rnd.randrange(1, 4)):
                d = d + timedelta(days=rnd.randrange(30, 300))
                if d > (ended or self.today):
                    break
                pols.append(d)
        facility = rnd.choice(self.facilities)
        authority = rnd.choice(("armed_forces_rf", "fsb", "penitentiary_service_rf", "occupation_administration"))
        monitor_access = rnd.random() < 0.1
        incommunicado = acknowledged is False or rnd.random() < 0.3
        trial = sc.violation_type == "denial_of_fair_trial"
        b.rows["custody_episodes"].append((
            eid, person_id, authority, facility[0], day.isoformat(), day.isoformat(), _iso(ended), _iso(ended),
            _flag(acknowledged), int(monitor_access), int(incommunicado),
            "'extremism' (synthetic)" if trial else None, "occupation 'court' (synthetic)" if trial else None,
            int(sc.violation_type == "forced_labour"), outcome, _iso(max(pols)) if pols else None))
        for d in pols:
            kind = rnd.choice(("letter", "phone_call", "video", "released_detainee_testimony"))
            b.rows["proofs_of_life"].append((self.ids("proofs_of_life"), eid, kind, d.isoformat(), d.isoformat(),
                                             d.isoformat()))

    def _displacement(self, b: Batch, person_id: int, day: date, place: tuple) -> None:
        country, status = self.rnd.choice(HOST_COUNTRIES)
        b.rows["displacements"].append((
            self.ids("displacements"), person_id, "deported" if country == "RU" else "refugee", place[0], country,
            day.isoformat(), day.isoformat(), day.isoformat(), status))


def generator_for(app: Svidok, session, seed: int = 2022) -> DemoGenerator:
    """A generator whose ids continue after what the database already holds."""
    places = session.execute(
        select(Place.id, Place.code, Place.country, Place.name_en, Place.name_uk, Place.lat, Place.lon)
        .where(Place.level.in_(("raion", "hromada", "settlement")))
        .order_by(Place.id)
    ).all()
    if not places:
        places = session.execute(select(Place.id, Place.code, Place.country, Place.name_en, Place.name_uk,
                                        Place.lat, Place.lon).where(Place.level == "oblast").order_by(Place.id)).all()
    facilities = session.execute(select(Place.id, Place.code, Place.country, Place.name_en, Place.name_uk, Place.lat,
                                        Place.lon).where(Place.level == "facility").order_by(Place.id)).all()
    start = {}
    for table, model in (("incidents", Incident), ("persons", Person), ("sources", Source),
                         ("custody_episodes", CustodyEpisode), ("displacements", Displacement),
                         ("hazard_areas", HazardArea)):
        start[table] = (session.scalar(select(func.max(model.id))) or 0) + 1
    from svidok.storage.models import Act, Perpetrator, PersonName, PersonNameKey, ProofOfLife, Qualification, Victim
    for table, model in (("acts", Act), ("victims", Victim), ("person_names", PersonName),
                         ("person_name_keys", PersonNameKey), ("perpetrators", Perpetrator),
                         ("qualifications", Qualification), ("proofs_of_life", ProofOfLife)):
        start[table] = (session.scalar(select(func.max(model.id))) or 0) + 1
    return DemoGenerator(app.vocab, [tuple(p) for p in places], [tuple(f) for f in facilities], start, seed)
