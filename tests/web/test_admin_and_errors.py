"""Administration pages, API tokens, and failures shown without a stack trace."""

from __future__ import annotations

from svidok.core.actors import SYSTEM
from svidok.schemas import others
from svidok.services import accounts, records
from tests import fixtures as fx
from tests.web.conftest import csrf, sign_in


def test_administrator_adds_a_user_from_the_web(web, client_for):
    core, _ = web
    c = client_for("administrator")
    r = c.post("/admin/users", data={"csrf_token": csrf(c), "username": "field-team-7", "role": "investigator",
                                     "password": "long enough secret", "password_again": "long enough secret"},
               follow_redirects=False)
    assert r.status_code == 303
    assert "User field-team-7 created." in c.get("/admin/users").text
    assert sign_in(client_for(None), "field-team-7", "long enough secret").status_code == 303


def test_invalid_user_form_names_the_fields_and_saves_nothing(web, client_for):
    core, _ = web
    c = client_for("administrator")
    r = c.post("/admin/users", data={"csrf_token": csrf(c), "username": "bad name!", "role": "investigator",
                                     "password": "short", "password_again": "short"})
    assert r.status_code == 422
    assert 'id="username-error"' in r.text and 'id="password-error"' in r.text
    assert 'value="short"' not in r.text  # a password is never echoed back
    r = c.post("/admin/users", data={"csrf_token": csrf(c), "username": "ok-name", "role": "investigator",
                                     "password": "long enough secret", "password_again": "different secret!"})
    assert r.status_code == 422 and 'id="password_again-error"' in r.text
    assert {u["username"] for u in accounts.list_users(core)} == {"administrator", "investigator", "analyst", "viewer"}


def test_case_grant_from_the_web_opens_case_records(web, client_for):
    core, _ = web
    case = records.create(core, SYSTEM, "case", others.CaseIn(code="K-7", title="Synthetic case"))
    fx.incident(core, title="Case incident", case_id=case["id"], confidentiality="confidential")
    analyst = client_for("analyst")
    assert "Case incident" not in analyst.get("/incidents").text
    admin = client_for("administrator")
    r = admin.post("/admin/grants", data={"csrf_token": csrf(admin), "grant_username": "analyst",
                                          "case_id": "999", "level": "confidential"})
    assert r.status_code == 422 and "there is no case 999" in r.text
    r = admin.post("/admin/grants", data={"csrf_token": csrf(admin), "grant_username": "analyst",
                                          "case_id": str(case["id"]), "level": "confidential"}, follow_redirects=False)
    assert r.status_code == 303
    assert "Case incident" in analyst.get("/incidents").text  # grants apply on the next request


def test_a_user_creates_an_api_token_and_uses_it(web, client_for):
    c = client_for("analyst")
    page = c.post("/account/token", data={"csrf_token": csrf(c), "name": "notebook"}).text
    token = page.split('<pre class="token">', 1)[1].split("</pre>", 1)[0]
    assert token.startswith("svk_")
    fresh = client_for(None)
    assert fresh.get("/api/v1/incidents/count", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_unexpected_failure_shows_a_page_without_a_stack_trace(web, client_for, monkeypatch):
    from svidok.services import incident_queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(incident_queries, "listing", broken)
    r = client_for("investigator").get("/incidents")
    assert r.status_code == 500
    assert "Something went wrong on the server" in r.text
    assert "secret internal detail" not in r.text and "Traceback" not in r.text


def test_unknown_pages_and_bad_ids_get_friendly_pages(client_for):
    c = client_for("viewer")
    r = c.get("/no-such-page")
    assert r.status_code == 404 and "No such page." in r.text and "<html" in r.text
    r = c.get("/incidents/not-a-number")
    assert r.status_code == 400 and "<html" in r.text
    r = c.get("/incidents/987654")
    assert r.status_code == 404 and "incident 987654 not found" in r.text
    assert c.get("/api/v1/incidents/987654").headers["content-type"].startswith("application/problem+json")
