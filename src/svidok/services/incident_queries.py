"""Listing and counting incidents by filter (the SQL of the incident list lives here)."""

from __future__ import annotations

import base64
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, or_, select, text, tuple_
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.core.validation import Checker
from svidok.domain import dates, names
from svidok.schemas.filters import IncidentFilter
from svidok.storage.hints import indexed_by
from svidok.storage.models import Act, Incident, Place, Qualification, Victim

from . import paging, places

if TYPE_CHECKING:
    from svidok.app import Svidok


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"i:{last_id}".encode()).decode().rstrip("=")


def encode_date_cursor(last_date: date, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"d:{last_date.isoformat()}:{last_id}".encode()).decode().rstrip("=")


def decode_date_cursor(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, day, value = raw.split(":", 2)
        if kind != "d":
            raise ValueError
        return date.fromisoformat(day), int(value)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(FieldError("cursor", M_("not a cursor this server gave out"))) from None


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = raw.split(":", 1)
        if kind != "i":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(FieldError("cursor", M_("not a cursor this server gave out"))) from None


def check_filter(app: Svidok, session: Session, f: IncidentFilter) -> None:
    c = Checker(app.vocab, session)
    c.term("violation_types", f.violation_type, "violation_type")
    c.term("legal_provisions", f.provision, "provision")
    c.term("means", f.means, "means")
    c.term("victim_characteristics", f.characteristic, "characteristic")
    c.term("person_status", f.victim_status, "victim_status")
    c.term("harms", f.harm, "harm")
    c.term("verification_status", f.verification_status, "verification_status")
    if f.family and f.family not in app.vocab.families():
        c.add("family", f"unknown violation family {f.family!r} (known: {', '.join(sorted(app.vocab.families()))})")
    c.order(f.date_from, f.date_to, "date_to")
    if f.place is not None:
        try:
            places.resolve(session, f.place)
        except ValidationFailed as exc:
            c.errors.extend(exc.errors)
    c.raise_if_any()


def conditions(app: Svidok, session: Session, actor: Actor, f: IncidentFilter, before: int | None = None,
               notes: dict | None = None) -> list:
    """WHERE clauses for a filter, including need-to-know.

    ``before`` (a page's cursor) is repeated inside the acts subquery: the result is the same,
    but a plan that walks acts by incident id newest first (a merge join) starts at the cursor
    instead of at the newest act, so a deep page costs what the first one does. ``notes`` is
    told ``{"few": True}`` when the filter was resolved to a short list of incident ids."""
    conds = [access.visibility_clause(Incident, actor)]
    if f.date_from:
        conds.append(Incident.date_hi >= dates.parse(f.date_from).lo)
    if f.date_to:
        conds.append(Incident.date_lo <= dates.parse(f.date_to).hi)
    if f.place is not None:
        conds.append(places.descendants_clause(session, Incident.place_id, f.place))
    if f.verification_status:
        conds.append(Incident.verification_status == f.verification_status)
    if f.case_id:
        conds.append(Incident.case_id == f.case_id)
    act_conds = []
    if f.violation_type:
        act_conds.append(Act.violation_type == f.violation_type)
    if f.family:
        act_conds.append(Act.violation_type.in_(app.vocab.families()[f.family]))
    if f.means:
        act_conds.append(Act.means == f.means)
    if f.provision:
        act_conds.append(
            or_(
                Act.violation_type.in_(app.vocab.violation_types_for_provision(f.provision)),
                exists().where(Qualification.act_id == Act.id, Qualification.provision == f.provision),
            )
        )
    victim_conds = victim_conditions(f)
    few = acts_of_few_victims(session, f) if victim_conds else None
    if few is not None:
        # Few victims match: name their incidents (at most FEW_VICTIMS) instead of probing
        # every incident, newest first, for one — a walk that finds nothing reads them all.
        act_conds.append(Act.id.in_(few))
        if notes is not None:
            notes["few"] = True
        conds.append(Incident.id.in_(
            session.scalars(select(Act.incident_id).distinct().where(Act.deleted_at.is_(None), *act_conds)).all()))
    elif act_conds or victim_conds:
        if victim_conds:
            act_conds.append(exists().where(Victim.act_id == Act.id, *victim_conds))
        if before is not None:
            act_conds.append(Act.incident_id < before)
        conds.append(exists().where(Act.incident_id == Incident.id, Act.deleted_at.is_(None), *act_conds))
    if f.q:
        conds.append(text_match(session, f.q))
    return conds


def victim_conditions(f: IncidentFilter, scan: bool = False) -> list:
    """The filter's conditions on victims; ``scan``: worded so that no index serves them."""
    status, harm = (Victim.status.concat(""), Victim.harm.concat("")) if scan else (Victim.status, Victim.harm)
    conds = []
    if f.characteristic:
        conds.append(Victim.characteristics.like(f"%|{f.characteristic}|%"))
    if f.victim_status:
        conds.append(status == f.victim_status)
    if f.harm:
        conds.append(harm == f.harm)
    return conds


#: A victim filter matching at most this many victims is resolved to its incidents first.
FEW_VICTIMS = 1000


def acts_of_few_victims(session: Session, f: IncidentFilter) -> list[int] | None:
    """The acts of the victims matching the filter if there are at most FEW_VICTIMS, else None.

    The incident list walks incidents newest first and stops at a page of matches: quick
    when matches are common, but a rare combination made it read all 1,000,000 incidents:
    on SQLite, which cannot start from victims, "prisoners of war" + "killed" took 1.6 s; on
    PostgreSQL "prisoners of war" + "child" took 1.3 s, as the planner cannot tell how a
    LIKE on the characteristics goes with the status (for status and harm, migration 0007's
    statistics tell it, and it starts from victims by itself: there is no probe then).
    This probe costs a few index entries or rows when matches are common; when they are
    rare, one pass over the victims of the status if there are not many (index
    ``(status, harm, act_id)``, migration 0009), otherwise over the table."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not sqlite and f.characteristic is None:
        return None
    # SQLite: scan the table in id order, stopping at the 1,001st match. Without a status it
    # would scan the (status, harm, act_id) index from its start, past every civilian of an
    # earlier harm ("killed": 30 ms instead of 0.4 ms); for a characteristic of a common
    # status it would look up every civilian's row ("civilian" + "indigenous": 530 ms instead
    # of 164 ms for the whole table). `status || ''` keeps it off the index.
    scan = sqlite and (f.victim_status is None or bool(f.characteristic and _many_of_status(session, f)))
    q = select(Victim.act_id).where(*victim_conditions(f, scan))
    if scan:
        q = q.order_by(Victim.id)
    acts = session.scalars(q.limit(FEW_VICTIMS + 1)).all()
    return None if len(acts) > FEW_VICTIMS else sorted(set(acts))


#: At most this many victims of a status (and harm) are looked up through the index (SQLite).
INDEX_LOOKUPS = 50_000


def _many_of_status(session: Session, f: IncidentFilter) -> bool:
    """Whether the filter's status (and harm) has more than INDEX_LOOKUPS victims.

    Counted in the index, up to that number (cheap). Below it, looking each one up is
    fastest; above it, a scan of the table in id order (which stops early when matches are
    common) is the safer bet — the figures are in docs/benchmarks.md (rare victim filters)."""
    indexed = [Victim.status == f.victim_status, *([Victim.harm == f.harm] if f.harm else [])]
    return session.scalar(select(func.count()).select_from(
        select(Victim.id).where(*indexed).limit(INDEX_LOOKUPS + 1).subquery())) > INDEX_LOOKUPS


def text_match(session: Session, q: str):
    keys = list(dict.fromkeys(names.search_keys(q)))
    if not keys:
        raise ValidationFailed(FieldError("q", M_("nothing to search for")))
    if session.get_bind().dialect.name == "sqlite":
        # Prefix match: "Kharkiv" also finds "Kharkivskyi raion".
        match = " ".join(f'"{k}"*' for k in keys)
        return Incident.id.in_(text("SELECT rowid FROM incident_fts WHERE incident_fts MATCH :m").bindparams(m=match))
    query = " & ".join(f"{k}:*" for k in keys)
    # incidents.search_tsv is a stored, GIN-indexed vector (migration 0005), outside the models.
    return text("incidents.search_tsv @@ to_tsquery('simple', :tsq)").bindparams(tsq=query)


#: Incidents outside cases in date order (migration 0030).
DATE_INDEX = "ix_incidents_open_by_date"


def by_date(session: Session, actor: Actor, f: IncidentFilter, query, few: bool = False):
    """``query`` over incidents, read through DATE_INDEX on SQLite where need-to-know confines the
    actor to incidents outside cases (no grants, not an administrator), no text is searched and
    the filter was not resolved to a few incidents' ids (``few``: they are looked up instead).

    SQLite keeps no statistics: it read such an actor's incidents through ``ix_incidents_case_id``
    (every one outside cases) and sorted them for each page, 2.9 s at 1,000,000 incidents. It is
    told which index to walk rather than offered one it would choose for every query, text
    searches and id lists included, that it would then walk whole."""
    if session.get_bind().dialect.name != "sqlite" or actor.is_admin or actor.grants or f.q or few:
        return query
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(indexed_by(Incident.__table__, DATE_INDEX)).traverse(query)


def listing(app: Svidok, actor: Actor, f: IncidentFilter, cursor: str | None = None, limit: int = 50,
            order: str = "id") -> dict:
    """One page of incidents with an opaque cursor to the next page: newest recorded first
    (``order="id"``, the API's order) or by the incident's date, latest first (``order="date"``, the
    web list's; incidents of one day newest recorded first). Each item names its place in English
    (``place``) and Ukrainian (``place_uk``)."""
    with app.db.session() as s:
        check_filter(app, s, f)
        cols = (Incident.id, Incident.title, Incident.title_i18n, Incident.date_start, Incident.date_end, Incident.place_id,
                Incident.lat, Incident.lon, Incident.verification_status, Incident.confidentiality, Incident.date_lo)
        if order == "date":
            after_date = decode_date_cursor(cursor)
            notes: dict = {}
            q = select(*cols).where(*conditions(app, s, actor, f, notes=notes))
            if after_date is not None:
                q = q.where(tuple_(Incident.date_lo, Incident.id) < tuple_(*after_date))
            q = by_date(s, actor, f, q.order_by(Incident.date_lo.desc(), Incident.id.desc()).limit(limit + 1),
                        notes.get("few", False))
            with paging.one_process(s):
                rows = list(s.execute(q))
            more = len(rows) > limit
            rows = rows[:limit]
            next_cursor = encode_date_cursor(rows[-1].date_lo, rows[-1].id) if more else None
        else:
            after = decode_cursor(cursor)
            q = select(*cols).where(*conditions(app, s, actor, f, before=after))
            rows, next_id = paging.newest_first(s, q, Incident.id, after, limit, scalars=False)
            next_cursor = encode_cursor(next_id) if next_id else None
        place_ids = {r.place_id for r in rows if r.place_id}
        names_by_id = {pid: (en, uk) for pid, en, uk in s.execute(
            select(Place.id, Place.name_en, Place.name_uk).where(Place.id.in_(place_ids)))} if place_ids else {}
        act_rows = s.execute(
            select(Act.incident_id, Act.violation_type).where(Act.incident_id.in_([r.id for r in rows]))
        ).all() if rows else []
        types: dict[int, list[str]] = {}
        for inc_id, vt in act_rows:
            types.setdefault(inc_id, []).append(vt)
        items = [
            {
                "id": r.id, "title": r.title, "title_i18n": r.title_i18n, "date_start": r.date_start,
                "date_end": r.date_end,
                "place_id": r.place_id, "place": names_by_id.get(r.place_id, (None, None))[0],
                "place_uk": names_by_id.get(r.place_id, (None, None))[1], "lat": r.lat, "lon": r.lon,
                "verification_status": r.verification_status, "confidentiality": r.confidentiality,
                "violation_types": sorted(set(types.get(r.id, []))),
            }
            for r in rows
        ]
        return {"items": items, "next_cursor": next_cursor}


def count(app: Svidok, actor: Actor, f: IncidentFilter, cap: int | None = None) -> int:
    """How many incidents match — only among those the actor may see. With ``cap``, counting stops
    at ``cap`` (a list page says "more than ..." rather than count a million rows on every visit)."""
    with app.db.session() as s:
        check_filter(app, s, f)
        notes: dict = {}
        where = conditions(app, s, actor, f, notes=notes)
        if cap is not None:
            capped = by_date(s, actor, f, select(Incident.id).where(*where).limit(cap), notes.get("few", False)).subquery()
            return s.scalar(select(func.count()).select_from(capped)) or 0
        return s.scalar(select(func.count()).select_from(Incident).where(*where)) or 0




def map_points(app: Svidok, actor: Actor, f: IncidentFilter, limit: int) -> dict:
    """The newest matching incidents *that have coordinates* (at most ``limit``): the point
    condition is in the query, so unlocated incidents never crowd located ones out of the map."""
    with app.db.session() as s:
        check_filter(app, s, f)
        q = select(Incident.id, Incident.title, Incident.title_i18n, Incident.date_start, Incident.lat, Incident.lon,
                   Incident.place_id).where(
            *conditions(app, s, actor, f), Incident.lat.is_not(None), Incident.lon.is_not(None))
        rows, next_id = paging.newest_first(s, q, Incident.id, None, limit, scalars=False)
        place_ids = {r.place_id for r in rows if r.place_id}
        names = {pid: (en, uk) for pid, en, uk in s.execute(
            select(Place.id, Place.name_en, Place.name_uk).where(Place.id.in_(place_ids)))} if place_ids else {}
        return {"items": [{"id": r.id, "title": r.title, "title_i18n": r.title_i18n, "date_start": r.date_start, "lat": r.lat, "lon": r.lon,
                           "place": names.get(r.place_id, (None, None))[0],
                           "place_uk": names.get(r.place_id, (None, None))[1]}
                          for r in rows], "truncated": next_id is not None}
