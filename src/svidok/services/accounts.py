"""Users, passwords (Argon2), API tokens and the actor behind a request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core.actors import LEVELS, ROLES, Actor
from svidok.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.storage.models import ApiToken, Case, CaseGrant, User, utcnow

from . import ledger, sessions

if TYPE_CHECKING:
    from svidok.app import Svidok

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(app: Svidok, actor: Actor, username: str, password: str, role: str, display_name: str | None = None) -> dict:
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator creates users"))
    errors = []
    if role not in ROLES:
        errors.append(FieldError("role", M_("unknown role %(role)r (one of %(items)s)", role=role, items=", ".join(ROLES))))
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(username) > 80:
        errors.append(FieldError("username", M_("letters, digits, '.', '-' and '_' only, at most 80")))
    if len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", M_("at least %(min_password)s characters", min_password=MIN_PASSWORD)))
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise Conflict(M_("user %(username)r exists", username=username))
        user = User(username=username, role=role, display_name=display_name, password_hash=_hasher.hash(password))
        s.add(user)
        s.flush()
        ledger.append(s, actor.username, "user.create", "user", user.id, {"username": username, "role": role})
        return {"id": user.id, "username": username, "role": role}


def authenticate(app: Svidok, username: str, password: str) -> Actor | None:
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


def actor_by_name(app: Svidok, username: str) -> Actor:
    """An active user as an actor, with their grants (CLI commands run ``--as`` a user); NotFound otherwise."""
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise NotFound(M_("user %(username)r not found (or deactivated)", username=username))
        return actor_of(s, user)


def actor_by_id(app: Svidok, user_id: int) -> Actor | None:
    with app.db.session() as s:
        user = s.get(User, user_id)
        return actor_of(s, user) if user is not None and user.active else None


def create_token(app: Svidok, actor: Actor, username: str, name: str = "script") -> str:
    """A new API token for a user (shown once; only its hash is stored)."""
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(M_("user %(username)r not found", username=username))
        if not actor.is_admin and actor.user_id != user.id:
            raise Forbidden(M_("you may create tokens only for yourself"))
        token = "svk_" + secrets.token_urlsafe(32)
        s.add(ApiToken(user_id=user.id, name=name, token_hash=_hash_token(token)))
        ledger.append(s, actor.username, "token.create", "user", user.id, {"name": name})
        return token


def actor_for_token(app: Svidok, token: str) -> Actor | None:
    with app.db.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked.is_(False)))
        if row is None:
            return None
        user = s.get(User, row.user_id)
        if user is None or not user.active:
            return None
        now = utcnow()
        last = row.last_used_at
        if last is None or (last if last.tzinfo else last.replace(tzinfo=now.tzinfo)) < now - timedelta(hours=1):
            row.last_used_at = now  # hourly is enough to tell a forgotten token from a live one
        return actor_of(s, user)


def list_tokens(app: Svidok, actor: Actor, username: str | None = None) -> list[dict]:
    """A user's API tokens that are not revoked (names and dates; never the token)."""
    with app.db.session() as s:
        user = _target(s, actor, username)
        rows = s.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                         .order_by(ApiToken.id.desc()))
        return [{"id": r.id, "name": r.name, "created_at": r.created_at.isoformat(timespec="seconds"),
                 "last_used_at": r.last_used_at.isoformat(timespec="seconds") if r.last_used_at else None}
                for r in rows]


def revoke_token(app: Svidok, actor: Actor, token_id: int) -> None:
    """Revoke one API token: the actor's own, or anyone's for an administrator (not found otherwise)."""
    with app.db.session() as s:
        row = s.get(ApiToken, token_id)
        if row is None or (row.user_id != actor.user_id and not actor.is_admin):
            raise NotFound(M_("token %(token_id)s not found", token_id=token_id))
        if not row.revoked:
            row.revoked = True
            ledger.append(s, actor.username, "token.revoke", "user", row.user_id, {"token": token_id})


def media_blur(app: Svidok, actor: Actor) -> dict[str, bool]:
    """Which evidence pictures and video the user sees blurred (video muted) until clicked:
    ``graphic`` (those marked graphic) and ``all`` (every one); both on by default."""
    with app.db.session() as s:
        user = s.get(User, actor.user_id) if actor.user_id else None
        return {"graphic": True, "all": True} if user is None else {"graphic": user.blur_media,
                                                                     "all": user.blur_all_media}


def set_media_blur(app: Svidok, actor: Actor, on: bool, all_media: bool | None = None) -> None:
    """The user's own choice (a preference, not a record: no ledger entry)."""
    with app.db.session() as s:
        user = s.get(User, actor.user_id) if actor.user_id else None
        if user is None:
            raise NotFound(M_("only a user with an account has this setting"))
        user.blur_media = bool(on)
        if all_media is not None:
            user.blur_all_media = bool(all_media)


def change_password(app: Svidok, actor: Actor, current: str, new: str, keep_session: int | None = None) -> None:
    """The user's own password change; every other session of the user ends."""
    if len(new) < MIN_PASSWORD:
        raise ValidationFailed(FieldError("new_password", M_("at least %(min_password)s characters", min_password=MIN_PASSWORD)))
    with app.db.session() as s:
        user = s.get(User, actor.user_id)
        try:
            _hasher.verify(user.password_hash, current)
        except (VerifyMismatchError, InvalidHashError):
            raise ValidationFailed(FieldError("current_password", M_("this is not your current password"))) from None
        user.password_hash = _hasher.hash(new)
        sessions.revoke_all(s, user.id, "password changed", keep_id=keep_session)
        ledger.append(s, actor.username, "user.password", "user", user.id, {})


def set_password(app: Svidok, actor: Actor, username: str, new: str) -> None:
    """An administrator sets a user's password; all the user's sessions end."""
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator sets another user's password"))
    if len(new) < MIN_PASSWORD:
        raise ValidationFailed(FieldError("password", M_("at least %(min_password)s characters", min_password=MIN_PASSWORD)))
    with app.db.session() as s:
        user = _target(s, actor, username)
        user.password_hash = _hasher.hash(new)
        sessions.revoke_all(s, user.id, "password set by an administrator")
        ledger.append(s, actor.username, "user.password", "user", user.id, {})


def set_active(app: Svidok, actor: Actor, username: str, active: bool) -> None:
    """Deactivate (every session and token stops at once) or reactivate a user."""
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator deactivates users"))
    with app.db.session() as s:
        user = _target(s, actor, username)
        if not active and user.id == actor.user_id:
            raise Conflict(M_("you cannot deactivate yourself"))
        user.active = active
        if not active:
            sessions.revoke_all(s, user.id, "deactivated")
        ledger.append(s, actor.username, "user.activate" if active else "user.deactivate", "user", user.id, {})


def _target(s: Session, actor: Actor, username: str | None) -> User:
    if username is None or username == actor.username:
        user = s.get(User, actor.user_id) if actor.user_id is not None else None
    else:
        if not actor.is_admin:
            raise Forbidden(M_("only an administrator manages other users"))
        user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(M_("user %(username)r not found", username=username))
    return user


def grant_case(app: Svidok, actor: Actor, username: str, case_id: int, level: str = "confidential") -> None:
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator grants cases"))
    if level not in LEVELS:
        raise ValidationFailed(FieldError("level", M_("unknown level %(level)r", level=level)))
    with app.db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(M_("user %(username)r not found", username=username))
        if s.get(Case, case_id) is None:
            raise NotFound(M_("case %(case_id)s not found", case_id=case_id))
        existing = s.get(CaseGrant, (case_id, user.id))
        if existing:
            existing.level = level
        else:
            s.add(CaseGrant(case_id=case_id, user_id=user.id, level=level))
        ledger.append(s, actor.username, "case.grant", "case", case_id, {"user": username, "level": level})


def list_users(app: Svidok) -> list[dict]:
    with app.db.session() as s:
        return [{"id": u.id, "username": u.username, "role": u.role, "active": u.active,
                 "two_factor": u.totp_enabled_at is not None}
                for u in s.scalars(select(User).order_by(User.id))]
