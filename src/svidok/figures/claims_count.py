"""The claims figures counted by the database: persons per claim category × oblast in one statement.

The same count as reading every named victim's facts into Python (``services.claims.facts``
and ``domain.claims.supported``), expressed in SQL so that 1,000,000 incidents are counted
without holding them in memory:

* a fact is a victim row of a visible, undeleted act of a visible incident, a visible
  displacement, or a visible custody episode, of a visible person; it counts for the person
  that person was merged into, if any;
* a fact supports a category as in ``domain.claims.matches`` (the category's harms, act
  types, displacement kinds, custody, forced labour; its age rule on the victim's age, or
  the age from the counted person's birth date when the act gives none) and only on or after
  the Register's start date;
* a person counts once per category, and once per oblast where a supporting fact happened;
  "claimant recorded" needs a visible family member recorded with consent for that person
  in the category's relationships (for a victim's own claim, those who may claim for a child
  or a dead victim), "dossier prepared" a claim dossier in the ledger.

``tests/figures/test_claims_count.py`` compares it with the count in Python on both engines.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from svidok.core import access
from svidok.core.actors import Actor
from svidok.domain import claims as domain
from svidok.services import claims as claims_service
from svidok.storage.models import Act, ClaimRelative, CustodyEpisode, Displacement, Incident, LedgerEntry, Person, Place, Victim

#: Who may claim for a victim's own category (a child's parent or guardian, a dead victim's close family).
VICTIM_CLAIMANTS = ("parent", "legal_guardian", "spouse", "civil_partner", "child")


def _years(s: Session, day, birth):
    """Whole years from ``birth`` to ``day`` (never below 0), as ``services.claims.with_ages`` counts them."""
    if s.get_bind().dialect.name == "postgresql":
        years = (
            cast(extract("year", day), Integer)
            - cast(extract("year", birth), Integer)
            - case((func.to_char(day, "MM-DD") < func.to_char(birth, "MM-DD"), 1), else_=0)
        )
    else:  # SQLite keeps dates as ISO text
        years = (
            cast(func.substr(day, 1, 4), Integer)
            - cast(func.substr(birth, 1, 4), Integer)
            - case((func.substr(day, 6) < func.substr(birth, 6), 1), else_=0)
        )
    return case((years < 0, 0), else_=years)


def _supports(c: domain.Category, f, age):
    """SQL for ``domain.claims.matches(c, fact)`` over the columns of the facts ``f``; None: never."""
    rules = c.facts
    if not rules:
        return None
    harms, vtypes = list(rules.get("harms", ())), list(rules.get("violation_types", ()))
    dkinds = list(rules.get("displacement_kinds", ()))
    act = or_(f.c.harm.in_(harms) if harms else false(), f.c.vtype.in_(vtypes) if vtypes else false())
    moved = f.c.dkind.in_(dkinds) if dkinds else false()
    if "displaced" in harms:
        moved = or_(moved, f.c.dkind.in_(["internally_displaced", "evacuated"]))
    held = true() if rules.get("custody") else (f.c.labour == true()) if rules.get("forced_labour") else false()
    kind = or_(and_(f.c.kind == "act", act), and_(f.c.kind == "displacement", moved), and_(f.c.kind == "custody", held))
    rule = rules.get("age")
    if rule is None:
        return kind
    return and_(kind, age < 18 if rule == "child" else age >= 18)


def _facts(actor: Actor):
    """Every visible fact: (person counted, kind, harm, act type, displacement kind, forced labour, age, day,
    place, the counted person's birth date)."""
    # The person a record counts for, with that person's birth date if the actor may see them.
    target = aliased(Person, name="target")
    target_birth = (
        select(target.birth_lo).where(target.id == Person.merged_into_id, access.visibility_clause(target, actor)).scalar_subquery()
    )
    owner = (
        select(
            Person.id.label("id"),
            func.coalesce(Person.merged_into_id, Person.id).label("owner"),
            case((Person.merged_into_id.is_(None), Person.birth_lo), else_=target_birth).label("birth"),
        )
        .where(access.visibility_clause(Person, actor))
        .subquery("owner")
    )
    s_null, b_null, i_null = cast(null(), String), cast(null(), Boolean), cast(null(), Integer)
    acts = (
        select(
            owner.c.owner.label("pid"),
            literal("act", String).label("kind"),
            Victim.harm.label("harm"),
            Act.violation_type.label("vtype"),
            s_null.label("dkind"),
            b_null.label("labour"),
            Victim.age.label("age"),
            Incident.date_lo.label("day"),
            Incident.place_id.label("place"),
            owner.c.birth.label("birth"),
        )
        .select_from(Victim)
        .join(owner, owner.c.id == Victim.person_id)
        .join(Act, Act.id == Victim.act_id)
        .join(Incident, Incident.id == Act.incident_id)
        .where(Act.deleted_at.is_(None), access.visibility_clause(Incident, actor))
    )
    moved = (
        select(
            owner.c.owner,
            literal("displacement", String),
            s_null,
            s_null,
            Displacement.kind,
            b_null,
            i_null,
            Displacement.date_lo,
            Displacement.from_place_id,
            owner.c.birth,
        )
        .select_from(Displacement)
        .join(owner, owner.c.id == Displacement.person_id)
        .where(access.visibility_clause(Displacement, actor))
    )
    held = (
        select(
            owner.c.owner,
            literal("custody", String),
            s_null,
            s_null,
            s_null,
            CustodyEpisode.forced_labour,
            i_null,
            CustodyEpisode.date_from_lo,
            CustodyEpisode.facility_place_id,
            owner.c.birth,
        )
        .select_from(CustodyEpisode)
        .join(owner, owner.c.id == CustodyEpisode.person_id)
        .where(access.visibility_clause(CustodyEpisode, actor))
    )
    return union_all(acts, moved, held).cte("f")


def _rows(*rows: tuple, names: tuple[str, ...]):
    """A small constant table (a UNION ALL of literal rows; VALUES lists differ between the engines)."""
    return union_all(*[select(*[literal(v, String).label(n) for v, n in zip(r, names, strict=True)]) for r in rows])


def count(s: Session, actor: Actor, cats: domain.Categories) -> tuple[list[tuple], list[tuple]]:
    """(cells, totals): (category, oblast place id or None, could claim, claimant recorded, dossier prepared)
    per category × oblast, and (category, could claim, claimant recorded, dossier prepared) per category."""
    matchable = [(c, c.facts) for c in cats.categories if c.facts]
    if not matchable:
        return [], []
    f = _facts(actor)
    age = func.coalesce(f.c.age, _years(s, f.c.day, f.c.birth))
    supports = [(c.code, _supports(c, f, age)) for c, _ in matchable]
    prepared = (
        select(cast(LedgerEntry.record_id, Integer).label("pid"))
        .where(LedgerEntry.action == claims_service.DOSSIER_ACTION)
        .distinct()
        .subquery("prepared")
    )
    since = date.fromisoformat(cats.since)
    # Persons × categories × the places of their supporting facts, each once: one pass over the
    # facts (kept by the database, not re-read) per category.
    recent = or_(f.c.day.is_(None), f.c.day >= literal(since, Date))
    supported = union_all(
        *[select(f.c.pid, literal(code, String).label("code"), f.c.place).where(cond, recent) for code, cond in supports]
    ).subquery("supported")
    # Oblast of a place: the oblast whose materialised path its path begins with.
    oblast = Place.__table__.alias("oblast")
    place = Place.__table__.alias("place")
    in_oblast = (
        select(place.c.id.label("place"), oblast.c.id.label("oblast"))
        .join(oblast, and_(oblast.c.level == "oblast", func.substr(place.c.path, 1, func.length(oblast.c.path)) == oblast.c.path))
        .subquery("in_oblast")
    )
    # A family member recorded with consent, of a relationship that may claim in the category.
    claimant = exists().where(
        ClaimRelative.person_id == supported.c.pid,
        ClaimRelative.consent.is_(True),
        access.visibility_clause(ClaimRelative, actor),
        or_(
            *[
                and_(
                    supported.c.code == c.code,
                    ClaimRelative.relationship.in_(c.relationships if c.claimant == "family" else VICTIM_CLAIMANTS),
                )
                for c, _ in matchable
            ]
        ),
    )
    m = (
        select(
            supported.c.pid,
            supported.c.code,
            in_oblast.c.oblast,
            claimant.label("has_claimant"),
            (prepared.c.pid.is_not(None)).label("prepared"),
        )
        .select_from(supported)
        .outerjoin(in_oblast, in_oblast.c.place == supported.c.place)
        .outerjoin(prepared, prepared.c.pid == supported.c.pid)
    ).cte("m")

    def figures():
        return (
            func.count(m.c.pid.distinct()),
            func.count(case((m.c.has_claimant, m.c.pid)).distinct()),
            func.count(case((m.c.prepared, m.c.pid)).distinct()),
        )

    cells = select(literal("cell", String).label("level"), m.c.code, m.c.oblast, *figures()).group_by(m.c.code, m.c.oblast)
    totals = select(literal("total", String), m.c.code, cast(null(), Integer), *figures()).group_by(m.c.code)
    out_cells, out_totals = [], []
    for level, code, obl, could, with_claimant, done in s.execute(union_all(cells, totals)):
        if level == "cell":
            out_cells.append((code, obl, could, with_claimant, done))
        else:
            out_totals.append((code, could, with_claimant, done))
    return out_cells, out_totals
