"""Server-side web sessions: start, resolve, list and revoke (every web worker shares them).

The browser holds only a random session id; the database holds its SHA-256, the user,
the CSRF token, the stage of sign-in, when it started, when it was last used and when it
ends however active it is. Sign-out, a password change, deactivation and an administrator
revoke sessions by marking their rows, so every worker refuses them at its next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import Forbidden, NotFound
from svidok.core.messages import M_
from svidok.storage.models import User, WebSession, utcnow

from . import accounts, ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

#: A session waiting for its second factor lives this long.
SECOND_FACTOR_SECONDS = 5 * 60
#: last_seen_at is written at most this often (a page load does not always write).
TOUCH_SECONDS = 60
STAGES = ("full", "totp", "enrol")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Resolved:
    """What a cookie's session id stands for right now."""

    session_id: int | None = None
    stage: str | None = None
    csrf: str | None = None
    actor: Actor | None = None
    #: The user's choice: evidence pictures and video frames blurred until clicked.
    blur_media: bool = True
    #: ... all of them, not only those marked graphic.
    blur_all_media: bool = True
    #: "idle", "absolute", "revoked" or "unknown" when the session is not usable.
    ended: str | None = None


def start(app: Svidok, user_id: int, stage: str = "full", address: str | None = None,
          user_agent: str | None = None) -> tuple[str, str]:
    """A new session for a user whose password (and second factor) were checked: (cookie id, CSRF token)."""
    assert stage in STAGES
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    if stage == "totp":
        expires = now + timedelta(seconds=SECOND_FACTOR_SECONDS)
    else:
        expires = now + timedelta(hours=app.settings.session_max_hours)
    with app.db.session() as s:
        s.add(WebSession(token_hash=hash_token(token), user_id=user_id, csrf=csrf, stage=stage, created_at=now,
                         last_seen_at=now, expires_at=expires, address=(address or "")[:64] or None,
                         user_agent=(user_agent or "")[:200] or None))
        # Sessions that ended a day ago are of no use to anyone: keep the table small.
        s.execute(delete(WebSession).where(WebSession.user_id == user_id,
                                           WebSession.expires_at < now - timedelta(days=1)))
    return token, csrf


def resolve(app: Svidok, token: str) -> Resolved:
    """The session behind a cookie, with its actor, or why it is not usable."""
    now = utcnow()
    idle = timedelta(minutes=app.settings.session_idle_minutes)
    with app.db.session() as s:
        row = s.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
        if row is None:
            return Resolved(ended="unknown")
        if row.revoked_at is not None:
            return Resolved(ended="revoked")
        if _aware(row.expires_at) <= now:
            return Resolved(ended="absolute")
        if _aware(row.last_seen_at) + idle <= now:
            row.revoked_at, row.revoked_reason = now, "idle"
            return Resolved(ended="idle")
        user = s.get(User, row.user_id)
        if user is None or not user.active:
            row.revoked_at, row.revoked_reason = now, "deactivated"
            return Resolved(ended="revoked")
        if (now - _aware(row.last_seen_at)).total_seconds() >= TOUCH_SECONDS:
            row.last_seen_at = now
        return Resolved(session_id=row.id, stage=row.stage, csrf=row.csrf, actor=accounts.actor_of(s, user),
                        blur_media=user.blur_media, blur_all_media=user.blur_all_media)


def end(app: Svidok, token: str, reason: str = "signed out") -> None:
    with app.db.session() as s:
        s.execute(update(WebSession).where(WebSession.token_hash == hash_token(token), WebSession.revoked_at.is_(None))
                  .values(revoked_at=utcnow(), revoked_reason=reason[:60]))


def end_others(app: Svidok, user_id: int, keep_token: str | None, reason: str) -> int:
    """End every session of a user but the one whose cookie id is ``keep_token``."""
    with app.db.session() as s:
        keep = s.scalar(select(WebSession.id).where(WebSession.token_hash == hash_token(keep_token))) \
            if keep_token else None
        return revoke_all(s, user_id, reason, keep_id=keep)


def revoke_all(s: Session, user_id: int, reason: str, keep_id: int | None = None) -> int:
    """Revoke every live session of a user (but ``keep_id``), inside the caller's transaction."""
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_id is not None:
        query = query.where(WebSession.id != keep_id)
    return s.execute(query.values(revoked_at=utcnow(), revoked_reason=reason[:60])).rowcount or 0


def list_active(app: Svidok, actor: Actor, username: str | None = None) -> list[dict]:
    """Live sessions of ``username`` (default: the actor's own); others' only for an administrator."""
    now = utcnow()
    with app.db.session() as s:
        user_id = _user_id(s, actor, username)
        rows = s.scalars(select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None),
                                                  WebSession.expires_at > now).order_by(WebSession.id.desc()))
        idle = timedelta(minutes=app.settings.session_idle_minutes)
        return [{"id": r.id, "stage": r.stage, "created_at": _aware(r.created_at).isoformat(timespec="seconds"),
                 "last_seen_at": _aware(r.last_seen_at).isoformat(timespec="seconds"),
                 "expires_at": min(_aware(r.expires_at), _aware(r.last_seen_at) + idle).isoformat(timespec="seconds"),
                 "address": r.address, "user_agent": r.user_agent}
                for r in rows if _aware(r.last_seen_at) + idle > now]


def revoke(app: Svidok, actor: Actor, session_id: int) -> None:
    """End one session: the actor's own, or anyone's for an administrator (not found otherwise)."""
    with app.db.session() as s:
        row = s.get(WebSession, session_id)
        if row is None or (row.user_id != actor.user_id and not actor.is_admin):
            raise NotFound(M_("session %(session_id)s not found", session_id=session_id))
        if row.revoked_at is None:
            row.revoked_at, row.revoked_reason = utcnow(), f"revoked by {actor.username}"[:60]
            ledger.append(s, actor.username, "session.revoke", "user", row.user_id, {"session": session_id})


def revoke_user(app: Svidok, actor: Actor, username: str) -> int:
    """End every session of a user (administrators; or the user's own)."""
    with app.db.session() as s:
        user_id = _user_id(s, actor, username)
        n = revoke_all(s, user_id, f"revoked by {actor.username}")
        ledger.append(s, actor.username, "session.revoke_all", "user", user_id, {"sessions": n})
        return n


def _user_id(s: Session, actor: Actor, username: str | None) -> int:
    if username is None or username == actor.username:
        if actor.user_id is None:
            raise NotFound(M_("no such user"))
        return actor.user_id
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator sees other users' sessions"))
    user_id = s.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(M_("user %(username)r not found", username=username))
    return user_id
