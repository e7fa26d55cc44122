"""Security headers on every answer; control and text-direction characters and huge integers refused (422)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts
from tests import fixtures as fx

BIG = "99999999999999999999"


@pytest.fixture
def anonymous(app):
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        yield c


def _policy(header: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in (x.strip() for x in header.split(";"))}


@pytest.mark.parametrize("path", ["/login", "/api/v1/docs", "/api/v1/incidents", "/static/svidok.css", "/no/such/page"])
def test_every_answer_carries_the_security_headers(anonymous, path):
    r = anonymous.get(path)
    csp = _policy(r.headers["content-security-policy"])
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'" and csp["form-action"] == "'self'"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in r.headers["permissions-policy"] and "geolocation=()" in r.headers["permissions-policy"]
    assert "strict-transport-security" not in r.headers  # plain http: HSTS would mean nothing


def test_hsts_over_https_and_only_from_a_trusted_proxy(app):
    asgi = create_app(app)
    with TestClient(asgi, base_url="https://svidok.example") as c:
        assert c.get("/login").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(asgi) as c:  # an untrusted peer claiming https is not believed
        assert "strict-transport-security" not in c.get("/login", headers={"X-Forwarded-Proto": "https"}).headers
    app.settings.trusted_proxies = ["testclient"]
    with TestClient(create_app(app)) as c:
        r = c.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" in r.headers and "Secure" in r.headers["set-cookie"]


def test_the_api_docs_load_everything_from_this_installation(anonymous):
    page = anonymous.get("/api/v1/docs").text
    assert "<script>" not in page and "cdn" not in page.lower() and "http" not in page.split("</title>")[1]
    for src in ("/api/v1/docs/assets/swagger-ui-bundle.js", "/api/v1/docs/assets/swagger-ui.css",
                "/api/v1/docs/init.js"):
        assert src in page
        assert anonymous.get(src).status_code == 200


def test_pages_have_no_inline_code_or_style_the_policy_would_block(app):
    import re

    fx.user(app, "investigator")
    fx.incident(app, confidentiality="public")
    from tests.web.conftest import sign_in

    with TestClient(create_app(app)) as c:
        sign_in(c, "investigator")
        for path in ("/", "/incidents", "/map", "/account", "/account/2fa", "/no/such/page"):
            html = c.get(path).text
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
            assert not re.search(r"\sstyle=|\son[a-z]+=|javascript:", html), path


@pytest.fixture
def writer(app):
    accounts.create_user(app, SYSTEM, "inv", "correct horse battery", "investigator")
    token = accounts.create_token(app, SYSTEM, "inv")
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x00", "\x1b", "\x85"])
def test_control_and_bidi_characters_are_refused_in_a_title_naming_the_field(writer, char):
    r = writer.post("/api/v1/incidents", json={"title": f"Strike{char}on a school", "date_start": "2022-03-05"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "title" and f"U+{ord(char):04X}" in error["reason"]
    assert writer.get("/api/v1/incidents/count").json()["count"] == 0


def test_nested_fields_and_lists_are_checked_too_and_ordinary_text_passes(writer):
    r = writer.post("/api/v1/incidents", json={
        "title": "Shelling", "date_start": "2022-03-05",
        "acts": [{"violation_type": "killing_of_civilians", "description": "two\u202dkilled"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("acts[0]")
    r = writer.post("/api/v1/incidents", json={"title": "Обстріл — «школа» №3", "date_start": "2022-03-05",
                                               "narrative": "Line one.\nLine two,\ttabbed."})
    assert r.status_code == 201, r.text


def test_query_parameters_and_upload_names_are_checked(writer, app):
    r = writer.get("/api/v1/incidents", params={"q": "school\u202e"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"
    inc = fx.incident(app)
    r = writer.post("/api/v1/evidence", files={"file": ("photo\u202egpj.exe", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")},
                    data={"incident_id": str(inc["id"])})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize("url", [f"/api/v1/incidents?place={BIG}", f"/api/v1/incidents/{BIG}",
                                 f"/api/v1/persons/{2**63}", f"/api/v1/incidents?after={BIG}",
                                 f"/api/v1/places/{BIG}"])
def test_out_of_range_integers_are_422_not_500(writer, url):
    assert writer.get(url).status_code == 422


def test_out_of_range_integers_in_pages_are_not_a_server_error(app):
    fx.user(app, "administrator")
    from tests.web.conftest import csrf, sign_in

    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        sign_in(c, "administrator")
        for url in (f"/incidents?place={BIG}", f"/persons?after={BIG}", f"/records/custody-episodes?after={BIG}",
                    f"/custody/monitor?days={BIG}", f"/incidents/{BIG}"):
            assert c.get(url).status_code < 500, url
        r = c.post("/admin/grants", data={"csrf_token": csrf(c, "/admin/users"), "case_id": BIG,
                                          "grant_username": "administrator"})
        assert r.status_code == 422
