"""Users, passwords (Argon2), API tokens and the actor behind a request."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.storage.models import ApiToken, Case, CaseGrant, User

from . import ledger
from svidok.core.actors import LEVELS, ROLES, Actor
from svidok.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(app, actor: Actor, username: str, password: str, role: str, display_name: str | None = None) -> dict:  # noqa: ANN001
    if not actor.is_admin:
        raise Forbidden("only an administrator creates users")
    errors = []
    if role not in ROLES:
        errors.append(FieldError("role", f"unknown role {role!r} (one of {', '.join(ROLES)})"))
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(username) > 80:
        errors.append(FieldError("username", "letters, digits, '.', '-' and '_' only, at most 80"))
    if len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", f"at least {MIN_PASSWORD} characters"))
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise Conflict(f"user {username!r} exists")
        user = User(username=username, role=role, display_name=display_name, password_hash=_hasher.hash(password))
        s.add(user)
        s.flush()
        ledger.append(s, actor.username, "user.create", "user", user.id, {"username": username, "role": role})
        return {"id": user.id, "username": username, "role": role}


def authenticate(app, username: str, password: str) -> Actor | None:  # noqa: ANN001
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            _hasher.hash(password)  # same cost whether or not the user exists
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return None
        return actor_of(s, user)


def actor_of(s: Session, user: User) -> Actor:
    grants = {g.case_id: g.level for g in s.scalars(select(CaseGrant).where(CaseGrant.user_id == user.id))}
    return Actor(user.username, user.role, user.id, grants)


def actor_by_name(app, username: str) -> Actor:  # noqa: ANN001
    """An active user as an actor, with their grants (CLI commands run ``--as`` a user); NotFound otherwise."""
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise NotFound(f"user {username!r} not found (or deactivated)")
        return actor_of(s, user)


def actor_by_id(app, user_id: int) -> Actor | None:  # noqa: ANN001
    with app.db.session() as s:
        user = s.get(User, user_id)
        return actor_of(s, user) if user is not None and user.active else None


def create_token(app, actor: Actor, username: str, name: str = "script") -> str:  # noqa: ANN001
    """A new API token for a user (shown once; only its hash is stored)."""
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username!r} not found")
        if not actor.is_admin and actor.user_id != user.id:
            raise Forbidden("you may create tokens only for yourself")
        token = "svk_" + secrets.token_urlsafe(32)
        s.add(ApiToken(user_id=user.id, name=name, token_hash=_hash_token(token)))
        ledger.append(s, actor.username, "token.create", "user", user.id, {"name": name})
        return token


def actor_for_token(app, token: str) -> Actor | None:  # noqa: ANN001
    with app.db.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked.is_(False)))
        if row is None:
            return None
        user = s.get(User, row.user_id)
        return actor_of(s, user) if user is not None and user.active else None


def grant_case(app, actor: Actor, username: str, case_id: int, level: str = "confidential") -> None:  # noqa: ANN001
    if not actor.is_admin:
        raise Forbidden("only an administrator grants cases")
    if level not in LEVELS:
        raise ValidationFailed(FieldError("level", f"unknown level {level!r}"))
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username!r} not found")
        if s.get(Case, case_id) is None:
            raise NotFound(f"case {case_id} not found")
        existing = s.get(CaseGrant, (case_id, user.id))
        if existing:
            existing.level = level
        else:
            s.add(CaseGrant(case_id=case_id, user_id=user.id, level=level))
        ledger.append(s, actor.username, "case.grant", "case", case_id, {"user": username, "level": level})


def list_users(app) -> list[dict]:  # noqa: ANN001
    with app.db.session() as s:
        return [{"id": u.id, "username": u.username, "role": u.role, "active": u.active}
                for u in s.scalars(select(User).order_by(User.id))]
