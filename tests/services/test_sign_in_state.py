"""Sessions, backoff and second factors live in the database: two workers see the same state (both engines)."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from svidok.app import Svidok
from svidok.core.actors import SYSTEM
from svidok.core.errors import NotFound
from svidok.services import accounts, sessions, two_factor
from svidok.services import sign_in_throttle as throttle
from svidok.storage.models import RecoveryCode, User, WebSession
from tests import fixtures as fx


@pytest.fixture
def second_worker(app):
    """Another process's view of the same database."""
    other = Svidok(app.settings, database_url=str(app.db.engine.url.render_as_string(hide_password=False)))
    yield other
    other.close()


def test_a_session_started_by_one_worker_is_ended_for_another(app, second_worker):
    actor = fx.user(app, "analyst")
    token, csrf = sessions.start(app, actor.user_id, address="192.0.2.1", user_agent="test")
    found = sessions.resolve(second_worker, token)
    assert found.actor.username == "analyst" and found.csrf == csrf and found.stage == "full"
    sessions.end(second_worker, token)
    assert sessions.resolve(app, token).ended == "revoked"
    assert sessions.resolve(app, "not-a-session").ended == "unknown"


def test_idle_and_absolute_limits(app):
    actor = fx.user(app, "viewer")
    token, _ = sessions.start(app, actor.user_id)
    with app.db.session() as s:
        row = s.scalar(select(WebSession))
        row.last_seen_at = row.last_seen_at - timedelta(minutes=app.settings.session_idle_minutes + 1)
    assert sessions.resolve(app, token).ended == "idle"
    token, _ = sessions.start(app, actor.user_id)
    with app.db.session() as s:
        row = s.scalar(select(WebSession).where(WebSession.token_hash == sessions.hash_token(token)))
        row.expires_at = row.expires_at - timedelta(hours=app.settings.session_max_hours)
    assert sessions.resolve(app, token).ended == "absolute"


def test_listing_and_revoking_respect_who_asks(app):
    owner, other = fx.user(app, "analyst"), fx.user(app, "viewer")
    admin = fx.user(app, "administrator")
    token, _ = sessions.start(app, owner.user_id, address="192.0.2.1")
    [listed] = sessions.list_active(app, owner)
    assert listed["address"] == "192.0.2.1"
    with pytest.raises(NotFound):
        sessions.revoke(app, other, listed["id"])
    assert sessions.resolve(app, token).actor is not None
    sessions.revoke(app, admin, listed["id"])
    assert sessions.resolve(app, token).ended == "revoked" and sessions.list_active(app, owner) == []


def test_deactivation_and_password_change_end_sessions(app):
    actor = fx.user(app, "investigator")
    t1, _ = sessions.start(app, actor.user_id)
    t2, _ = sessions.start(app, actor.user_id)
    keep = sessions.resolve(app, t1).session_id
    accounts.change_password(app, actor, "correct horse battery", "another long passphrase", keep)
    assert sessions.resolve(app, t1).actor is not None and sessions.resolve(app, t2).ended == "revoked"
    accounts.set_active(app, SYSTEM, "investigator", False)
    assert sessions.resolve(app, t1).ended == "revoked"


def test_backoff_is_shared_by_workers_and_spares_the_usual_address(app, second_worker):
    actor = fx.user(app, "analyst")
    throttle.succeeded(app, actor.user_id, "analyst", "198.51.100.7")
    for i in range(5):  # the failures arrive at both workers in turn
        throttle.failed(app if i % 2 else second_worker, "analyst", "203.0.113.9")
    assert 25 <= throttle.wait_seconds(second_worker, "analyst", "203.0.113.9") <= 31
    assert throttle.wait_seconds(app, "analyst", "198.51.100.7") == 0
    throttle.failed(app, "analyst", "203.0.113.9")
    assert throttle.wait_seconds(app, "analyst", "203.0.113.9") > 31  # doubled


def test_totp_codes_and_recovery_codes(app):
    actor = fx.user(app, "investigator")
    secret = two_factor.begin(app, actor)["secret"]
    codes = two_factor.confirm(app, actor, pyotp.TOTP(secret).now())
    with app.db.session() as s:
        stored = s.scalar(select(User.totp_secret).where(User.id == actor.user_id))
        hashes = s.scalars(select(RecoveryCode.code_hash)).all()
    assert secret.encode() not in stored  # encrypted at rest
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # only digests are stored
    assert not two_factor.check(app, actor.user_id, pyotp.TOTP(secret).now())  # used by the set-up
    assert two_factor.check(app, actor.user_id, pyotp.TOTP(secret).at(time.time() + 30))
    assert two_factor.check(app, actor.user_id, codes[3])
    assert not two_factor.check(app, actor.user_id, codes[3])
    two_factor.set_role_policy(app, SYSTEM, "investigator", True)
    assert two_factor.required(app, actor.user_id)
