"""Detainees, prisoners of war and the disappeared: status derived from custody
episodes, enforced-disappearance flags with their facts, and the monitoring view.

A person's custody status is never typed by hand: it follows from the episodes of
the person (and of every record merged into the same person). An episode that a
later episode continues (``transferred_from_id``) is superseded by the transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, or_, select, text
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler

from svidok.domain import people
from svidok.storage.models import CustodyEpisode, Person, Place, PlaceOccupation

from . import access, merges, places
from .actors import Actor
from .errors import FieldError, ValidationFailed

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


def person_status(app, actor: Actor, person_id: int, today: date | None = None) -> dict:  # noqa: ANN001
    """Derived custody status of a person (and every record merged with it), with the facts."""
    today = today or date.today()
    with app.db.session() as s:
        person = access.require_visible(s.get(Person, person_id), actor, f"person {person_id}")
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
# page; the total is counted from the same index. Its predicate is repeated here
# literally, because SQLite matches a partial index only on the same text.
_OPEN_INDEXED = text("custody_episodes.deleted_at IS NULL AND custody_episodes.outcome IN ('in_custody', 'unknown')")
_LAST_SIGN = func.coalesce(CustodyEpisode.last_proof_of_life, CustodyEpisode.date_from_lo)
_OPEN_INDEX = "INDEXED BY ix_custody_episodes_open_by_last_sign"


def _sqlite_from_hint(self, table, text):  # noqa: ANN001, ANN202
    return text


# SQLite's planner prefers the single-column index on ``outcome`` (it cannot see that
# the covering partial index avoids every table lookup), so the views name their index.
# SQLAlchemy renders table hints only for dialects that define this method; it is used
# only by hints addressed to "sqlite" (``with_hint(..., "sqlite")``), and only here.
if not hasattr(SQLiteCompiler, "get_from_hint_text") or SQLiteCompiler.get_from_hint_text is SQLCompiler.get_from_hint_text:
    SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


def _open_clause():  # noqa: ANN202
    """Open episodes (still held, or fate unknown and no end date) that no transfer continues."""
    ep, successor = CustodyEpisode, aliased(CustodyEpisode)
    # NOT IN over a non-correlated list, computed once: transfers are few, and a
    # correlated NOT EXISTS makes SQLite's planner scan the table for every row.
    continued = select(successor.transferred_from_id).where(
        successor.transferred_from_id.is_not(None), successor.deleted_at.is_(None)).with_hint(
        successor, "INDEXED BY ix_custody_episodes_transferred_from_id", "sqlite")
    return and_(_OPEN_INDEXED, or_(ep.outcome == "in_custody", ep.date_to.is_(None)), ep.id.not_in(continued))


def _occupied_clause(facility_id, on):  # noqa: ANN001, ANN202
    """The facility lies in a place occupied on the day ``on`` (a column)."""
    region, fac = aliased(Place), aliased(Place)
    return exists().where(
        fac.id == facility_id, PlaceOccupation.place_id == region.id, PlaceOccupation.status == "occupied",
        fac.path.startswith(region.path, autoescape=False),
        PlaceOccupation.since <= on, or_(PlaceOccupation.until.is_(None), PlaceOccupation.until >= on))


def _mark_clause(mark: str, today: date):  # noqa: ANN202
    if mark == "child":
        cut = today.replace(year=today.year - people.CHILD_MAX_AGE - 1)
        who = or_(Person.birth_lo > cut, and_(Person.birth_lo.is_(None), Person.characteristics.like("%|child|%")))
    else:
        cut = today.replace(year=today.year - people.OLDER_MIN_AGE)
        who = or_(Person.birth_hi <= cut, and_(Person.birth_hi.is_(None), Person.characteristics.like("%|older_person|%")))
    # One pass over the persons' index builds the list; a lookup per open episode costs
    # about twice as much (measured with bench/custody_views.py).
    return CustodyEpisode.person_id.in_(select(Person.id).where(who))


def _disappeared_clause():  # noqa: ANN202
    ep = CustodyEpisode
    return or_(ep.acknowledged.is_(False), and_(ep.facility_place_id.is_(None), ep.incommunicado.is_(True)))


def monitor(app, actor: Actor, *, days: int | None = None, incommunicado: bool = False,  # noqa: ANN001, PLR0913
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
        errors.append(FieldError("days", "must be 0 or more"))
    if mark is not None and mark not in ("child", "older_person"):
        errors.append(FieldError("mark", f"{mark!r} is not one of child, older_person"))
    if not 1 <= limit <= 1000:
        errors.append(FieldError("limit", "must be between 1 and 1000"))
    cursor = None
    if after:
        try:
            d, i = after.split("_")
            cursor = (date.fromisoformat(d), int(i))
        except ValueError:
            errors.append(FieldError("after", f"{after!r} is not a cursor from a previous page"))
    if errors:
        raise ValidationFailed(errors)
    ep = CustodyEpisode
    # Persons are checked row by row on the page (see _row): the episode's own need-to-know
    # decides whether it is listed and counted, as it does for the record itself.
    cond = [_open_clause(), access.visibility_clause(ep, actor)]
    if days is not None:
        cond.append(_LAST_SIGN < today - timedelta(days=days))
    if incommunicado:
        cond.append(ep.incommunicado.is_(True))
    if no_monitor_access:
        cond.append(or_(ep.monitor_access.is_(False), ep.monitor_access.is_(None)))
    if in_russia:
        cond.append(ep.facility_place_id.in_(select(Place.id).where(Place.country == "RU")))
    if in_occupied:
        cond.append(_occupied_clause(ep.facility_place_id, ep.date_from_lo))
    if disappeared:
        cond.append(_disappeared_clause())
    if mark:
        cond.append(_mark_clause(mark, today))
    page = select(ep.id, _LAST_SIGN).where(*cond).with_hint(ep, _OPEN_INDEX, "sqlite")
    if cursor:
        page = page.where(or_(_LAST_SIGN > cursor[0], and_(_LAST_SIGN == cursor[0], ep.id > cursor[1])))
    with app.db.session() as s:
        total = s.scalar(select(func.count()).select_from(ep).where(*cond).with_hint(ep, _OPEN_INDEX, "sqlite")
                         ) if with_total else None
        # Nothing to list (often: nothing visible to this actor): skip walking the index again.
        hits = s.execute(page.order_by(_LAST_SIGN, ep.id).limit(limit + 1)).all() if total != 0 else []
        ids = [h[0] for h in hits[:limit]]
        fac = aliased(Place)
        rows = {r[0].id: r for r in s.execute(
            select(ep, Person, fac.code, fac.name_en, fac.country).join(Person, Person.id == ep.person_id)
            .outerjoin(fac, fac.id == ep.facility_place_id).where(ep.id.in_(ids)))} if ids else {}
        items = []
        for (eid, last_sign) in hits[:limit]:
            e, p, code, name_en, country = rows[eid]
            facts = disappearance_facts(Episode.of(e))
            items.append({
                "episode_id": e.id, "person_id": p.id, **_person_columns(p, actor, today),
                "authority": e.authority, "held_since": e.date_from_lo, "facility_code": code,
                "facility": name_en, "held_in_russia": country == "RU",
                "acknowledged": e.acknowledged, "incommunicado": e.incommunicado, "monitor_access": e.monitor_access,
                "last_proof_of_life": e.last_proof_of_life, "days_without_proof_of_life": (today - last_sign).days,
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


def status_counts(app, actor: Actor) -> dict[str, int]:  # noqa: ANN001
    """Open episodes: all, possible enforced disappearances, held in Russia (dashboard figures)."""
    ep = CustodyEpisode
    in_russia = ep.facility_place_id.in_(select(Place.id).where(Place.country == "RU"))
    q = (select(func.count(), func.sum(case((_disappeared_clause(), 1), else_=0)), func.sum(case((in_russia, 1), else_=0)))
         .select_from(ep).where(_open_clause(), access.visibility_clause(ep, actor)).with_hint(ep, _OPEN_INDEX, "sqlite"))
    with app.db.session() as s:
        n, dis, ru = s.execute(q).one()
    return {"deprived_of_liberty": n or 0, "possible_enforced_disappearance": int(dis or 0), "held_in_russia": int(ru or 0)}
