"""Sessions end for real: sign-out, password change, deactivation, an administrator, across workers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.app import Svidok
from svidok.server import create_app
from svidok.web import session as web_session
from tests.web.conftest import PASSWORD, csrf, sign_in


def _replay(asgi, cookie: str) -> TestClient:
    """A second browser (or an attacker) holding a copy of the session cookie."""
    c = TestClient(asgi, raise_server_exceptions=False)
    c.cookies.set(web_session.COOKIE, cookie)
    return c


def test_a_cookie_copied_before_sign_out_reads_and_writes_nothing_after(web, client_for):
    _core, asgi = web
    c = client_for("investigator")
    stolen, token = c.cookies.get(web_session.COOKIE), csrf(c)
    assert c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    thief = _replay(asgi, stolen)
    assert thief.get("/", follow_redirects=False).status_code == 303
    assert thief.get("/api/v1/incidents").status_code == 401
    r = thief.post("/api/v1/incidents", json={"title": "After sign-out", "date_start": "2022-03-05"},
                   headers={"X-CSRF-Token": token})
    assert r.status_code == 401


def test_sign_out_on_one_worker_ends_the_session_on_another(web, client_for):
    core, asgi_a = web
    other_core = Svidok(core.settings)  # a second web worker: its own process state, the same database
    asgi_b = create_app(other_core)
    try:
        a = client_for("analyst")
        cookie = a.cookies.get(web_session.COOKIE)
        b = _replay(asgi_b, cookie)
        assert b.get("/", follow_redirects=False).status_code == 200  # worker B knows the session
        token = csrf(b)
        assert b.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        assert a.get("/", follow_redirects=False).status_code == 303  # worker A refuses it now
    finally:
        other_core.close()


def test_changing_the_password_ends_the_other_sessions_only(client_for):
    laptop, phone = client_for("viewer"), client_for("viewer")
    r = laptop.post("/account/password", data={"csrf_token": csrf(laptop), "current_password": PASSWORD,
                                               "new_password": "a new long passphrase",
                                               "new_password_again": "a new long passphrase"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert laptop.get("/", follow_redirects=False).status_code == 200
    assert phone.get("/", follow_redirects=False).status_code == 303
    assert sign_in(client_for(None), "viewer").status_code == 401
    assert sign_in(client_for(None), "viewer", "a new long passphrase").status_code == 303


def test_a_wrong_current_password_changes_nothing(client_for):
    c = client_for("viewer")
    r = c.post("/account/password", data={"csrf_token": csrf(c), "current_password": "not it at all",
                                          "new_password": "a new long passphrase",
                                          "new_password_again": "a new long passphrase"})
    assert r.status_code == 422 and "not your current password" in r.text
    assert sign_in(client_for(None), "viewer").status_code == 303


def test_the_account_page_lists_sessions_and_ends_one(client_for):
    laptop, phone = client_for("investigator"), client_for("investigator")
    page = laptop.get("/account").text
    assert page.count("/account/sessions/") == 2 and "this session" in page
    import re

    ids = re.findall(r'/account/sessions/(\d+)/revoke', page)
    current = re.search(r'this session</strong>\s*<form method="post" action="/account/sessions/(\d+)/revoke"', page)
    other = next(i for i in ids if i != current.group(1))
    r = laptop.post(f"/account/sessions/{other}/revoke", data={"csrf_token": csrf(laptop)}, follow_redirects=False)
    assert r.status_code == 303
    assert phone.get("/", follow_redirects=False).status_code == 303
    assert laptop.get("/", follow_redirects=False).status_code == 200


def test_nobody_ends_another_users_session_but_an_administrator(client_for):
    victim, other = client_for("analyst"), client_for("viewer")
    import re

    sid = re.search(r'/account/sessions/(\d+)/revoke', victim.get("/account").text).group(1)
    r = other.post(f"/account/sessions/{sid}/revoke", data={"csrf_token": csrf(other)})
    assert r.status_code == 404  # not "forbidden": no oracle of which sessions exist
    assert victim.get("/", follow_redirects=False).status_code == 200
    admin = client_for("administrator")
    r = admin.post("/admin/users/analyst/sessions/revoke", data={"csrf_token": csrf(admin)}, follow_redirects=False)
    assert r.status_code == 303
    assert victim.get("/", follow_redirects=False).status_code == 303


def test_deactivation_by_an_administrator_ends_sessions_and_tokens(web, client_for):
    core, asgi = web
    user = client_for("investigator")
    user.post("/account/token", data={"csrf_token": csrf(user), "name": "laptop script"})
    admin = client_for("administrator")
    r = admin.post("/admin/users/investigator/deactivate", data={"csrf_token": csrf(admin)}, follow_redirects=False)
    assert r.status_code == 303
    assert user.get("/", follow_redirects=False).status_code == 303
    assert sign_in(client_for(None), "investigator").status_code == 401


def test_api_tokens_are_listed_and_revocable_from_the_account_page(web, client_for):
    import re

    _core, asgi = web
    c = client_for("analyst")
    page = c.post("/account/token", data={"csrf_token": csrf(c), "name": "nightly export"}).text
    token = re.search(r'<pre class="token">([^<]+)</pre>', page).group(1)
    api = TestClient(asgi)
    assert api.get("/api/v1/incidents/count", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = c.get("/account").text
    assert "nightly export" in page and token not in page  # the token itself is shown once only
    tid = re.search(r'/account/tokens/(\d+)/revoke', page).group(1)
    assert c.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": csrf(c)},
                  follow_redirects=False).status_code == 303
    assert api.get("/api/v1/incidents/count", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "nightly export" not in c.get("/account").text
