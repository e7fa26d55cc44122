"""Need-to-know: which records an actor may see. Every listing, count and export uses it."""

from __future__ import annotations

from sqlalchemy import and_, false, or_

from svidok.core.actors import LEVELS, Actor
from svidok.core.errors import Forbidden, NotFound


def visibility_clause(model, actor: Actor):  # noqa: ANN001, ANN201
    """A WHERE clause that keeps only the rows of ``model`` that ``actor`` may see.

    Outside cases the role's clearance applies; a record in a case is visible only
    with a grant to that case, up to the grant's level (administrators see all).
    """
    if actor.is_admin:
        return model.deleted_at.is_(None)
    outside = and_(model.case_id.is_(None), model.confidentiality.in_(actor.levels_visible()))
    granted = [
        and_(model.case_id == case_id, model.confidentiality.in_(LEVELS[: LEVELS.index(level) + 1]))
        for case_id, level in actor.grants.items()
    ]
    return and_(model.deleted_at.is_(None), or_(outside, *granted) if granted else outside)


def can_see(record, actor: Actor) -> bool:  # noqa: ANN001
    if actor.is_admin:
        return True
    level = LEVELS.index(record.confidentiality)
    if record.case_id is None:
        return level <= actor.clearance
    grant = actor.grants.get(record.case_id)
    return grant is not None and level <= LEVELS.index(grant)


def require_visible(record, actor: Actor, what: str):  # noqa: ANN001, ANN201
    """Return the record, or raise NotFound — never reveal that a hidden record exists."""
    if record is None or record.deleted_at is not None and not actor.is_admin or not can_see(record, actor):
        raise NotFound(f"{what} not found")
    return record


def require_writer(actor: Actor) -> None:
    if not actor.can_write:
        raise Forbidden(f"role {actor.role!r} may not change records")


def nothing():  # noqa: ANN201
    return false()
