"""Sign-in backoff that slows an attacker without locking the owner out (kept in the database).

Failures are counted under three keys, each with its own allowance and growing wait:

- the user *and* the address: after 5 failures 30 s, then 60 s, … up to 15 minutes;
- the address alone: one machine trying many user names (a looser allowance, since many
  people may share one office proxy);
- the user from addresses they never signed in from: a botnet spreading guesses over many
  addresses. An address the user signed in from before is exempt, so the owner at their
  usual place gets in while somebody hammers their account from elsewhere.

An attempt made while a key waits is refused without checking the password and does not
count. A success clears the user's keys and remembers the address as one of theirs.
Keys are stored as SHA-256 digests, so the table holds no user names or addresses.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from svidok.storage.models import SignInAddress, SignInThrottle, User, utcnow

if TYPE_CHECKING:
    from svidok.app import Svidok


@dataclass(frozen=True)
class Rule:
    after: int  # the failure after which waiting starts
    first_wait: float  # seconds, doubled with each further failure
    cap: float  # longest wait


PAIR = Rule(after=5, first_wait=30, cap=15 * 60)
ADDRESS = Rule(after=30, first_wait=30, cap=15 * 60)
UNKNOWN_ADDRESS = Rule(after=20, first_wait=30, cap=5 * 60)
#: Failures older than this (since the key's last failure) are forgotten.
FORGET = timedelta(hours=1)
#: Remembered addresses expire after this long without a sign-in from them.
KNOWN_FOR = timedelta(days=90)


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _keys(s, username: str, address: str) -> list[tuple[str, Rule]]:
    name = username.strip().lower()
    keys = [(_h(f"pair\0{name}\0{address}"), PAIR), (_h(f"addr\0{address}"), ADDRESS)]
    if not _known(s, name, address):
        keys.append((_h(f"user\0{name}"), UNKNOWN_ADDRESS))
    return keys


def _known(s, name: str, address: str) -> bool:
    since = utcnow() - KNOWN_FOR
    return s.scalar(select(SignInAddress.user_id).join(User, User.id == SignInAddress.user_id).where(
        func.lower(User.username) == name, SignInAddress.address_hash == _h(address),
        SignInAddress.last_success_at > since)) is not None


def wait_seconds(app: Svidok, username: str, address: str) -> int:
    """0 when a sign-in may be tried now, else how many seconds to wait."""
    now = utcnow()
    with app.db.session() as s:
        keys = [k for k, _rule in _keys(s, username, address)]
        until = [_aware(r.blocked_until) for r in s.scalars(select(SignInThrottle).where(
            SignInThrottle.key_hash.in_(keys)))]
    waits = [(u - now).total_seconds() for u in until if u > now]
    return int(max(waits)) + 1 if waits else 0


def failed(app: Svidok, username: str, address: str) -> None:
    """Count a failed password or second factor under every key of the attempt."""
    for attempt in range(3):
        try:
            _failed(app, username, address)
            return
        except IntegrityError:  # another worker inserted the same key first: count again
            if attempt == 2:
                raise


def _failed(app: Svidok, username: str, address: str) -> None:
    now = utcnow()
    with app.db.session() as s:
        for key, rule in _keys(s, username, address):
            row = s.get(SignInThrottle, key, with_for_update=True)
            if row is None:
                row = SignInThrottle(key_hash=key, failures=0, last_failure_at=now, blocked_until=now)
                s.add(row)
            elif _aware(row.last_failure_at) + FORGET < now:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            over = row.failures - rule.after + 1
            wait = min(rule.cap, rule.first_wait * 2 ** (over - 1)) if over > 0 else 0
            row.blocked_until = now + timedelta(seconds=wait)
            s.flush()
        if random.random() < 0.01:  # now and then, drop keys nobody failed with for a while
            s.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - FORGET - timedelta(hours=1)))


def succeeded(app: Svidok, user_id: int, username: str, address: str) -> None:
    """Clear the failures of this user at this address and remember the address as the user's.

    The address's own count and the user's count from unknown addresses are left to decay:
    the owner signing in must not give an attacker elsewhere a fresh allowance.
    """
    name = username.strip().lower()
    with app.db.session() as s:
        s.execute(delete(SignInThrottle).where(SignInThrottle.key_hash == _h(f"pair\0{name}\0{address}")))
        row = s.get(SignInAddress, (user_id, _h(address)))
        if row is None:
            s.add(SignInAddress(user_id=user_id, address_hash=_h(address), last_success_at=utcnow()))
        else:
            row.last_success_at = utcnow()
