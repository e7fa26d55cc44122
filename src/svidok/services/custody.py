"""Detainees, prisoners of war and the disappeared: status derived from custody
episodes, enforced-disappearance flags with their facts, and the monitoring view.

A person's custody status is never typed by hand: it follows from the episodes of
the person (and of every record merged into the same person). An episode that a
later episode continues (``transferred_from_id``) is superseded by the transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, exists, false, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.domain import people
from svidok.storage.hints import indexed_by
from svidok.storage.models import CustodyEpisode, Person, Place, PlaceOccupation

from . import merges, places

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Derived statuses, most urgent first.
STATUSES = ("disappeared", "held", "died_in_custody", "unknown", "exchanged", "returned_home", "released",
            "escaped", "never_detained")
_ENDED = {"released": "released", "exchanged": "exchanged", "returned_home": "returned_home",
          "died_in_custody": "died_in_custody", "escaped": "escaped"}
#: Outcomes under which the person may still be deprived of liberty.
OPEN_OUTCOMES = ("in_custody", "unknown")
MONITOR_ORDERS = ("longest_without_proof", "newest")


@dataclass(frozen=True)
class Episode:
    """What status derivation needs of one episode (pure data, no session)."""

    id: int
    date_from_lo: date
    date_to_hi: date | None
    outcome: str
    acknowledged: bool | None
    incommunicado: bool | None
    monitor_access: bool | None
    facility_place_id: int | None
    transferred_from_id: int | None
    last_proof_of_life: date | None

    @classmethod
    def of(cls, e: CustodyEpisode) -> Episode:
        return cls(e.id, e.date_from_lo, e.date_to_hi, e.outcome, e.acknowledged, e.incommunicado,
                   e.monitor_access, e.facility_place_id, e.transferred_from_id, e.last_proof_of_life)

    @property
    def is_open(self) -> bool:
        return self.outcome == "in_custody" or (self.outcome == "unknown" and self.date_to_hi is None)


def current_episodes(episodes: list[Episode]) -> list[Episode]:
    """Episodes no transfer continues, oldest first."""
    superseded = {e.transferred_from_id for e in episodes if e.transferred_from_id}
    return sorted((e for e in episodes if e.id not in superseded), key=lambda e: (e.date_from_lo, e.id))


def disappearance_facts(e: Episode) -> list[str]:
    """Why an episode is a possible enforced disappearance ([] when it is not).

    The definition (ICPPED art. 2): deprivation of liberty, followed by a refusal to
    acknowledge it or by concealment of the person's fate or whereabouts.
    """
    if not e.is_open:
        return []
    denied = e.acknowledged is False
    concealed = e.facility_place_id is None and e.incommunicado is True
    if not (denied or concealed):
        return []
    facts = [f"deprived of liberty since {e.date_from_lo.isoformat()} (episode {e.id})"]
    if denied:
        facts.append("the detaining power refuses to acknowledge the detention or conceals it")
    if e.facility_place_id is None:
        facts.append("place of detention unknown")
    if e.incommunicado:
        facts.append("held incommunicado")
    if e.monitor_access is not True:
        facts.append("no known access by independent monitors")
    facts.append(f"last proof of life {e.last_proof_of_life.isoformat()}" if e.last_proof_of_life
                 else "no proof of life since detention")
    return facts


def derive_status(episodes: list[Episode]) -> tuple[str, Episode | None]:
    """The person's status and the episode it rests on (see :data:`STATUSES`)."""
    current = current_episodes(episodes)
    if not current:
        return "never_detained", None
    open_eps = [e for e in current if e.outcome == "in_custody"]
    for e in open_eps:
        if disappearance_facts(e):
            return "disappeared", e
    if open_eps:
        return "held", open_eps[-1]
    last = max(current, key=lambda e: (e.date_to_hi or e.date_from_lo, e.id))
    if last.outcome in _ENDED:
        return _ENDED[last.outcome], last
    return ("disappeared" if disappearance_facts(last) else "unknown"), last


def marks(person: Person, today: date) -> list[str]:
    """``child`` / ``older_person`` today, from the birth date or the recorded characteristics."""
    out = [c for c in people.unpack(person.characteristics) if c in ("child", "older_person")]
    if person.birth_lo and person.birth_hi:
        youngest = today.year - person.birth_hi.year - ((today.month, today.day) < (person.birth_hi.month, person.birth_hi.day))
        oldest = today.year - person.birth_lo.year - ((today.month, today.day) < (person.birth_lo.month, person.birth_lo.day))
        if oldest <= people.CHILD_MAX_AGE and "child" not in out:
            out.append("child")
        if youngest >= people.OLDER_MIN_AGE and "older_person" not in out:
            out.append("older_person")
        if youngest > people.CHILD_MAX_AGE and "child" in out:
            out.remove("child")  # a child when documented, an adult now
    return out


def _facility(s: Session, place_id: int | None, on: date) -> dict | None:
    if place_id is None:
        return None
    place = places.get(s, place_id)
    occ = places.occupation_status(s, place, on)
    return {"id": place.id, "code": place.code, "name_en": place.name_en, "name_uk": place.name_uk,
            "country": place.country, "occupied_on_detention": occ is not None and occ.status == "occupied"}


def person_status(app: Svidok, actor: Actor, person_id: int, today: date | None = None) -> dict:
    """Derived custody status of a person (and every record merged with it), with the facts."""
    today = today or date.today()
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, M_("person %(id)s", id=person_id))
        ids = merges.cluster_ids(s, merges.root_of(s, person.id))
        rows = s.scalars(select(CustodyEpisode).where(
            CustodyEpisode.person_id.in_(ids), access.visibility_clause(CustodyEpisode, actor))
            .order_by(CustodyEpisode.date_from_lo, CustodyEpisode.id)).all()
        eps = [Episode.of(e) for e in rows]
        status, basis = derive_status(eps)
        pols = [e.last_proof_of_life for e in eps if e.last_proof_of_life]
        last_pol = max(pols) if pols else None
        since = basis.date_from_lo if basis and status in ("held", "disappeared") else None
        out = {
            "person_id": person.id, "cluster_person_ids": sorted(ids), "full_name": person.full_name,
            "status": status, "status_episode_id": basis.id if basis else None, "held_since": since,
            "last_proof_of_life": last_pol,
            "days_without_proof_of_life": (today - (last_pol or since)).days if since else None,
            "marks": marks(person, today),
            "enforced_disappearance": {"flag": status == "disappeared",
                                       "facts": disappearance_facts(basis) if basis else []},
            "episodes": [],
        }
        for e in rows:
            out["episodes"].append({
                "id": e.id, "person_id": e.person_id, "authority": e.authority, "date_from": e.date_from,
                "date_to": e.date_to, "outcome": e.outcome, "acknowledged": e.acknowledged,
                "monitor_access": e.monitor_access, "incommunicado": e.incommunicado,
                "transferred_from_id": e.transferred_from_id, "charges": e.charges, "court": e.court,
                "sentence": e.sentence, "fair_trial_concerns": e.fair_trial_concerns,
                "forced_labour": e.forced_labour, "last_proof_of_life": e.last_proof_of_life,
                "facility": _facility(s, e.facility_place_id, e.date_from_lo),
                "proofs_of_life": [{"kind": p.kind, "date": p.date, "note": p.note} for p in e.proofs_of_life],
            })
        return out


# -- the monitoring view ----------------------------------------------------------------
#
# The view walks the partial index ix_custody_episodes_open_by_last_sign (see
# storage/models/linkage.py) in order of the last sign of life and stops after one
# page; the total is counted from the same index, which carries every column the filters
# read (the person's marks included, copied onto the episode by triggers). SQLite's
# planner prefers the single-column index on ``outcome`` for the counts (it cannot see
# that the covering partial index avoids every table lookup), so the views read the table
# through ``indexed_by`` (storage/hints.py: INDEXED BY on SQLite, nothing elsewhere).
# The index's predicate is repeated here with literal values, because SQLite matches a
# partial index only on the same terms (a bound parameter never matches).
_OPEN_INDEX = "ix_custody_episodes_open_by_last_sign"
_OPEN_LITERALS = [literal_column(f"'{o}'") for o in OPEN_OUTCOMES]


class _Open:
    """custody_episodes as the views read it: through the open-episodes index."""

    def __init__(self) -> None:
        self.t = indexed_by(CustodyEpisode.__table__, _OPEN_INDEX)
        self.ep = aliased(CustodyEpisode, self.t)
        self.last_sign = func.coalesce(self.ep.last_proof_of_life, self.ep.date_from_lo)

    def clause(self):
        """Open episodes (still held, or fate unknown and no end date) that no transfer continues."""
        ep, successor = self.ep, aliased(CustodyEpisode)
        # NOT IN over a non-correlated list, computed once from the partial index of
        # transfers: they are few, and a correlated NOT EXISTS makes SQLite's planner scan
        # the table for every row.
        continued = select(successor.transferred_from_id).where(
            successor.transferred_from_id.is_not(None), successor.deleted_at.is_(None))
        return and_(ep.deleted_at.is_(None), ep.outcome.in_(_OPEN_LITERALS),
                    or_(ep.outcome == "in_custody", ep.date_to.is_(None)), ep.id.not_in(continued))

    def mark(self, mark: str, today: date):
        """The person is a child / an older person today: from the birth range, else from
        the recorded characteristics (the person's copies on the episode, see the model)."""
        c = self.t.c
        if mark == "child":
            cut = today.replace(year=today.year - people.CHILD_MAX_AGE - 1)
            return or_(c.person_birth_lo > cut, and_(c.person_birth_lo.is_(None), c.person_recorded_child.is_(True)))
        cut = today.replace(year=today.year - people.OLDER_MIN_AGE)
        return or_(c.person_birth_hi <= cut, and_(c.person_birth_hi.is_(None), c.person_recorded_older.is_(True)))


def _occupied_clause(s: Session, ep):
    """The episode's facility lay in territory occupied on the detention date.

    Occupation is recorded on regions over periods (``place_occupation``); a facility is
    occupied on a day if a region containing it is. Asked row by row (a correlated
    look-up of the regions) this cost seconds over 300,000 open episodes. The gazetteer
    is small, so the question is compiled here into plain comparisons: the days on which
    some facility in use becomes or stops being occupied cut time into segments, in each
    of which the set of occupied facilities is constant; the clause picks the detention
    date's segment (latest first: most detentions are recent) and tests the facility
    against that segment's set.
    """
    used = s.execute(select(Place.id, Place.path).where(
        exists().where(CustodyEpisode.facility_place_id == Place.id))).all()
    regions = s.execute(select(Place.path, PlaceOccupation.since, PlaceOccupation.until)
                        .join(Place, Place.id == PlaceOccupation.place_id)
                        .where(PlaceOccupation.status == "occupied")).all()
    spans = {fid: [(since, until) for path, since, until in regions if fpath.startswith(path)] for fid, fpath in used}
    spans = {fid: periods for fid, periods in spans.items() if periods}
    if not spans:
        return false()
    cuts = sorted({since for periods in spans.values() for since, _ in periods}
                  | {until + timedelta(days=1) for periods in spans.values() for _, until in periods if until})
    whens = []
    for start in reversed(cuts):
        held = sorted(fid for fid, periods in spans.items()
                      if any(since <= start and (until is None or start <= until) for since, until in periods))
        whens.append((ep.date_from_lo >= start, ep.facility_place_id.in_(held) if held else false()))
    return and_(ep.facility_place_id.in_(sorted(spans)), case(*whens, else_=false()))


def _russian_places(s: Session) -> list[int]:
    """Places in the Russian Federation, as a list: PostgreSQL then estimates the share of
    episodes held there from the facility's statistics (a subquery it guesses at, and a
    guess of a few rows makes it scan and sort instead of walking the index for a page)."""
    return list(s.scalars(select(Place.id).where(Place.country == "RU")))


def _disappeared_clause(ep):
    return or_(ep.acknowledged.is_(False), and_(ep.facility_place_id.is_(None), ep.incommunicado.is_(True)))


def monitor(app: Svidok, actor: Actor, *, days: int | None = None, incommunicado: bool = False,
            no_monitor_access: bool = False, in_russia: bool = False, in_occupied: bool = False,
            disappeared: bool = False, mark: str | None = None, today: date | None = None,
            limit: int = 50, after: str | None = None, with_total: bool = True) -> dict:
    """People deprived of liberty now, longest without a sign of life first.

    Filters combine with AND: ``days`` (no proof of life for more than N days — counting
    from detention when there never was one), ``incommunicado``, ``no_monitor_access``
    (access denied or never known), ``in_russia`` (facility in the Russian Federation:
    transferred out of Ukraine), ``in_occupied`` (facility in territory occupied on the
    detention date), ``disappeared`` (possible enforced disappearance), ``mark``
    (``child`` / ``older_person``). ``after`` is the ``next_cursor`` of the previous page.
    """
    today = today or date.today()
    errors = []
    if days is not None and days < 0:
        errors.append(FieldError("days", M_("must be 0 or more")))
    if mark is not None and mark not in ("child", "older_person"):
        errors.append(FieldError("mark", M_("%(mark)r is not one of child, older_person", mark=mark)))
    if not 1 <= limit <= 1000:
        errors.append(FieldError("limit", M_("must be between 1 and 1000")))
    cursor = None
    if after:
        try:
            d, i = after.split("_")
            cursor = (date.fromisoformat(d), int(i))
        except ValueError:
            errors.append(FieldError("after", M_("%(after)r is not a cursor from a previous page", after=after)))
    if errors:
        raise ValidationFailed(errors)
    o = _Open()
    ep, last_sign = o.ep, o.last_sign
    with app.db.session() as s:
        # Persons are checked row by row on the page (see _row): the episode's own need-to-know
        # decides whether it is listed and counted, as it does for the record itself.
        cond = [o.clause(), access.visibility_clause(ep, actor)]
        if days is not None:
            cond.append(last_sign < today - timedelta(days=days))
        if incommunicado:
            cond.append(ep.incommunicado.is_(True))
        if no_monitor_access:
            cond.append(or_(ep.monitor_access.is_(False), ep.monitor_access.is_(None)))
        if in_russia:
            cond.append(ep.facility_place_id.in_(_russian_places(s)))
        if disappeared:
            cond.append(_disappeared_clause(ep))
        if mark:
            cond.append(o.mark(mark, today))
        if in_occupied:  # the dearest test last: rows the others refuse never reach it
            cond.append(_occupied_clause(s, ep))
        page = select(ep.id, last_sign).where(*cond)
        if cursor:
            page = page.where(or_(last_sign > cursor[0], and_(last_sign == cursor[0], ep.id > cursor[1])))
        total = s.scalar(select(func.count()).select_from(ep).where(*cond)) if with_total else None
        # Nothing to list (often: nothing visible to this actor): skip walking the index again.
        hits = s.execute(page.order_by(last_sign, ep.id).limit(limit + 1)).all() if total != 0 else []
        ids = [h[0] for h in hits[:limit]]
        fac, row = aliased(Place), CustodyEpisode
        rows = {r[0].id: r for r in s.execute(
            select(row, Person, fac.code, fac.name_en, fac.country).join(Person, Person.id == row.person_id)
            .outerjoin(fac, fac.id == row.facility_place_id).where(row.id.in_(ids)))} if ids else {}
        items = []
        for (eid, sign) in hits[:limit]:
            e, p, code, name_en, country = rows[eid]
            facts = disappearance_facts(Episode.of(e))
            items.append({
                "episode_id": e.id, "person_id": p.id, **_person_columns(p, actor, today),
                "authority": e.authority, "held_since": e.date_from_lo, "facility_code": code,
                "facility": name_en, "held_in_russia": country == "RU",
                "acknowledged": e.acknowledged, "incommunicado": e.incommunicado, "monitor_access": e.monitor_access,
                "last_proof_of_life": e.last_proof_of_life, "days_without_proof_of_life": (today - sign).days,
                "possible_enforced_disappearance": bool(facts), "facts": facts,
            })
        nxt = f"{hits[limit - 1][1].isoformat()}_{hits[limit - 1][0]}" if len(hits) > limit else None
        return {"items": items, "total": total, "next_cursor": nxt, "today": today}


def _person_columns(p: Person, actor: Actor, today: date) -> dict:
    """The person's side of a row, or only ``person_withheld`` when the actor may not see the person."""
    if (p.deleted_at is not None and not actor.is_admin) or not access.can_see(p, actor):
        return {"person_withheld": True, "merged_into_id": None, "full_name": None, "sex": None, "birth_date": None,
                "person_status": None, "marks": []}
    return {"person_withheld": False, "merged_into_id": p.merged_into_id, "full_name": p.full_name, "sex": p.sex,
            "birth_date": p.birth_date, "person_status": p.status, "marks": marks(p, today)}


def status_counts(app: Svidok, actor: Actor) -> dict[str, int]:
    """Open episodes: all, possible enforced disappearances, held in Russia (dashboard figures)."""
    o = _Open()
    ep = o.ep
    with app.db.session() as s:
        in_russia = ep.facility_place_id.in_(_russian_places(s))
        q = (select(func.count(), func.sum(case((_disappeared_clause(ep), 1), else_=0)),
                    func.sum(case((in_russia, 1), else_=0)))
             .select_from(ep).where(o.clause(), access.visibility_clause(ep, actor)))
        n, dis, ru = s.execute(q).one()
    return {"deprived_of_liberty": n or 0, "possible_enforced_disappearance": int(dis or 0), "held_in_russia": int(ru or 0)}
