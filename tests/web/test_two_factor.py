"""Two-factor sign-in as a user meets it: enrol, sign in with a code, recovery codes, role policy."""

from __future__ import annotations

import re
import time

import pyotp

from svidok.web import session as web_session
from tests.web.conftest import csrf, csrf_of, sign_in


def _enrol(c) -> tuple[str, list[str]]:
    """Set up two-factor sign-in from the account pages; returns the secret and the recovery codes."""
    page = c.post("/account/2fa/begin", data={"csrf_token": csrf(c, "/account/2fa")}).text
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    assert "otpauth://totp/Svidok:" in page
    wrong = c.post("/account/2fa/confirm", data={"csrf_token": csrf_of(page), "code": "000000"})
    assert wrong.status_code == 422 and secret in wrong.text  # the same key is shown again
    c.setup_code = pyotp.TOTP(secret).now()  # the code set-up uses (a replay test sends it again)
    page = c.post("/account/2fa/confirm", data={"csrf_token": csrf_of(wrong.text), "code": c.setup_code}).text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", page)
    assert len(codes) == 10
    return secret, codes


def _code_step(c, code: str):
    page = c.get("/login/code").text
    return c.post("/login/code", data={"csrf_token": csrf_of(page), "code": code, "next": "/"},
                  follow_redirects=False)


def _next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted: one step of clock drift); set-up used this step's."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_after_enrolment_the_password_alone_does_not_sign_in(client_for):
    c = client_for("investigator")
    secret, _codes = _enrol(c)
    fresh = client_for(None)
    r = sign_in(fresh, "investigator")
    assert r.status_code == 303 and r.headers["location"].startswith("/login/code")
    assert fresh.get("/", follow_redirects=False).status_code == 303  # not signed in yet
    assert fresh.get("/api/v1/incidents").status_code == 401
    assert _code_step(fresh, "123456").status_code == 401
    # Set-up used this code: never twice (whether or not its 30-second step has passed meanwhile).
    assert _code_step(fresh, c.setup_code).status_code == 401
    r = _code_step(fresh, _next_code(secret))
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert fresh.get("/", follow_redirects=False).status_code == 200


def test_a_code_is_accepted_once(client_for):
    c = client_for("analyst")
    secret, _codes = _enrol(c)
    first, second = client_for(None), client_for(None)
    sign_in(first, "analyst")
    sign_in(second, "analyst")
    code = _next_code(secret)
    assert _code_step(first, code).status_code == 303
    assert _code_step(second, code).status_code == 401  # replayed (a shoulder-surfer, a phishing proxy)


def test_a_recovery_code_signs_in_once(client_for):
    c = client_for("viewer")
    _secret, codes = _enrol(c)
    a = client_for(None)
    sign_in(a, "viewer")
    assert _code_step(a, codes[0].upper()).status_code == 303
    b = client_for(None)
    sign_in(b, "viewer")
    assert _code_step(b, codes[0]).status_code == 401
    assert "Recovery codes left: 9" in a.get("/account").text


def test_the_session_id_changes_at_each_step_of_sign_in(client_for):
    c = client_for("administrator")
    secret, _ = _enrol(c)
    fresh = client_for(None)
    sign_in(fresh, "administrator")
    pending = fresh.cookies.get(web_session.COOKIE)
    assert _code_step(fresh, _next_code(secret)).status_code == 303
    assert fresh.cookies.get(web_session.COOKIE) != pending


def test_a_role_that_must_use_it_enrols_at_next_sign_in(client_for):
    admin = client_for("administrator")
    r = admin.post("/admin/policy", data={"csrf_token": csrf(admin, "/admin/users"), "require_2fa": "analyst"},
                   follow_redirects=False)
    assert r.status_code == 303
    c = client_for(None)
    r = sign_in(c, "analyst")
    assert r.status_code == 303 and r.headers["location"] == "/account/2fa"
    assert c.get("/incidents", follow_redirects=False).status_code == 303  # nothing else until set up
    assert c.get("/api/v1/incidents").status_code == 401
    secret, _codes = _enrol(c)
    assert c.get("/incidents", follow_redirects=False).status_code == 200
    # and the next sign-in asks for the code; the user cannot turn it off
    page = c.get("/account").text
    assert "Turn two-factor sign-in off" not in page
    assert sign_in(client_for(None), "viewer").headers["location"] == "/"  # other roles are not affected


def test_an_administrator_resets_a_lost_device(client_for):
    c = client_for("investigator")
    _enrol(c)
    admin = client_for("administrator")
    assert admin.post("/admin/users/investigator/2fa/off", data={"csrf_token": csrf(admin, "/admin/users")},
                      follow_redirects=False).status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303  # the user's sessions ended
    assert sign_in(client_for(None), "investigator").headers["location"] == "/"
