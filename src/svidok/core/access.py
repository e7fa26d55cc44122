"""Need-to-know: which records an actor may see. Every listing, count and export uses it."""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import object_session

from svidok.core.actors import LEVELS, Actor
from svidok.core.errors import Forbidden, NotFound
from svidok.core.messages import M_


def _parents(model) -> list[tuple[str, type]]:
    """``(column, parent model)`` for each record ``model`` may never be more visible than.

    A model lists the columns in ``NEED_TO_KNOW_PARENTS`` (evidence: its incident and source);
    the parent model is found through the column's foreign key.
    """
    out = []
    for column in getattr(model, "NEED_TO_KNOW_PARENTS", ()):
        table = next(iter(model.__table__.c[column].foreign_keys)).column.table
        parent = next(m.class_ for m in model.registry.mappers if m.local_table is table)
        out.append((column, parent))
    return out


def visibility_clause(model, actor: Actor):
    """A WHERE clause that keeps only the rows of ``model`` that ``actor`` may see.

    Outside cases the role's clearance applies; a record in a case is visible only
    with a grant to that case, up to the grant's level (administrators see all). A
    record with need-to-know parents (evidence) is also hidden when a parent is.
    """
    if actor.is_admin:
        return model.deleted_at.is_(None)
    outside = and_(model.case_id.is_(None), model.confidentiality.in_(actor.levels_visible()))
    granted = [
        and_(model.case_id == case_id, model.confidentiality.in_(LEVELS[: LEVELS.index(level) + 1]))
        for case_id, level in actor.grants.items()
    ]
    own = and_(model.deleted_at.is_(None), or_(outside, *granted) if granted else outside)
    capped = [
        or_(getattr(model, column).is_(None),
            getattr(model, column).in_(select(parent.id).where(visibility_clause(parent, actor))))
        for column, parent in _parents(model)
    ]
    return and_(own, *capped) if capped else own


def case_clause(model, actor: Actor):
    """Cases (their titles and descriptions name people and places): only those granted."""
    if actor.is_admin:
        return model.deleted_at.is_(None)
    return and_(model.deleted_at.is_(None), model.id.in_(list(actor.grants)) if actor.grants else false())


def _grant_only(model) -> bool:
    return getattr(model, "NEED_TO_KNOW", None) == "grant"


def readable(model, actor: Actor):
    """A WHERE clause for the rows of ``model`` the actor may see — or name in a write.

    Confidential records follow :func:`visibility_clause`, cases their grants; other
    records (organisations) are shared reference data, visible unless withdrawn.
    """
    if hasattr(model, "confidentiality"):
        return visibility_clause(model, actor)
    if _grant_only(model):
        return case_clause(model, actor)
    if hasattr(model, "deleted_at"):
        return model.deleted_at.is_(None)
    return true()


def can_see(record, actor: Actor) -> bool:
    if actor.is_admin:
        return True
    if _grant_only(record):
        return record.id in actor.grants
    if not hasattr(record, "confidentiality"):
        return True
    level = LEVELS.index(record.confidentiality)
    if record.case_id is None:
        own = level <= actor.clearance
    else:
        grant = actor.grants.get(record.case_id)
        own = grant is not None and level <= LEVELS.index(grant)
    return own and all(_parent_visible(record, column, parent, actor) for column, parent in _parents(type(record)))


def _parent_visible(record, column: str, parent, actor: Actor) -> bool:
    ident = getattr(record, column)
    if ident is None:
        return True
    row = object_session(record).get(parent, ident)
    return row is not None and row.deleted_at is None and can_see(row, actor)


def require_visible(record, actor: Actor, what: str):
    """Return the record, or raise NotFound — never reveal that a hidden record exists."""
    if record is None or record.deleted_at is not None and not actor.is_admin or not can_see(record, actor):
        raise NotFound(M_("%(what)s not found", what=what))
    return record


def require_writer(actor: Actor) -> None:
    if not actor.can_write:
        raise Forbidden(M_("role %(role)r may not change records", role=actor.role))


def nothing():
    return false()
