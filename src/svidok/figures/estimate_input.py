"""Read-only queries that turn the records into inputs for the statistics (one module, as docs/architecture.md asks of analytical SQL).

For multiple systems estimation a *list* is the dataset a person record came from
(``import_source``; records typed in directly form the list ``direct entry``) and a *person*
is a linkage cluster: records merged into one another (``merged_into_id``) are one person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.stats.age_bands import age_group
from svidok.storage.models.incidents import Act, Incident, Victim
from svidok.storage.models.persons import Person
from svidok.storage.models.places import Place

if TYPE_CHECKING:
    from svidok.app import Svidok

DIRECT_ENTRY = "direct entry"
STRATA = ("none", "oblast", "year", "month", "sex", "age_group", "harm")


def _roots(session: Session) -> dict[int, int]:
    """person id -> id of the cluster it is merged into (following chains)."""
    parent = dict(session.execute(select(Person.id, Person.merged_into_id)).all())
    root: dict[int, int] = {}
    for pid in parent:
        path = []
        cur = pid
        while parent.get(cur) is not None and cur not in root and len(path) < 10_000:
            path.append(cur)
            cur = parent[cur]
        top = root.get(cur, cur)
        for p in path:
            root[p] = top
        root[pid] = top
    return root


def _oblast_names(session: Session) -> dict[int, str]:
    """place id -> English name of its oblast (or the place itself above oblast level)."""
    rows = session.execute(select(Place.id, Place.parent_id, Place.level, Place.name_en)).all()
    by_id = {r.id: r for r in rows}
    out: dict[int, str] = {}
    for r in rows:
        cur = r
        while cur is not None and cur.level not in ("oblast", "country"):
            cur = by_id.get(cur.parent_id)
        out[r.id] = cur.name_en if cur is not None and cur.level == "oblast" else "unknown"
    return out


def victim_people_by_stratum(
    session: Session, stratify: str = "none", harms: Iterable[str] | None = None
) -> list[tuple[str, frozenset[str]]]:
    """(stratum, lists documenting the person) for each linked victim, ready for ``stratified_tables``.

    The stratum of a person is taken from their earliest victim record (incident date, place,
    recorded sex, age and harm). Deleted records are ignored."""
    if stratify not in STRATA:
        raise ValueError(f"stratify must be one of {', '.join(STRATA)}, not {stratify!r}")
    q = (
        select(
            Person.id, Person.import_source, Incident.date_lo, Incident.place_id,
            Victim.sex, Victim.age, Victim.age_band, Victim.harm,
        )
        .join(Victim, Victim.person_id == Person.id)
        .join(Act, Act.id == Victim.act_id)
        .join(Incident, Incident.id == Act.incident_id)
        .where(Person.deleted_at.is_(None), Act.deleted_at.is_(None), Incident.deleted_at.is_(None))
    )
    harm_list = list(harms) if harms else []
    if harm_list:
        q = q.where(Victim.harm.in_(harm_list))
    rows = session.execute(q).all()
    roots = _roots(session)
    oblasts = _oblast_names(session) if stratify == "oblast" else {}
    lists: dict[int, set[str]] = {}
    first: dict[int, tuple[date, str]] = {}
    for r in rows:
        person = roots.get(r.id, r.id)
        lists.setdefault(person, set()).add(r.import_source or DIRECT_ENTRY)
        key = _stratum(stratify, r, oblasts)
        if person not in first or r.date_lo < first[person][0]:
            first[person] = (r.date_lo, key)
    return [(first[p][1], frozenset(s)) for p, s in lists.items()]


def visible_people(app: Svidok, s: Session, actor: Actor, stratify: str = "none",
                   lists: Iterable[str] | None = None, incidents: set[int] | None = None,
                   **kw: Any) -> list[tuple[str, frozenset[str]]]:
    """Like :func:`victim_people_by_stratum`, but counting only what ``actor`` may see
    (need-to-know, through ``victims.victim_base`` as every figure does) and taking the incident
    filter's fields (``harm``, dates, place …) in ``kw``. With ``lists``, only those lists are
    kept: a person documented by none of them is left out. ``incidents``, if given, receives the
    ids of the incidents the people counted come from."""
    from .victims import victim_base  # figures.victims imports the incident queries: only when asked

    if stratify not in STRATA:
        raise ValueError(f"stratify must be one of {', '.join(STRATA)}, not {stratify!r}")
    rows = s.execute(
        victim_base(app, s, actor, kw, Person.id, Person.import_source, Incident.date_lo, Incident.place_id,
                    Victim.sex, Victim.age, Victim.age_band, Victim.harm, Incident.id.label("incident_id"),
                    each_list=True)
        .join(Person, Person.id == Victim.person_id)
        .where(Person.deleted_at.is_(None), access.visibility_clause(Person, actor))
    ).all()
    keep = set(lists) if lists else None
    roots = _roots(s)
    oblasts = _oblast_names(s) if stratify == "oblast" else {}
    found: dict[int, set[str]] = {}
    first: dict[int, tuple[date, str]] = {}
    for r in rows:
        name = r.import_source or DIRECT_ENTRY
        if keep is not None and name not in keep:
            continue
        person = roots.get(r.id, r.id)
        found.setdefault(person, set()).add(name)
        if incidents is not None:
            incidents.add(r.incident_id)
        key = _stratum(stratify, r, oblasts)
        if person not in first or r.date_lo < first[person][0]:
            first[person] = (r.date_lo, key)
    return [(first[p][1], frozenset(v)) for p, v in found.items()]


def visible_list_sizes(app: Svidok, s: Session, actor: Actor, **kw: Any) -> dict[str, int]:
    """What ``list_sizes(visible_people(app, s, actor, **kw))`` gives, counted by the database
    instead of reading every victim row into Python (the statistics form at 1,000,000 incidents).

    A record merged into another counts as that one; merges are followed two steps (a chain
    longer than that would count its far end separately, and review never builds one).
    """
    from sqlalchemy import func
    from sqlalchemy.orm import aliased

    from .victims import victim_base

    parent = aliased(Person)
    name = func.coalesce(Person.import_source, DIRECT_ENTRY)
    root = func.coalesce(parent.merged_into_id, Person.merged_into_id, Person.id)
    rows = s.execute(
        victim_base(app, s, actor, kw, name.label("list"), func.count(func.distinct(root)), each_list=True)
        .join(Person, Person.id == Victim.person_id)
        .outerjoin(parent, parent.id == Person.merged_into_id)
        .where(Person.deleted_at.is_(None), access.visibility_clause(Person, actor))
        .group_by(name)
    ).all()
    return dict(sorted(((r[0], int(r[1])) for r in rows), key=lambda kv: (-kv[1], kv[0])))


def list_sizes(people: Iterable[tuple[str, frozenset[str]]]) -> dict[str, int]:
    """People documented by each list (a person on two lists counts for both), largest first."""
    sizes: dict[str, int] = {}
    for _, names in people:
        for name in names:
            sizes[name] = sizes.get(name, 0) + 1
    return dict(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])))


def _stratum(stratify: str, r, oblasts: dict[int, str]) -> str:
    if stratify == "none":
        return "all"
    if stratify == "oblast":
        return oblasts.get(r.place_id, "unknown") if r.place_id is not None else "unknown"
    if stratify == "year":
        return str(r.date_lo.year)
    if stratify == "month":
        return r.date_lo.strftime("%Y-%m")
    if stratify == "sex":
        return r.sex or "unknown"
    if stratify == "harm":
        return r.harm
    return age_group(r.age, r.age_band)


def victim_age_sex(session: Session, harms: Iterable[str] | None = None) -> list[tuple[int | None, str | None, str | None]]:
    """(age, recorded age band, sex) once per victim, for ``disproportionality.tabulate_victims``.

    A linked person counts once (their earliest victim record, whichever list it came from);
    a victim row for a group without a person counts ``count`` times. Deleted records are ignored."""
    q = (
        select(Victim.person_id, Victim.count, Victim.age, Victim.age_band, Victim.sex, Incident.date_lo)
        .join(Act, Act.id == Victim.act_id)
        .join(Incident, Incident.id == Act.incident_id)
        .where(Act.deleted_at.is_(None), Incident.deleted_at.is_(None))
        .order_by(Incident.date_lo, Victim.id)
    )
    harm_list = list(harms) if harms else []
    if harm_list:
        q = q.where(Victim.harm.in_(harm_list))
    rows = session.execute(q).all()
    roots = _roots(session)
    deleted = set(session.scalars(select(Person.id).where(Person.deleted_at.is_not(None))))
    seen: set[int] = set()
    out: list[tuple[int | None, str | None, str | None]] = []
    for r in rows:
        sex = r.sex if r.sex not in (None, "unknown") else None
        if r.person_id is None:
            out.extend([(r.age, r.age_band, sex)] * max(r.count, 0))
            continue
        if r.person_id in deleted:
            continue
        person = roots.get(r.person_id, r.person_id)
        if person in seen:
            continue
        seen.add(person)
        out.append((r.age, r.age_band, sex))
    return out
