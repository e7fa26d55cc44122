"""TOTP two-factor sign-in (RFC 6238, pyotp), recovery codes, and the roles that must use it.

The secret is encrypted with the field keyring, bound to its user's row; a code is
accepted once (the last accepted 30-second step is kept) and within one step of the
server's clock. Recovery codes are shown once and stored as SHA-256 digests (they are
random, 50 bits each, so a fast hash is enough); each works once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING

import pyotp
from sqlalchemy import delete, select

from svidok.core.actors import ROLES, Actor
from svidok.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.storage.models import RecoveryCode, RolePolicy, User, utcnow

from . import ledger, sessions

if TYPE_CHECKING:
    from svidok.app import Svidok

ISSUER = "Svidok"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are read off paper


def _context(user_id: int) -> str:
    return f"users.totp_secret:{user_id}"


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _user(s, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(M_("user %(username)r not found", username=username))
    return user


def status(app: Svidok, actor: Actor) -> dict:
    with app.db.session() as s:
        user = s.get(User, actor.user_id)
        left = len(list(s.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == actor.user_id,
                                                                  RecoveryCode.used_at.is_(None)))))
        return {"enabled": user.totp_enabled_at is not None, "recovery_codes_left": left,
                "required": role_requires(s, user.role)}


def begin(app: Svidok, actor: Actor) -> dict:
    """A new secret for the actor (not in force until confirmed): the secret and its otpauth:// URI."""
    secret = pyotp.random_base32()
    with app.db.session() as s:
        user = s.get(User, actor.user_id)
        if user.totp_enabled_at is not None:
            raise Conflict(M_("two-factor sign-in is already on; turn it off first to set up a new device"))
        user.totp_secret = app.keyring.encrypt(secret, _context(user.id))
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return {"secret": secret, "uri": uri}


def pending(app: Svidok, actor: Actor) -> dict | None:
    """The secret being set up (begun, not yet confirmed), to show again after a wrong code."""
    with app.db.session() as s:
        user = s.get(User, actor.user_id)
        if user.totp_secret is None or user.totp_enabled_at is not None:
            return None
        secret = app.keyring.decrypt(user.totp_secret, _context(user.id))
        return {"secret": secret, "uri": pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)}


def confirm(app: Svidok, actor: Actor, code: str) -> list[str]:
    """Turn two-factor sign-in on with a first code; the recovery codes (shown once) are returned."""
    with app.db.session() as s:
        user = s.get(User, actor.user_id)
        if user.totp_secret is None:
            raise ValidationFailed(FieldError("code", M_("start the set-up first")))
        if user.totp_enabled_at is not None:
            raise Conflict(M_("two-factor sign-in is already on"))
        step = _matching_step(app.keyring.decrypt(user.totp_secret, _context(user.id)), code, None)
        if step is None:
            raise ValidationFailed(FieldError("code", M_("the code does not match; check the device's clock and type the six digits it shows now")))
        user.totp_enabled_at, user.totp_last_step = utcnow(), step
        codes = _replace_recovery_codes(s, user.id)
        ledger.append(s, actor.username, "user.2fa_on", "user", user.id, {})
        return codes


def new_recovery_codes(app: Svidok, actor: Actor) -> list[str]:
    with app.db.session() as s:
        user = s.get(User, actor.user_id)
        if user.totp_enabled_at is None:
            raise Conflict(M_("two-factor sign-in is off"))
        codes = _replace_recovery_codes(s, user.id)
        ledger.append(s, actor.username, "user.2fa_codes", "user", user.id, {})
        return codes


def _replace_recovery_codes(s, user_id: int) -> list[str]:
    s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    s.add_all(RecoveryCode(user_id=user_id, code_hash=_code_hash(c)) for c in codes)
    return codes


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The 30-second step whose code this is (one step of clock drift either way), unless used already."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now, now - 1, now + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


def enabled(app: Svidok, user_id: int) -> bool:
    with app.db.session() as s:
        user = s.get(User, user_id)
        return user is not None and user.totp_enabled_at is not None


def required(app: Svidok, user_id: int) -> bool:
    """Whether the user's role must use two-factor sign-in."""
    with app.db.session() as s:
        user = s.get(User, user_id)
        return user is not None and role_requires(s, user.role)


def check(app: Svidok, user_id: int, code: str) -> bool:
    """A current TOTP code, or an unused recovery code (then used up)."""
    with app.db.session() as s:
        user = s.get(User, user_id)
        if user is None or user.totp_enabled_at is None or not code:
            return False
        step = _matching_step(app.keyring.decrypt(user.totp_secret, _context(user.id)), code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return True
        row = s.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None),
                                                  RecoveryCode.code_hash == _code_hash(code)))
        if row is None:
            return False
        row.used_at = utcnow()
        ledger.append(s, user.username, "user.2fa_recovery_code", "user", user.id, {})
        return True


def disable(app: Svidok, actor: Actor, username: str, reason: str) -> None:
    """Turn two-factor sign-in off (the user, or an administrator for a lost device); ends the user's sessions."""
    with app.db.session() as s:
        user = _user(s, username)
        if not actor.is_admin and actor.user_id != user.id:
            raise Forbidden(M_("only an administrator turns off another user's two-factor sign-in"))
        user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
        s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        sessions.revoke_all(s, user.id, "two-factor sign-in turned off")
        ledger.append(s, actor.username, "user.2fa_off", "user", user.id, {"reason": reason[:500]})


def role_requires(s, role: str) -> bool:
    policy = s.get(RolePolicy, role)
    return bool(policy and policy.require_2fa)


def set_role_policy(app: Svidok, actor: Actor, role: str, require_2fa: bool) -> None:
    """Require (or stop requiring) two-factor sign-in for a role: its users enrol at their next sign-in."""
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator sets sign-in policy"))
    if role not in ROLES:
        raise ValidationFailed(FieldError("role", M_("unknown role %(role)r (one of %(items)s)", role=role, items=", ".join(ROLES))))
    with app.db.session() as s:
        policy = s.get(RolePolicy, role)
        if policy is None:
            s.add(RolePolicy(role=role, require_2fa=require_2fa))
        else:
            policy.require_2fa = require_2fa
        ledger.append(s, actor.username, "policy.2fa", "role", role, {"role": role, "require_2fa": require_2fa})


def role_policies(app: Svidok) -> dict[str, bool]:
    with app.db.session() as s:
        return {role: role_requires(s, role) for role in ROLES}
