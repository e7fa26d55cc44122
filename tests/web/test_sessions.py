"""Sign-in, sessions, CSRF and throttling, as a browser meets them."""

from __future__ import annotations

from svidok.web import session as web_session
from tests.web.conftest import csrf, csrf_of, sign_in


def test_root_redirects_to_login_when_not_signed_in(client_for):
    c = client_for(None)
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = c.get("/incidents", follow_redirects=False)
    assert r.headers["location"] == "/login?next=/incidents"


def test_sign_in_sets_a_protected_cookie_and_shows_the_dashboard(client_for):
    c = client_for(None)
    r = sign_in(c, "investigator")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain http in tests; https adds Secure
    page = c.get("/")
    assert page.status_code == 200 and "Dashboard" in page.text and "investigator" in page.text


def test_wrong_password_is_refused_with_a_clear_message(client_for):
    c = client_for(None)
    r = sign_in(c, "investigator", "not the password")
    assert r.status_code == 401
    assert "Wrong user name or password." in r.text
    assert c.get("/", follow_redirects=False).status_code == 303  # still signed out


def test_sign_in_is_throttled_after_repeated_failures(client_for):
    c = client_for(None)
    for _ in range(5):
        assert sign_in(c, "analyst", "guess guess guess").status_code == 401
    r = sign_in(c, "analyst")  # even the right password waits now
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text


def test_missing_or_wrong_csrf_token_is_refused_and_nothing_changes(client_for):
    c = client_for("investigator")
    before = c.get("/incidents").text
    r = c.post("/incidents/new", data={"title": "No token", "date_start": "2022-03-05"})
    assert r.status_code == 403 and "security token" in r.text and "Traceback" not in r.text
    r = c.post("/incidents/new", data={"title": "Bad token", "date_start": "2022-03-05", "csrf_token": "forged"})
    assert r.status_code == 403
    assert c.get("/incidents").text.count("No token") == before.count("No token") == 0
    # The login form needs it too (no login CSRF).
    fresh = client_for(None)
    r = fresh.post("/login", data={"username": "investigator", "password": "correct horse battery"})
    assert r.status_code == 403


def test_a_session_cookie_alone_cannot_write_through_the_api(client_for):
    c = client_for("investigator")
    body = {"title": "Via API", "date_start": "2022-03-05"}
    assert c.post("/api/v1/incidents", json=body).status_code == 401
    r = c.post("/api/v1/incidents", json=body, headers={"X-CSRF-Token": csrf(c)})
    assert r.status_code == 201
    assert c.get("/api/v1/incidents/count").json()["count"] == 1  # reads work with the cookie


def _age_session(core, **ago) -> None:
    """Move every session's clock back, as if it had been used (or started) that long ago."""
    from sqlalchemy import select

    from svidok.storage.models import WebSession

    with core.db.session() as s:
        for row in s.scalars(select(WebSession)):
            for column, delta in ago.items():
                setattr(row, column, getattr(row, column) - delta)


def test_an_idle_session_sends_back_to_sign_in_with_a_message(web, client_for):
    from datetime import timedelta

    core, _ = web
    c = client_for("viewer")
    _age_session(core, last_seen_at=timedelta(hours=3))  # the idle limit is two hours
    r = c.get("/incidents", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?expired=1")
    assert "Your session expired" in c.get(r.headers["location"]).text


def test_a_busy_session_still_ends_at_its_absolute_limit(web, client_for):
    from datetime import timedelta

    core, _ = web
    c = client_for("viewer")
    assert c.get("/", follow_redirects=False).status_code == 200
    # Used a minute ago, but started 13 hours ago (the absolute limit is 12 hours).
    _age_session(core, created_at=timedelta(hours=13), expires_at=timedelta(hours=13))
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?expired=1")


def test_the_cookie_holds_only_a_random_id_whose_hash_is_in_the_database(web, client_for):
    import hashlib

    from sqlalchemy import select

    from svidok.storage.models import WebSession

    core, _ = web
    c = client_for("analyst")
    raw = c.cookies.get(web_session.COOKIE)
    assert len(raw) >= 40 and "." not in raw and "analyst" not in raw
    with core.db.session() as s:
        stored = s.scalars(select(WebSession.token_hash)).all()
    assert stored == [hashlib.sha256(raw.encode()).hexdigest()]


def test_a_tampered_cookie_is_ignored(client_for):
    c = client_for("administrator")
    raw = c.cookies.get(web_session.COOKIE)
    c.cookies.set(web_session.COOKIE, raw[:-3] + ("AAA" if not raw.endswith("AAA") else "BBB"))
    assert c.get("/", follow_redirects=False).headers["location"] == "/login"


def test_sign_out_ends_the_session(client_for):
    c = client_for("analyst")
    token = csrf(c)
    assert c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303


def test_a_deactivated_user_is_signed_out_at_once(web, client_for):
    core, _ = web
    c = client_for("analyst")
    from sqlalchemy import update

    from svidok.storage.models import User

    with core.db.session() as s:
        s.execute(update(User).where(User.username == "analyst").values(active=False))
    assert c.get("/", follow_redirects=False).status_code == 303


def test_preferences_secret_is_kept_in_the_data_dir(web, client_for):
    core, _ = web
    client_for(None).get("/login")
    path = core.settings.data_dir / "keys" / "session-secret"
    assert path.exists() and oct(path.stat().st_mode)[-3:] == "600"
    assert web_session.load_secret(core.settings.data_dir) == path.read_bytes()


def test_the_login_page_has_labelled_fields(client_for):
    html = client_for(None).get("/login").text
    assert '<label for="username">' in html and '<label for="password">' in html
    assert csrf_of(html)


def test_many_users_behind_one_address_are_not_locked_out_by_one(client_for):
    c = client_for(None)
    for _ in range(6):
        sign_in(c, "analyst", "guess guess guess")
    assert sign_in(c, "analyst").status_code == 429
    assert sign_in(c, "investigator").status_code == 303  # same address, other user
