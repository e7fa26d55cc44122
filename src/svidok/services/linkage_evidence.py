"""The evidence for and against two person records being one person, in words a
reviewer can check against the records (shown beside the match probability)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core.messages import M_, Text, stored
from svidok.domain import names
from svidok.storage.models import CustodyEpisode, Person, PersonNameKey, Place

#: Custody start dates this close count as the same arrest reported twice.
SAME_ARREST_DAYS = 7


@dataclass
class PersonFacts:
    id: int
    full_name: str
    family_name: str | None
    given_name: str | None
    patronymic: str | None
    source: str
    sex: str
    birth_text: str | None
    birth_lo: date | None
    birth_hi: date | None
    residence: str | None
    residence_id: int | None
    name_keys: set[str] = field(default_factory=set)
    facility_codes: list[str] = field(default_factory=list)
    facility_names: dict[str, str] = field(default_factory=dict)
    custody_from: list[date] = field(default_factory=list)


def facts_of(session: Session) -> dict[int, PersonFacts]:
    """Facts of every person that is not withdrawn, with all recorded name keys and custody."""
    out: dict[int, PersonFacts] = {}
    rows = session.execute(
        select(Person.id, Person.full_name, Person.family_name, Person.given_name, Person.patronymic,
               Person.import_source, Person.created_by, Person.sex, Person.birth_date, Person.birth_lo,
               Person.birth_hi, Place.name_uk, Person.residence_place_id)
        .outerjoin(Place, Place.id == Person.residence_place_id)
        .where(Person.deleted_at.is_(None)).order_by(Person.id))
    for r in rows:
        out[r[0]] = PersonFacts(r[0], r[1], r[2], r[3], r[4], r[5] or r[6] or "svidok", r[7], r[8], r[9], r[10],
                                r[11], r[12])
    keys: dict[int, set[str]] = defaultdict(set)
    for pid, key in session.execute(select(PersonNameKey.person_id, PersonNameKey.key)):
        keys[pid].add(key)
    for pid, f in out.items():
        f.name_keys = keys.get(pid, set()) or set(names.search_keys(f.full_name))
    eps = session.execute(
        select(CustodyEpisode.person_id, CustodyEpisode.date_from_lo, Place.code, Place.name_en)
        .outerjoin(Place, Place.id == CustodyEpisode.facility_place_id)
        .where(CustodyEpisode.deleted_at.is_(None)).order_by(CustodyEpisode.date_from_lo))
    for pid, start, code, name_en in eps:
        f = out.get(pid)
        if f is None:
            continue
        f.custody_from.append(start)
        if code:
            f.facility_codes.append(code)
            f.facility_names[code] = name_en
    return out


def _key(text: str | None) -> str:
    return " ".join(names.search_keys(text or ""))


def _parts(f: PersonFacts) -> tuple[str, str, str]:
    if f.family_name or f.given_name:
        return _key(f.family_name), _key(f.given_name), _key(f.patronymic)
    p = names.split_full_name(f.full_name)
    return _key(p.family), _key(p.given), _key(p.patronymic)


def compare(a: PersonFacts, b: PersonFacts) -> dict:
    """{"for": [...], "against": [...], "missing": [...]} for two records, in English, and
    the same under "said" with each line's message id and values (``core.messages.stored``),
    for the review page in the reader's language."""
    pro: list[Text] = []
    con: list[Text] = []
    missing: list[Text] = []
    (fa, ga, pa), (fb, gb, pb) = _parts(a), _parts(b)
    parts = ((M_("family name"), fa, fb, "family"), (M_("given name"), ga, gb, "given"), (M_("patronymic"), pa, pb, "patronymic"))
    for label, x, y, part in parts:
        if not x or not y:
            missing.append(M_("%(part)s: not recorded for both", part=label))
        elif x == y:
            pro.append(M_("same %(part)s across spellings (%(key)s)", part=label, key=x))
        elif fa and fb and part != "patronymic" and (fa, ga) == (gb, fb):
            pro.append(M_("family and given names swapped"))
        else:
            con.append(M_("%(part)s differs (%(a)s / %(b)s)", part=label, a=x, b=y))
    common = (a.name_keys & b.name_keys) - {fa, ga, pa}
    if common:
        pro.append(M_("other recorded spellings share %(keys)s", keys=", ".join(sorted(common))))
    if a.birth_lo and b.birth_lo:
        if a.birth_text == b.birth_text:
            pro.append(M_("same birth date (%(date)s)", date=a.birth_text))
        elif a.birth_lo <= b.birth_hi and b.birth_lo <= a.birth_hi:
            pro.append(M_("birth dates compatible (%(a)s / %(b)s)", a=a.birth_text, b=b.birth_text))
        else:
            gap = abs(a.birth_lo.year - b.birth_lo.year)
            con.append(M_("birth dates differ (%(a)s / %(b)s, ~%(n)s year(s))", a=a.birth_text, b=b.birth_text, n=gap))
    else:
        missing.append(M_("%(part)s: not recorded for both", part=M_("birth date")))
    if a.sex in ("male", "female") and b.sex in ("male", "female"):
        sexes = {"male": M_("male"), "female": M_("female")}
        if a.sex == b.sex:
            pro.append(M_("sex agrees (%(a)s / %(b)s)", a=sexes[a.sex], b=sexes[b.sex]))
        else:
            con.append(M_("sex differs (%(a)s / %(b)s)", a=sexes[a.sex], b=sexes[b.sex]))
    else:
        missing.append(M_("%(part)s: not recorded for both", part=M_("sex")))
    if a.residence_id and b.residence_id:
        if a.residence_id == b.residence_id:
            pro.append(M_("same place of residence (%(place)s)", place=a.residence))
        else:
            con.append(M_("places of residence differ (%(a)s / %(b)s)", a=a.residence, b=b.residence))
    if a.custody_from and b.custody_from:
        shared = sorted(set(a.facility_codes) & set(b.facility_codes))
        if shared:
            pro.append(M_("held in the same facility (%(facility)s)", facility=a.facility_names[shared[0]]))
        elif a.facility_codes and b.facility_codes:
            con.append(M_("held in different facilities"))
        gap = min(abs((x - y).days) for x in a.custody_from for y in b.custody_from)
        if gap <= SAME_ARREST_DAYS:
            pro.append(M_("detained within %(n)s day(s) of each other", n=gap))
        else:
            con.append(M_("detention dates %(n)s days apart", n=gap))
    elif a.custody_from or b.custody_from:
        missing.append(M_("custody: recorded for one only"))
    if a.source == b.source and a.source != "svidok":
        con.append(M_("both from the same source (%(source)s): a duplicate within one list is less likely",
                      source=a.source))
    lists = {"for": pro, "against": con, "missing": missing}
    return {**{k: [str(t) for t in v] for k, v in lists.items()},
            "said": {k: [stored(t) for t in v] for k, v in lists.items()}}
